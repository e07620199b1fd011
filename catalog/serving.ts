// What a Rust lane needs to serve at all once deployed: rules whose breach deploys fine and
// then never becomes ready, answers 503 to its probes, or lets anyone in (lanes.md).
// Each returns why a setting is refused, or undefined; config and the pack both call it.

import { CLOUD_RUN_LANES, CloudRunServiceLane, Environment, HealthPaths } from "./lanes";
import { quoted } from "./text";

export const SERVING_SOURCES = {
    bindAddress: "lanes.md: both binaries ignore $PORT and default to loopback (RUNTIME_BIND_ADDR 127.0.0.1:4100, OA_CONTROL_BIND_ADDR 127.0.0.1:8787)",
    authProvider: "lanes.md: OA_AUTH_PROVIDER_MODE mock lets any caller in; production runs workos",
    maintenance: "lanes.md/README: in maintenance every path but the allowed ones answers 503, probes included",
    revision: "Cloud Run names a service's revisions <service>-<suffix>",
} as const;

const ANY_HOST = ["0.0.0.0", "[::]"];

/** Why a lane's bind address env value cannot serve on its container port, or undefined. */
export function bindAddressProblem(lane: CloudRunServiceLane, value: string | undefined, containerPort: number): string | undefined {
    const env = lane.bindAddrEnv;
    if (value === undefined) return `${env} is not set, so the binary listens on loopback and never becomes ready`;
    const colon = value.lastIndexOf(":");
    const host = value.slice(0, Math.max(colon, 0));
    const port = value.slice(colon + 1);
    if (colon < 0 || !/^[0-9]{1,5}$/.test(port)) return `${env} must be host:port, such as 0.0.0.0:${containerPort}`;
    if (!ANY_HOST.includes(host)) return `${env} binds ${host || "(no host)"}, which Cloud Run cannot reach: use 0.0.0.0:${containerPort}`;
    if (Number(port) !== containerPort) return `${env} listens on port ${port}, the container port is ${containerPort}`;
    return undefined;
}

/** The auth provider modes the control service knows; mock lets anyone in. */
export const AUTH_PROVIDER_MODES = ["workos", "mock"] as const;
export const AUTH_PROVIDER_ENV = "OA_AUTH_PROVIDER_MODE";

export function authProviderProblem(environment: Environment, mode: string | undefined): string | undefined {
    if (environment !== "prod") return undefined;
    return mode === "workos" ? undefined : `production runs ${AUTH_PROVIDER_ENV}=workos, not ${mode === undefined ? "none" : mode} (mock lets anyone in)`;
}

/** Why maintenance mode with these allowed paths breaks the probes, or undefined. */
export function maintenancePathsProblem(enabled: boolean, allowedPaths: readonly string[], health: HealthPaths): string | undefined {
    if (!enabled) return undefined;
    const missing = [health.readiness, health.liveness].filter((p) => !allowedPaths.includes(p));
    return missing.length > 0 ? `maintenance mode answers 503 on ${missing.join(" and ")}, so the probes fail: allow them` : undefined;
}

/** Every service name the catalog knows, longest first (a longer name wins a shared prefix). */
const KNOWN_SERVICES = CLOUD_RUN_LANES.filter((l) => l.kind === "service")
    .flatMap((l) => Object.values(l.names))
    .sort((a, b) => b.length - a.length);

/**
 * The service a revision belongs to, judged offline from its name: the longest known service
 * name it starts with, else `service` when it starts with `<service>-`. Whether the revision
 * exists is the gate's to check.
 */
export function revisionOwnerProblem(revision: string, service: string): string | undefined {
    const r = revision.trim().toLowerCase();
    const s = service.trim().toLowerCase();
    const owner = KNOWN_SERVICES.find((k) => r.startsWith(`${k}-`));
    if (owner !== undefined && owner !== s) return `revision ${quoted(r)} belongs to service '${owner}', not '${s}'`;
    if (owner === undefined && !r.startsWith(`${s}-`)) return `revision ${quoted(r)} is not a revision of '${s}' (${s}-...)`;
    return undefined;
}

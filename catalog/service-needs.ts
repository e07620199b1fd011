// What each Rust service needs from its env and settings to do its job, read from the
// services' own source at the contract commit (OpenAgentsInc/openagents c41c3629). A breach
// deploys fine and becomes ready, then answers 503 where users look: sign-in, every page.
// Config (services/config.ts) and the pack (policies/service-needs.ts) call these alike.

import { CONTROL, RUNTIME, canonicalLaneAnywhere, type CloudRunLaneId } from "./lanes";

const AT = "@c41c3629";

export const SERVICE_NEEDS_SOURCES = {
    workos:
        `apps/openagents.com/service/src/auth.rs:1905-1932${AT} (every mode but mock builds the WorkOS provider only when both ` +
        `WORKOS_CLIENT_ID and WORKOS_API_KEY are set, else an unavailable one whose name() still says workos, auth.rs:2450-2472); ` +
        `config.rs:10,212-227${AT} (mode defaults to workos; blank values count as unset); lib.rs:12161-12165${AT} (a provider error answers 503)`,
    routeSplit:
        `apps/openagents.com/service/src/config.rs:424-461${AT} (OA_ROUTE_SPLIT_*: enabled by "1"/"true"/"yes", default true; mode rust; ` +
        `routes "/"); route_split.rs:97-235${AT} (force-legacy, disabled, an unlisted route, mode legacy or a cohort miss -> legacy); ` +
        `lib.rs:2385-2395,2414-2427,12683-12686${AT} (only / and /chat are pinned to Rust; a legacy target without ` +
        `OA_ROUTE_SPLIT_LEGACY_BASE_URL answers 503)`,
    runtimeMemoryState:
        `apps/runtime/src/server.rs:1479-1480${AT} (runs, their events and worker heartbeats live in the instance's memory: ` +
        `InMemoryRuntimeAuthority with DurableEventLog::new_memory); apps/runtime/src/lib.rs:63-71${AT} (serve runs the HTTP ` +
        "server and nothing else: the runtime has no work outside requests, so CPU allocation is not a need of its source)",
    ingress:
        "https://cloud.google.com/run/docs/securing/ingress: internal-only takes a service off the internet (the control service is the " +
        "public front door, its domain mapping needs ingress all); the control service calls the runtime over its run.app URL without " +
        "VPC egress, and the gate probes it from outside, so the runtime stays on ingress all and private by IAM",
    migrateDatabase: `apps/runtime/src/bin/runtime-migrate.rs:27-29${AT} (the migration reads DB_URL, else DATABASE_URL)`,
} as const;

/** One env entry of a container as the rules see it: a literal, a secret reference, or unknown (preview). */
export interface EnvEntry {
    name: string;
    /** The literal value, when the entry is literal and known. */
    literal?: string;
    /** The secret it reads, when it reads one. */
    secret?: string;
    /** Its value is unknown during preview: the rule cannot judge it. */
    unknown?: boolean;
}

export const WORKOS_KEYS = ["WORKOS_CLIENT_ID", "WORKOS_API_KEY"] as const;
export const AUTH_MODE_ENV = "OA_AUTH_PROVIDER_MODE";

function find(env: readonly EnvEntry[], name: string): EnvEntry | undefined {
    return env.find((e) => e.name === name);
}

/** config.rs:212-217: trimmed and lowercased, blank or unset means workos. */
function authMode(env: readonly EnvEntry[]): string | undefined {
    const e = find(env, AUTH_MODE_ENV);
    if (e?.unknown) return undefined;
    if (e?.secret !== undefined) return undefined;
    const v = (e?.literal ?? "").trim().toLowerCase();
    return v === "" ? "workos" : v;
}

/** Set per config.rs:219-227: a secret reference, or a literal that is not blank. */
function isSet(e: EnvEntry | undefined): boolean | undefined {
    if (e === undefined) return false;
    if (e.unknown) return undefined;
    if (e.secret !== undefined) return e.secret.trim() !== "";
    return (e.literal ?? "").trim() !== "";
}

/**
 * Why the control service cannot sign anyone in (SERVICE_NEEDS_SOURCES.workos), or undefined.
 * `fromSecretsOnly` (config's reading): the keys count only as secret references.
 */
export function workosProblem(env: readonly EnvEntry[], fromSecretsOnly = false): string | undefined {
    const mode = authMode(env);
    if (mode === undefined || mode === "mock") return undefined;
    const missing = WORKOS_KEYS.filter((k) => {
        const e = find(env, k);
        const set = isSet(fromSecretsOnly && e?.secret === undefined ? undefined : e);
        return set === false;
    });
    if (missing.length === 0) return undefined;
    return `auth mode ${mode} without ${missing.join(" and ")}: every sign-in answers 503 (the provider still reports workos)`;
}

const TRUTHY = ["1", "true", "yes"];

/** config.rs:424-427,453-456: "1", "true" or "yes" (trimmed, any case) is on; anything else set is off. */
function flag(env: readonly EnvEntry[], name: string, fallback: boolean): boolean | undefined {
    const e = find(env, name);
    if (e === undefined) return fallback;
    if (e.unknown || e.secret !== undefined) return undefined;
    return TRUTHY.includes((e.literal ?? "").trim().toLowerCase());
}

function literal(env: readonly EnvEntry[], name: string): string | undefined | null {
    const e = find(env, name);
    if (e === undefined) return undefined;
    if (e.unknown || e.secret !== undefined) return null;
    return e.literal;
}

/** route_split.rs:385-399: the path as the router compares it. */
function normalizePath(path: string): string {
    const t = path.trim();
    if (t === "" || t === "/") return "/";
    let n = t.startsWith("/") ? t : `/${t}`;
    while (n.includes("//")) n = n.replace("//", "/");
    return n.replace(/\/+$/, "");
}

/**
 * Why the control service answers 503 on web pages (SERVICE_NEEDS_SOURCES.routeSplit), or
 * undefined: some page is routed to the legacy target and no legacy base URL is set. With the
 * legacy services gone, every page must route to the Rust shell.
 */
export function routeSplitProblem(env: readonly EnvEntry[]): string | undefined {
    const base = literal(env, "OA_ROUTE_SPLIT_LEGACY_BASE_URL");
    if (base === null) return undefined;
    if (base !== undefined && base.trim().replace(/\/+$/, "") !== "") return undefined;
    const enabled = flag(env, "OA_ROUTE_SPLIT_ENABLED", true);
    const force = flag(env, "OA_ROUTE_SPLIT_FORCE_LEGACY", false);
    const modeRaw = literal(env, "OA_ROUTE_SPLIT_MODE");
    const routesRaw = literal(env, "OA_ROUTE_SPLIT_RUST_ROUTES");
    const pctRaw = literal(env, "OA_ROUTE_SPLIT_COHORT_PERCENTAGE");
    if (enabled === undefined || force === undefined || modeRaw === null || routesRaw === null || pctRaw === null) return undefined;
    const why = (cause: string) => `${cause}; with no OA_ROUTE_SPLIT_LEGACY_BASE_URL every page but / and /chat answers 503`;
    if (force) return why("OA_ROUTE_SPLIT_FORCE_LEGACY sends pages to the legacy target");
    if (!enabled) return why(`OA_ROUTE_SPLIT_ENABLED=${(find(env, "OA_ROUTE_SPLIT_ENABLED")?.literal ?? "").trim() || "(blank)"} sends pages to the legacy target`);
    const mode = (modeRaw ?? "").trim() === "" ? "rust" : modeRaw!.trim().toLowerCase();
    // from_str: "rust" and "cohort" are known, anything else is legacy (route_split.rs:357-362).
    if (mode !== "rust" && mode !== "cohort") return why(`OA_ROUTE_SPLIT_MODE=${mode} routes pages to the legacy target`);
    const routes = (routesRaw ?? "/")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
        .map(normalizePath);
    if (!routes.includes("/")) return why(`OA_ROUTE_SPLIT_RUST_ROUTES=${routesRaw ?? ""} leaves every other page to the legacy target`);
    if (mode === "cohort") {
        // config.rs:442-446: an unparsable percentage is 100; parse::<u8> takes digits (and a leading +) up to 255.
        const pct = pctRaw === undefined ? 100 : /^\+?[0-9]+$/.test(pctRaw) && Number(pctRaw) <= 255 ? Math.min(Number(pctRaw), 100) : 100;
        if (pct < 100) return why(`OA_ROUTE_SPLIT_MODE=cohort at ${pct}% routes the other users' pages to the legacy target`);
    }
    return undefined;
}

/** Every need of the control service's env, in one list. */
export function controlEnvProblems(env: readonly EnvEntry[], fromSecretsOnly = false): string[] {
    return [workosProblem(env, fromSecretsOnly), routeSplitProblem(env)].filter((p): p is string => p !== undefined);
}

export const INGRESS_ALL = "INGRESS_TRAFFIC_ALL";

/** v1 annotation values -> the v2 enum. */
const V1_INGRESS: Record<string, string> = {
    all: INGRESS_ALL,
    internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
};

export function ingressFromV1(annotation: string): string {
    return V1_INGRESS[annotation.trim().toLowerCase()] ?? annotation;
}

/** Why a lane's ingress takes it off the network its callers use (SERVICE_NEEDS_SOURCES.ingress), or undefined. */
export function ingressProblem(lane: CloudRunLaneId, ingress: string | undefined): string | undefined {
    if (ingress === undefined || ingress === "" || ingress === INGRESS_ALL) return undefined;
    if (lane === CONTROL.id) return `ingress ${ingress} takes the public front door off the internet (and its domain mapping with it): use ${INGRESS_ALL}`;
    if (lane === RUNTIME.id) return `ingress ${ingress} cuts the runtime off from the control service (no VPC egress) and the gate: use ${INGRESS_ALL}, it stays private by IAM`;
    return undefined;
}

/**
 * The control service's needs judged on what the program will set: the auth mode it writes
 * into OA_AUTH_PROVIDER_MODE, the stack's plain env and its secret references (config's
 * reading: WorkOS keys count only from Secret Manager).
 */
export function controlEnvProblemsFor(
    authProviderMode: string,
    plain: readonly { name: string; value: string }[],
    secrets: readonly { env: string; secret: string }[],
): { workos?: string; routeSplit?: string } {
    const env: EnvEntry[] = [{ name: AUTH_MODE_ENV, literal: authProviderMode }, ...plain.map((e) => ({ name: e.name, literal: e.value })), ...secrets.map((e) => ({ name: e.env, secret: e.secret }))];
    return { workos: workosProblem(env, true), routeSplit: routeSplitProblem(env) };
}

export const RUNS_SOURCES = {
    traffic:
        "https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration (traffic pinned to named revisions stays there: a new " +
        "revision serves only when a target names it or LATEST); README: the runtime rolls all at once",
    manualScaling: "https://cloud.google.com/run/docs/configuring/services/manual-scaling (scalingMode MANUAL runs exactly manualInstanceCount instances)",
    domains: "README: staging maps staging.openagents.com, prod maps openagents.com; one domain has one mapping, in the stack of its environment",
} as const;

export interface TrafficTarget {
    revision?: string;
    latest: boolean;
    percent?: number;
}

/**
 * Why a service's traffic leaves the revision this deploy creates out (RUNS_SOURCES.traffic),
 * or, for the runtime, keeps serving an older one; undefined when fine. `newRevision` is the
 * name the template gives its revision, if it names one.
 */
export function trafficPinProblem(lane: CloudRunLaneId | undefined, targets: readonly TrafficTarget[], newRevision: string | undefined): string | undefined {
    if (targets.length === 0) return undefined;
    const isNew = (t: TrafficTarget) => t.latest || (newRevision !== undefined && t.revision === newRevision);
    if (!targets.some(isNew)) {
        const pinned = targets.map((t) => t.revision ?? "?").join(", ");
        return `traffic is pinned to ${pinned}: the revision this deploy creates never serves (route to LATEST or name the new revision)`;
    }
    if (lane === RUNTIME.id) {
        const old = targets.find((t) => !isNew(t) && (t.percent ?? 0) > 0);
        if (old) return `the runtime rolls all at once, but ${old.percent}% stays on ${old.revision ?? "an older revision"}, which may not read the migrated schema`;
    }
    return undefined;
}

/** Why a service's scaling can never start an instance (RUNS_SOURCES.manualScaling), or undefined. */
export function scalingProblem(mode: unknown, manualCount: unknown): string | undefined {
    if (mode !== "MANUAL") return undefined;
    const n = typeof manualCount === "number" ? manualCount : 0;
    return n < 1 ? `manual scaling with ${n} instances runs no instance at all: every request fails` : undefined;
}

/** The control domain per environment, and whose a host is: a host under staging.openagents.com is staging's, any other openagents.com host prod's. */
export const CONTROL_DOMAINS = { prod: "openagents.com", staging: "staging.openagents.com" } as const;

export function domainEnvironment(domain: string): "prod" | "staging" | undefined {
    const d = domain.trim().toLowerCase().replace(/\.$/, "");
    if (d === CONTROL_DOMAINS.staging || d.endsWith(`.${CONTROL_DOMAINS.staging}`)) return "staging";
    if (d === CONTROL_DOMAINS.prod || d.endsWith(`.${CONTROL_DOMAINS.prod}`)) return "prod";
    return undefined;
}

/** Why a stack of `environment` maps a domain of the other environment (RUNS_SOURCES.domains), or undefined. */
export function domainOwnerProblem(environment: string | undefined, domain: string): string | undefined {
    const owner = domainEnvironment(domain);
    if (environment === undefined || owner === undefined || owner === environment) return undefined;
    return `${domain} is the ${owner} domain: a ${environment} stack mapping it takes it from ${owner} (its mapping fails or moves ${owner}'s users)`;
}

/** Why a stack of `environment` routes (a domain, a load balancer) to the other environment's canonical service, or undefined. */
export function crossEnvironmentRouteProblem(environment: string | undefined, service: string): string | undefined {
    const owner = canonicalLaneAnywhere(service);
    if (environment === undefined || owner === undefined || owner.environment === environment) return undefined;
    return `'${service}' is the ${owner.environment} ${owner.lane.id} service: a ${environment} stack must not route to it`;
}

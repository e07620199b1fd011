// The lane catalog: every fact about the canonical Rust lanes that the program, the policy
// pack and the post-deploy gate share. A new lane is one entry here. This module imports
// nothing of the project (and nothing of Pulumi) so any layer may read it.

export const ENVIRONMENTS = ["staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: unknown): value is Environment {
    return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Where everything lives. */
export const GCP = {
    project: "openagentsgemini",
    projectNumber: "157437760789",
    region: "us-central1",
    artifactRegistryHost: "us-central1-docker.pkg.dev",
    /** The default compute account every legacy lane ran as: never a workload identity here. */
    defaultComputeServiceAccount: "157437760789-compute@developer.gserviceaccount.com",
    /** The hash part of this project's run.app URLs: https://<service>-ezxz4mgdsq-uc.a.run.app */
    runAppUrlHash: "ezxz4mgdsq",
    runAppRegionCode: "uc",
} as const;

/** Health endpoints a Rust lane serves inside its container. */
export interface HealthPaths {
    /** Readiness: the startup probe and the external canonical probe. */
    readiness: string;
    /** Liveness: the container liveness probe (Google's front end swallows it externally). */
    liveness: string;
}

export type CloudRunLaneId = "control" | "runtime" | "runtime-migrate";

interface CloudRunLaneBase {
    id: CloudRunLaneId;
    /** Cloud Run resource name per environment. */
    names: Record<Environment, string>;
    /** Artifact Registry repository the lane's image must come from (no tag). */
    imageRepository: string;
    /** Rust binary the image runs. */
    binary: string;
    summary: string;
}

export interface CloudRunServiceLane extends CloudRunLaneBase {
    kind: "service";
    containerPort: number;
    /** Env var the binary reads its bind address from (both ignore $PORT). */
    bindAddrEnv: string;
    health: HealthPaths;
    /** Whether anyone on the internet may invoke it (the web front door) or only named callers. */
    access: "public" | "private";
}

export interface CloudRunJobLane extends CloudRunLaneBase {
    kind: "job";
    /** The service lane whose image this job must run, always. */
    imageLockedTo: CloudRunLaneId;
    command: readonly string[];
}

export type CloudRunLane = CloudRunServiceLane | CloudRunJobLane;

const REGISTRY = `${GCP.artifactRegistryHost}/${GCP.project}`;

export const CONTROL: CloudRunServiceLane = {
    id: "control",
    kind: "service",
    names: { prod: "openagents-control-service", staging: "openagents-control-service-staging" },
    imageRepository: `${REGISTRY}/openagents-control-service/control`,
    binary: "openagents-control-service",
    containerPort: 8080,
    bindAddrEnv: "OA_CONTROL_BIND_ADDR",
    health: { readiness: "/readyz", liveness: "/healthz" },
    access: "public",
    summary: "Rust control service and web shell: the public front door",
};

export const RUNTIME: CloudRunServiceLane = {
    id: "runtime",
    kind: "service",
    names: { prod: "runtime", staging: "runtime-staging" },
    imageRepository: `${REGISTRY}/runtime/runtime`,
    binary: "openagents-runtime-service",
    containerPort: 8080,
    bindAddrEnv: "RUNTIME_BIND_ADDR",
    health: { readiness: "/readyz", liveness: "/healthz" },
    // Its /internal/v1 write API has no authentication of its own.
    access: "private",
    summary: "Rust runtime service: internal API, invoked by the control service only",
};

export const RUNTIME_MIGRATE: CloudRunJobLane = {
    id: "runtime-migrate",
    kind: "job",
    names: { prod: "runtime-migrate", staging: "runtime-migrate-staging" },
    imageRepository: RUNTIME.imageRepository,
    binary: "runtime-migrate",
    imageLockedTo: "runtime",
    command: ["runtime-migrate"],
    summary: "Runtime schema migrations: must succeed on every runtime image before it serves",
};

export const CLOUD_RUN_LANES: readonly CloudRunLane[] = [CONTROL, RUNTIME, RUNTIME_MIGRATE];

export function laneById(id: CloudRunLaneId): CloudRunLane {
    const lane = CLOUD_RUN_LANES.find((l) => l.id === id);
    if (!lane) throw new Error(`unknown lane ${id}`);
    return lane;
}

/** The canonical lane a Cloud Run resource name belongs to in an environment, if any. */
export function canonicalLaneFor(name: string, environment: Environment): CloudRunLane | undefined {
    const wanted = name.trim().toLowerCase();
    return CLOUD_RUN_LANES.find((l) => l.names[environment] === wanted);
}

/** The canonical lane a resource name belongs to in any environment, with that environment. */
export function canonicalLaneAnywhere(name: string): { lane: CloudRunLane; environment: Environment } | undefined {
    for (const environment of ENVIRONMENTS) {
        const lane = canonicalLaneFor(name, environment);
        if (lane) return { lane, environment };
    }
    return undefined;
}

/** Rust lanes that are not Cloud Run resources: known so nothing mistakes them for missing. */
export interface BinaryLane {
    id: string;
    kind: "cli" | "binary";
    run: string;
    /** Port and health path when it serves HTTP. */
    http?: { defaultPort: number; imagePort: number; health: string; authenticated: string[] };
    summary: string;
}

export const BINARY_LANES: readonly BinaryLane[] = [
    {
        id: "lightning-ops",
        kind: "cli",
        run: "cargo run --manifest-path apps/lightning-ops/Cargo.toml -- <command>",
        summary: "Rust CLI with no HTTP server; not deployed to Cloud Run",
    },
    {
        id: "lightning-wallet-executor",
        kind: "binary",
        run: "cargo run --manifest-path apps/lightning-wallet-executor/Cargo.toml -- serve",
        http: { defaultPort: 8788, imagePort: 8080, health: "/healthz", authenticated: ["/status"] },
        summary: "Rust binary; not in the Cloud Run deployment matrix",
    },
];

/** Secrets the Rust lanes read, by their Secret Manager names. */
export const KNOWN_SECRETS = {
    syncTokenSigningKey: "openagents-runtime-signing-key",
    maintenanceBypassToken: "openagents-control-maintenance-bypass-token",
} as const;

/** Control service maintenance mode: what `maintenance-mode.sh` used to set by hand. */
export const MAINTENANCE = {
    enabledEnv: "OA_MAINTENANCE_MODE_ENABLED",
    allowedPathsEnv: "OA_MAINTENANCE_ALLOWED_PATHS",
    cookieNameEnv: "OA_MAINTENANCE_BYPASS_COOKIE_NAME",
    cookieTtlEnv: "OA_MAINTENANCE_BYPASS_COOKIE_TTL_SECONDS",
    bypassTokenEnv: "OA_MAINTENANCE_BYPASS_TOKEN",
    defaultAllowedPaths: ["/healthz", "/readyz"],
    defaultCookieName: "oa_maintenance_bypass",
    defaultCookieTtlSeconds: 900,
} as const;

/** Traffic tags the control service's revisions carry: the sole one, or the stable/canary pair. */
export const CONTROL_TRAFFIC_TAGS = { sole: "current", stable: "stable", canary: "canary" } as const;

/** Labels every managed resource carries. */
export const LABEL_KEYS = ["environment", "lane", "managed-by"] as const;
export const MANAGED_BY = "pulumi";

/** Primitive roles: never granted by this project. */
export const PRIMITIVE_ROLES = ["roles/owner", "roles/editor", "roles/viewer"] as const;

/** Members that make a Cloud Run resource public. */
export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

/** Run.app URL of a service in this project (the stable hash form). */
export function runAppUrl(service: string): string {
    return `https://${service}-${GCP.runAppUrlHash}-${GCP.runAppRegionCode}.a.run.app`;
}

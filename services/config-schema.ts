// The stack configuration schema: every key the program reads, its type, description and
// default. Pulumi.yaml's `config:` block declares the same keys for the CLI; a test holds the
// two equal, and the README's config reference is checked against Pulumi.yaml.

export type ConfigType = "string" | "integer" | "boolean" | "array";

export interface ConfigKeySpec {
    type: ConfigType;
    description: string;
    /** Applied when the stack does not set the key; absent means the key is required. */
    default?: string | number | boolean | string[];
}

export const PROJECT = "openagents-rust-lanes";

const lane = (who: string): { Cpu: ConfigKeySpec; Memory: ConfigKeySpec } => ({
    Cpu: { type: "string", description: `CPU limit of the ${who} container (e.g. "1", "2", "1000m").` },
    Memory: { type: "string", description: `Memory limit of the ${who} container (e.g. "512Mi", "1Gi").` },
});

export const CONFIG_SCHEMA = {
    environment: { type: "string", description: "Which lane set this stack owns: staging or prod." },
    controlImageTag: {
        type: "string",
        description: "Tag (e.g. a git short SHA) or sha256 digest of the control image in the catalog's repository. Never latest.",
    },
    runtimeImageTag: {
        type: "string",
        description: "Tag or sha256 digest of the runtime image; the runtime service and the migrate job both run it.",
    },
    controlServiceName: { type: "string", default: "", description: "Cloud Run service name of the control lane; empty: the catalog's canonical name for the environment." },
    runtimeServiceName: { type: "string", default: "", description: "Cloud Run service name of the runtime lane; empty: the catalog's canonical name." },
    migrateJobName: { type: "string", default: "", description: "Cloud Run job name of the runtime migration; empty: the catalog's canonical name." },

    controlCpu: lane("control").Cpu,
    controlMemory: lane("control").Memory,
    controlMinInstances: { type: "integer", description: "Minimum warm instances of the control service (prod keeps at least 1)." },
    controlMaxInstances: { type: "integer", description: "Maximum instances of the control service." },
    controlConcurrency: { type: "integer", description: "Maximum concurrent requests per control instance." },
    controlTimeoutSeconds: { type: "integer", description: "Request timeout of the control service, in seconds (1-3600)." },
    controlStartupCpuBoost: { type: "boolean", description: "Extra CPU while a control instance starts." },
    controlIngress: { type: "string", default: "INGRESS_TRAFFIC_ALL", description: "Ingress of the control service: INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER." },
    controlAuthProviderMode: { type: "string", description: "OA_AUTH_PROVIDER_MODE of the control service: workos or mock." },
    controlEnv: { type: "array", default: [], description: "Extra plain env of the control service, as NAME=value items. Secret-looking names are refused: use controlSecretEnv." },
    controlSecretEnv: { type: "array", default: [], description: "Extra env of the control service from Secret Manager, as NAME=secret-name[:version] items." },
    controlSyncTokenSigningKeySecret: { type: "string", default: "openagents-runtime-signing-key", description: "Secret Manager secret holding the sync token signing key (env OA_SYNC_TOKEN_SIGNING_KEY)." },
    controlStableRevision: { type: "string", default: "", description: "The control revision serving now (the canary's baseline). Empty: this deploy's revision takes all traffic." },
    controlCanaryPercent: { type: "integer", description: "Percent of control traffic on this deploy's revision; the ladder is 0, 5, 25, 50, 100. 0 is a rollback to controlStableRevision. No default, so a stable revision never goes with an unstated 100." },
    controlMaintenanceEnabled: { type: "boolean", default: false, description: "Maintenance mode: every path but the allowed ones answers 503." },
    controlMaintenanceAllowedPaths: { type: "array", default: ["/healthz", "/readyz"], description: "Paths served normally during maintenance." },
    controlMaintenanceCookieName: { type: "string", default: "oa_maintenance_bypass", description: "Name of the maintenance bypass cookie." },
    controlMaintenanceCookieTtlSeconds: { type: "integer", default: 900, description: "Lifetime of the maintenance bypass cookie, in seconds." },
    controlMaintenanceBypassTokenSecret: { type: "string", default: "openagents-control-maintenance-bypass-token", description: "Secret Manager secret holding the maintenance bypass token (env OA_MAINTENANCE_BYPASS_TOKEN)." },
    controlDomain: { type: "string", default: "", description: "Custom domain mapped to the control service (e.g. staging.openagents.com); empty for none." },

    runtimeCpu: lane("runtime").Cpu,
    runtimeMemory: lane("runtime").Memory,
    runtimeMinInstances: { type: "integer", description: "Minimum warm instances of the runtime service." },
    runtimeMaxInstances: { type: "integer", description: "Maximum instances of the runtime service." },
    runtimeConcurrency: { type: "integer", description: "Maximum concurrent requests per runtime instance." },
    runtimeTimeoutSeconds: { type: "integer", description: "Request timeout of the runtime service, in seconds (1-3600)." },
    runtimeStartupCpuBoost: { type: "boolean", description: "Extra CPU while a runtime instance starts." },
    runtimeIngress: { type: "string", default: "INGRESS_TRAFFIC_ALL", description: "Ingress of the runtime service (it stays private by IAM either way)." },
    runtimeDatabaseUrlSecret: { type: "string", description: "Secret Manager secret holding the runtime database URL (env DB_URL of the service and the migrate job)." },
    runtimeEnv: { type: "array", default: [], description: "Extra plain env of the runtime service, as NAME=value items." },
    runtimeSecretEnv: { type: "array", default: [], description: "Extra env of the runtime service from Secret Manager, as NAME=secret-name[:version] items." },
    runtimeSmokeInvoker: { type: "string", default: "", description: "An extra IAM member allowed to invoke the runtime (the post-deploy gate's identity), e.g. serviceAccount:gate@P.iam.gserviceaccount.com; empty for none." },

    migrateCpu: lane("migrate job").Cpu,
    migrateMemory: lane("migrate job").Memory,
    migrateTimeoutSeconds: { type: "integer", description: "Timeout of one migration task attempt, in seconds." },
    migrateMaxRetries: { type: "integer", description: "Retries of a failed migration task (0-10)." },
    migrateRerun: { type: "integer", default: 0, description: "Bump to run the migration again on the same image (it becomes part of the execution token)." },

    secretVersion: { type: "string", default: "latest", description: "Secret Manager version every secret reference reads, unless an item pins its own." },
    deletionProtection: { type: "boolean", description: "Cloud Run deletion protection on the services and the job (on in prod)." },
} satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

// The stack configuration schema: one row per key the program reads, with its type,
// description, default, accepted range or form, and the lane it feeds. services/config.ts walks
// this table; `npm run docs` writes Pulumi.yaml's `config:` block and docs/config.md from it.
// Where a rule is shared with the pack, the row names the catalog function that owns it.

import {
    ENVIRONMENTS,
    KNOWN_SECRETS,
    MAINTENANCE,
    domainProblem,
    iamMemberProblem,
    MAX_JOB_RETRIES,
    MAX_REQUEST_TIMEOUT_SECONDS,
    MAX_TASK_TIMEOUT_SECONDS,
    openingGrantProblem,
    isEnvironment,
    isValidDigest,
    isValidTag,
    parseCpu,
    parseMemory,
} from "../catalog";

export type ConfigType = "string" | "integer" | "boolean" | "array";

/** The part of the deployment a key feeds: one lane, or every resource of the stack. */
export type ConfigLane = "control" | "runtime" | "migrate" | "stack";

interface KeyBase {
    description: string;
    lane: ConfigLane;
}

export interface StringKeySpec extends KeyBase {
    type: "string";
    default?: string;
    /** The accepted form, as a refusal and the reference print it. */
    form: string;
    /** Whether a value has the form; absent: any string does (a later rule may still refuse it). */
    accepts?: (value: string) => boolean;
    /** A catalog rule on a non-empty value: why it is refused, or undefined. */
    rule?: (value: string) => string | undefined;
}

export interface IntegerKeySpec extends KeyBase {
    type: "integer";
    default?: number;
    range: { min: number; max: number };
}

export interface BooleanKeySpec extends KeyBase {
    type: "boolean";
    default?: boolean;
}

export interface ArrayKeySpec extends KeyBase {
    type: "array";
    default?: readonly string[];
    /** The form of each item, as the reference prints it. */
    form: string;
}

export type ConfigKeySpec = StringKeySpec | IntegerKeySpec | BooleanKeySpec | ArrayKeySpec;

export const PROJECT = "openagents-rust-lanes";

const IMAGE_TAG_FORM = "an image tag such as a1b2c3d (not latest) or a digest sha256:<64 hex>";
const isImageTag = (v: string): boolean => isValidDigest(v) || (isValidTag(v) && v.toLowerCase() !== "latest");
export const INGRESS = ["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"] as const;
const ingressForm = INGRESS.join(", ");
const isIngress = (v: string): boolean => (INGRESS as readonly string[]).includes(v);
const SECRET_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_NAME_FORM = "a Secret Manager secret name";
const isSecretName = (v: string): boolean => SECRET_NAME.test(v);

const cpu = (lane: ConfigLane, who: string): StringKeySpec => ({
    type: "string",
    lane,
    description: `CPU limit of the ${who} container (e.g. "1", "2", "1000m").`,
    form: 'a whole vCPU limit of the v2 API: "1", "2", "4", "6" or "8" (or 1000m, 2000m ...)',
    accepts: (v) => parseCpu(v) !== undefined,
});
const memory = (lane: ConfigLane, who: string): StringKeySpec => ({
    type: "string",
    lane,
    description: `Memory limit of the ${who} container (e.g. "512Mi", "1Gi").`,
    form: 'a Cloud Run memory limit from "128Mi" to "32Gi"',
    accepts: (v) => parseMemory(v) !== undefined,
});
const serviceName = (lane: ConfigLane, description: string): StringKeySpec => ({ type: "string", lane, default: "", description, form: "a Cloud Run name" });
const instances = (lane: ConfigLane, min: number, description: string): IntegerKeySpec => ({ type: "integer", lane, description, range: { min, max: 1000 } });
const requestTimeout = (lane: "control" | "runtime"): IntegerKeySpec => ({
    type: "integer",
    lane,
    description: `Request timeout of the ${lane} service, in seconds.`,
    range: { min: 1, max: MAX_REQUEST_TIMEOUT_SECONDS },
});
const startupCpuBoost = (lane: "control" | "runtime"): BooleanKeySpec => ({ type: "boolean", lane, description: `Extra CPU while a ${lane} instance starts.` });
const secretName = (lane: ConfigLane, description: string, fallback?: string): StringKeySpec => ({
    type: "string",
    lane,
    description,
    form: SECRET_NAME_FORM,
    accepts: isSecretName,
    ...(fallback === undefined ? {} : { default: fallback }),
});
const PLAIN_ENV_FORM = "NAME=value";
const SECRET_ENV_FORM = "NAME=secret-name[:version]";

export const CONFIG_SCHEMA = {
    environment: { type: "string", lane: "stack", description: "Which lane set this stack owns.", form: ENVIRONMENTS.join(" or "), accepts: isEnvironment },
    controlImageTag: {
        type: "string",
        lane: "control",
        description: "Tag (e.g. a git short SHA) or sha256 digest of the control image in the catalog's repository. Never latest.",
        form: IMAGE_TAG_FORM,
        accepts: isImageTag,
    },
    runtimeImageTag: {
        type: "string",
        lane: "runtime",
        description: "Tag or sha256 digest of the runtime image; the runtime service and the migrate job both run it.",
        form: IMAGE_TAG_FORM,
        accepts: isImageTag,
    },
    controlServiceName: serviceName("control", "Cloud Run service name of the control lane; empty: the catalog's canonical name for the environment."),
    runtimeServiceName: serviceName("runtime", "Cloud Run service name of the runtime lane; empty: the catalog's canonical name."),
    migrateJobName: serviceName("migrate", "Cloud Run job name of the runtime migration; empty: the catalog's canonical name."),

    controlCpu: cpu("control", "control"),
    controlMemory: memory("control", "control"),
    controlMinInstances: instances("control", 0, "Minimum warm instances of the control service (prod keeps at least 1)."),
    controlMaxInstances: instances("control", 1, "Maximum instances of the control service."),
    controlConcurrency: instances("control", 1, "Maximum concurrent requests per control instance."),
    controlTimeoutSeconds: requestTimeout("control"),
    controlStartupCpuBoost: startupCpuBoost("control"),
    controlIngress: { type: "string", lane: "control", default: "INGRESS_TRAFFIC_ALL", description: "Ingress of the control service.", form: ingressForm, accepts: isIngress },
    controlAuthProviderMode: {
        type: "string",
        lane: "control",
        description: "OA_AUTH_PROVIDER_MODE of the control service (prod runs workos).",
        form: "workos or mock",
        accepts: (v) => v === "workos" || v === "mock",
    },
    controlEnv: { type: "array", lane: "control", default: [], form: PLAIN_ENV_FORM, description: "Extra plain env of the control service. Secret-looking names are refused: use controlSecretEnv." },
    controlSecretEnv: { type: "array", lane: "control", default: [], form: SECRET_ENV_FORM, description: "Extra env of the control service from Secret Manager." },
    controlSyncTokenSigningKeySecret: secretName("control", "Secret Manager secret holding the sync token signing key (env OA_SYNC_TOKEN_SIGNING_KEY).", KNOWN_SECRETS.syncTokenSigningKey),
    controlStableRevision: {
        type: "string",
        lane: "control",
        default: "",
        description: "The control revision serving now (the canary's baseline). Empty: this deploy's revision takes all traffic.",
        form: "a revision of the control service (<service>-...), or empty",
    },
    controlCanaryPercent: {
        type: "integer",
        lane: "control",
        description:
            "Percent of control traffic on this deploy's revision; the ladder is 0, 5, 25, 50, 100. 0 is a rollback to controlStableRevision. No default, so a stable revision never goes with an unstated 100.",
        range: { min: 0, max: 100 },
    },
    controlMaintenanceEnabled: { type: "boolean", lane: "control", default: false, description: "Maintenance mode: every path but the allowed ones answers 503." },
    controlMaintenanceAllowedPaths: {
        type: "array",
        lane: "control",
        default: MAINTENANCE.defaultAllowedPaths,
        form: "an absolute path without commas",
        description: "Paths served normally during maintenance.",
    },
    controlMaintenanceCookieName: {
        type: "string",
        lane: "control",
        default: MAINTENANCE.defaultCookieName,
        description: "Name of the maintenance bypass cookie.",
        form: "a cookie name",
        accepts: (v) => /^[A-Za-z0-9_-]+$/.test(v),
    },
    controlMaintenanceCookieTtlSeconds: {
        type: "integer",
        lane: "control",
        default: MAINTENANCE.defaultCookieTtlSeconds,
        description: "Lifetime of the maintenance bypass cookie, in seconds.",
        range: { min: 60, max: 86400 },
    },
    controlMaintenanceBypassTokenSecret: secretName("control", "Secret Manager secret holding the maintenance bypass token (env OA_MAINTENANCE_BYPASS_TOKEN).", KNOWN_SECRETS.maintenanceBypassToken),
    controlDomain: {
        type: "string",
        lane: "control",
        default: "",
        description: "Custom domain mapped to the control service; empty for none.",
        form: "a domain name such as staging.openagents.com, or empty",
        rule: domainProblem,
    },

    runtimeCpu: cpu("runtime", "runtime"),
    runtimeMemory: memory("runtime", "runtime"),
    runtimeMinInstances: instances("runtime", 0, "Minimum warm instances of the runtime service."),
    runtimeMaxInstances: instances("runtime", 1, "Maximum instances of the runtime service."),
    runtimeConcurrency: instances("runtime", 1, "Maximum concurrent requests per runtime instance."),
    runtimeTimeoutSeconds: requestTimeout("runtime"),
    runtimeStartupCpuBoost: startupCpuBoost("runtime"),
    runtimeIngress: {
        type: "string",
        lane: "runtime",
        default: "INGRESS_TRAFFIC_ALL",
        description: "Ingress of the runtime service (it stays private by IAM either way).",
        form: ingressForm,
        accepts: isIngress,
    },
    runtimeDatabaseUrlSecret: secretName("runtime", "Secret Manager secret holding the runtime database URL (env DB_URL of the service and the migrate job)."),
    runtimeEnv: { type: "array", lane: "runtime", default: [], form: PLAIN_ENV_FORM, description: "Extra plain env of the runtime service. Secret-looking names are refused: use runtimeSecretEnv." },
    runtimeSecretEnv: { type: "array", lane: "runtime", default: [], form: SECRET_ENV_FORM, description: "Extra env of the runtime service from Secret Manager." },
    runtimeSmokeInvoker: {
        type: "string",
        lane: "runtime",
        default: "",
        description: "An extra IAM member allowed to invoke the runtime (the post-deploy gate's identity); empty for none.",
        form: "an IAM member such as serviceAccount:gate@PROJECT.iam.gserviceaccount.com, or empty",
        rule: (v) => iamMemberProblem(v) ?? openingGrantProblem("runtime", "roles/run.invoker", v),
    },

    migrateCpu: cpu("migrate", "migrate job"),
    migrateMemory: memory("migrate", "migrate job"),
    migrateTimeoutSeconds: { type: "integer", lane: "migrate", description: "Timeout of one migration task attempt, in seconds.", range: { min: 1, max: MAX_TASK_TIMEOUT_SECONDS } },
    migrateMaxRetries: { type: "integer", lane: "migrate", description: "Retries of a failed migration task.", range: { min: 0, max: MAX_JOB_RETRIES } },
    migrateRerun: {
        type: "integer",
        lane: "migrate",
        default: 0,
        description: "Bump to run the migration again on the same image (it becomes part of the execution token).",
        range: { min: 0, max: 9999 },
    },

    secretVersion: {
        type: "string",
        lane: "stack",
        default: "latest",
        description: "Secret Manager version every secret reference reads, unless an item pins its own.",
        form: "latest or a version number",
        accepts: (v) => /^(latest|[1-9][0-9]*)$/.test(v),
    },
    deletionProtection: { type: "boolean", lane: "stack", description: "Cloud Run deletion protection on the services and the job (on in prod)." },
} satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** The parsed value of a key of this spec. */
export type ConfigValue<S extends ConfigKeySpec> = S extends IntegerKeySpec ? number : S extends BooleanKeySpec ? boolean : S extends ArrayKeySpec ? string[] : string;

/** Every key's parsed value, typed by its row. */
export type ConfigValues = { [K in ConfigKey]: ConfigValue<(typeof CONFIG_SCHEMA)[K]> };

/** A key's accepted values in words: the range or form its row states. */
export function acceptedForm(spec: ConfigKeySpec): string {
    switch (spec.type) {
        case "integer":
            return `an integer from ${spec.range.min} to ${spec.range.max}`;
        case "boolean":
            return "true or false";
        case "array":
            return `a list of strings (${spec.form})`;
        default:
            return spec.form;
    }
}

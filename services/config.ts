// Reads and validates the whole stack configuration before anything is declared. Every
// problem names the key and the expected form; all problems are reported at once.

import * as pulumi from "@pulumi/pulumi";
import {
    CANARY_LADDER,
    CONTROL,
    CONTROL_TRAFFIC_TAGS,
    Environment,
    MAINTENANCE,
    RUNTIME,
    RUNTIME_MIGRATE,
    authProviderProblem,
    canarySplitProblem,
    domainProblem,
    envNameProblem,
    envSetProblem,
    excerpt,
    executionNameProblem,
    iamMemberProblem,
    imageFromTag,
    isEnvironment,
    isValidDigest,
    isValidTag,
    jobMemoryProblem,
    closest,
    joinProblems,
    legacyEnvReason,
    legacyNameReason,
    legacySecretReason,
    looksSecret,
    maintenancePathsProblem,
    parseCpu,
    parseMemory,
    projectIdProblem,
    resourceNameProblem,
    revisionOwnerProblem,
    sizingProblem,
    trafficTagProblem,
} from "../catalog";
import { CONFIG_SCHEMA, ConfigKey, ConfigKeySpec, PROJECT } from "./config-schema";
import { controlTemplate } from "./control-template";
import { executionToken } from "./naming";

export interface SecretRef {
    /** Env var the container reads. */
    env: string;
    /** Secret Manager secret name. */
    secret: string;
    version: string;
}

export interface EnvVar {
    name: string;
    value: string;
}

export interface ContainerSizing {
    cpu: string;
    memory: string;
}

export interface ServiceSettings extends ContainerSizing {
    name: string;
    imageTag: string;
    minInstances: number;
    maxInstances: number;
    concurrency: number;
    timeoutSeconds: number;
    startupCpuBoost: boolean;
    ingress: string;
    env: EnvVar[];
    secrets: SecretRef[];
}

export interface StackConfig {
    environment: Environment;
    project: string;
    region: string;
    deletionProtection: boolean;
    control: ServiceSettings & {
        authProviderMode: "workos" | "mock";
        stableRevision: string;
        canaryPercent: number;
        domain: string;
        maintenance: { enabled: boolean; allowedPaths: string[]; cookieName: string; cookieTtlSeconds: number; bypassTokenSecret: string };
        syncTokenSigningKeySecret: string;
    };
    runtime: ServiceSettings & { databaseUrlSecret: string; smokeInvoker: string };
    migrate: ContainerSizing & { name: string; timeoutSeconds: number; maxRetries: number; rerun: number };
    secretVersion: string;
}

export interface ConfigProblem {
    key: string;
    expected: string;
    got?: string;
}

/** A configuration error: a pulumi.RunError, so `pulumi up` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: ConfigProblem[]) {
        super(joinProblems(problems.map(formatProblem)));
        this.name = "ConfigError";
    }
}

/** Longest one problem may print: the key, the expected form and a cut excerpt of the value fit well within it. */
const MAX_PROBLEM_CHARS = 200;

/** One problem on one short line: key, expected form, escaped excerpt of the value. */
export function formatProblem(p: ConfigProblem): string {
    const got = p.got !== undefined ? `, got ${excerpt(p.got)}` : "";
    const expected = p.expected.length > MAX_PROBLEM_CHARS ? `${p.expected.slice(0, MAX_PROBLEM_CHARS)}...` : p.expected;
    return `${p.key}: expected ${expected.replace(/[\r\n]+/g, " ")}${got}`;
}

/** Raw values as the engine hands them over: strings, with arrays as JSON. */
export type RawConfigReader = (key: string) => string | undefined;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_VERSION = /^(latest|[1-9][0-9]*)$/;
const INGRESS = ["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"];
/** Env vars the program sets itself (maintenance mode included); config may not override them. */
const RESERVED_ENV = new Set([
    CONTROL.bindAddrEnv, "OA_CONTROL_STATIC_DIR", "OA_AUTH_PROVIDER_MODE", RUNTIME.bindAddrEnv,
    "RUNTIME_SERVICE_NAME", "RUNTIME_BUILD_SHA", "OA_SYNC_TOKEN_SIGNING_KEY", "DB_URL", "DATABASE_URL", "PORT",
    MAINTENANCE.enabledEnv, MAINTENANCE.allowedPathsEnv, MAINTENANCE.cookieNameEnv, MAINTENANCE.cookieTtlEnv, MAINTENANCE.bypassTokenEnv,
]);

/**
 * Parses and validates raw config; throws one ConfigError listing every problem. `givenKeys`
 * are the keys the stack sets in the project's namespace (bare names): one the schema does not
 * declare is read by nobody, so it is refused, with the declared key it is closest to.
 */
export function parseStackConfig(read: RawConfigReader, provider: { project?: string; region?: string }, givenKeys: readonly string[] = []): StackConfig {
    const problems: ConfigProblem[] = [];
    const problem = (key: string, expected: string, got?: string) => problems.push({ key: `${PROJECT}:${key}`, expected, got });
    for (const key of givenKeys) {
        if (key in CONFIG_SCHEMA) continue;
        const meant = closest(key, Object.keys(CONFIG_SCHEMA));
        problem(key, `a key Pulumi.yaml declares${meant ? ` (did you mean ${meant}?)` : ""}; nothing reads this one`);
    }

    const raw = (key: ConfigKey): string | undefined => {
        const v = read(key);
        return v === undefined || v === null ? undefined : v;
    };
    const specOf = (key: ConfigKey): ConfigKeySpec => CONFIG_SCHEMA[key];

    function str(key: ConfigKey, expected: string, ok: (v: string) => boolean = () => true): string {
        const v = raw(key);
        const spec = specOf(key);
        if (v === undefined) {
            if (spec.default !== undefined) return String(spec.default);
            problem(key, `${expected} (required)`);
            return "";
        }
        if (!ok(v)) problem(key, expected, v);
        return v;
    }
    /** A string checked by a catalog rule (empty allowed): the rule's reason goes into the message. */
    function checked(key: ConfigKey, expected: string, rule: (v: string) => string | undefined): string {
        const v = str(key, expected);
        const why = v === "" ? undefined : rule(v);
        if (why) problem(key, `${expected} (${why})`, v);
        return v;
    }
    function int(key: ConfigKey, min: number, max: number): number {
        const v = raw(key);
        const spec = specOf(key);
        if (v === undefined) {
            if (typeof spec.default === "number") return spec.default;
            problem(key, `an integer from ${min} to ${max} (required)`);
            return min;
        }
        const n = Number(v);
        if (!/^-?[0-9]+$/.test(v.trim()) || n < min || n > max) {
            problem(key, `an integer from ${min} to ${max}`, v);
            return min;
        }
        return n;
    }
    function bool(key: ConfigKey): boolean {
        const v = raw(key);
        const spec = specOf(key);
        if (v === undefined) {
            if (typeof spec.default === "boolean") return spec.default;
            problem(key, "true or false (required)");
            return false;
        }
        if (v !== "true" && v !== "false") problem(key, "true or false", v);
        return v === "true";
    }
    function list(key: ConfigKey): string[] {
        const v = raw(key);
        const spec = specOf(key);
        if (v === undefined) return Array.isArray(spec.default) ? [...spec.default] : [];
        try {
            const parsed: unknown = JSON.parse(v);
            if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed;
        } catch {
            // reported below
        }
        problem(key, "a list of strings", v);
        return [];
    }

    const environmentRaw = str("environment", "staging or prod", isEnvironment);
    const environment: Environment = isEnvironment(environmentRaw) ? environmentRaw : "staging";

    const imageTag = (key: ConfigKey) =>
        str(key, "an image tag such as a1b2c3d (not latest) or a digest sha256:<64 hex>", (v) =>
            isValidDigest(v) || (isValidTag(v) && v.toLowerCase() !== "latest"),
        );
    const resourceName = (key: ConfigKey, fallback: string): string => {
        const v = str(key, "a Cloud Run name", () => true) || fallback;
        const legacy = legacyNameReason(v);
        if (legacy) problem(key, `a canonical Rust lane name such as ${fallback}, not a legacy one (${legacy})`, v);
        else {
            const why = resourceNameProblem(v);
            if (why) problem(key, why, v);
        }
        return v;
    };
    const secretName = (key: ConfigKey): string => {
        const v = str(key, "a Secret Manager secret name", (s) => SECRET_NAME.test(s));
        const legacy = legacySecretReason(v);
        if (legacy) problem(key, `a secret of the Rust lanes, not a legacy one (${legacy})`, v);
        return v;
    };
    const secretVersion = str("secretVersion", "latest or a version number", (v) => SECRET_VERSION.test(v));

    const reservedEnvProblem = (name: string): string | undefined =>
        RESERVED_ENV.has(name.toUpperCase()) ? `no env the program sets itself (${name})` : envNameProblem(name);
    function plainEnv(key: ConfigKey): EnvVar[] {
        return list(key).flatMap((item) => {
            const eq = item.indexOf("=");
            const name = eq > 0 ? item.slice(0, eq) : "";
            const value = eq > 0 ? item.slice(eq + 1) : "";
            if (!ENV_NAME.test(name)) {
                problem(key, "items of the form NAME=value", item);
                return [];
            }
            if (looksSecret(name)) {
                problem(key, `no secret-looking name in plain env (move ${name} to the matching *SecretEnv key)`, name);
                return [];
            }
            const reserved = reservedEnvProblem(name);
            if (reserved) {
                problem(key, reserved, name);
                return [];
            }
            const legacy = legacyEnvReason(name, value);
            if (legacy) {
                problem(key, `no legacy Laravel/Elixir env (${legacy})`, name);
                return [];
            }
            return [{ name, value }];
        });
    }
    function secretEnv(key: ConfigKey): SecretRef[] {
        return list(key).flatMap((item) => {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_-]{1,255})(?::(latest|[1-9][0-9]*))?$/.exec(item);
            if (!m) {
                problem(key, "items of the form NAME=secret-name[:version]", item);
                return [];
            }
            const [, env, secret, version] = m;
            const legacy = legacySecretReason(secret) ?? legacyEnvReason(env);
            if (legacy) {
                problem(key, `no legacy Laravel/Elixir secret or env (${legacy})`, item);
                return [];
            }
            const reserved = reservedEnvProblem(env);
            if (reserved) {
                problem(key, reserved, item);
                return [];
            }
            return [{ env, secret, version: version ?? secretVersion }];
        });
    }
    const cpu = (key: ConfigKey) => str(key, 'a Cloud Run CPU limit: "1", "2", "4", "6", "8", or 80m to 999m', (v) => parseCpu(v) !== undefined);
    const memory = (key: ConfigKey) => str(key, 'a Cloud Run memory limit from "128Mi" to "32Gi"', (v) => parseMemory(v) !== undefined);
    /** Cloud Run's pairing rules, once both values parsed. */
    const sizing = (prefix: "control" | "runtime" | "migrate", c: string, m: string, concurrency?: number) => {
        const cpus = parseCpu(c);
        const mib = parseMemory(m);
        const why = cpus !== undefined && mib !== undefined ? sizingProblem(cpus, mib, concurrency) : undefined;
        if (why) problem(`${prefix}Cpu`, `a CPU limit that fits ${prefix}Memory${concurrency === undefined ? "" : ` and ${prefix}Concurrency`} (${why})`, c);
    };
    /**
     * Cloud Run's limits on one container's env (count, size, each name once), on what config
     * adds; a duplicate is reported against the key whose item repeats a name.
     */
    const envLimits = (prefix: "control" | "runtime", plain: EnvVar[], secrets: SecretRef[]) => {
        const seen = new Set<string>();
        const twice = (key: ConfigKey, name: string) => {
            if (seen.has(name)) problem(key, `each env name once across ${prefix}Env and ${prefix}SecretEnv (${name} is set twice)`, name);
            seen.add(name);
        };
        for (const e of plain) twice(`${prefix}Env`, e.name);
        for (const e of secrets) twice(`${prefix}SecretEnv`, e.env);
        const why = envSetProblem([...new Map([...plain.map((e) => [e.name, e] as const), ...secrets.map((e) => [e.env, { name: e.env }] as const)]).values()]);
        if (why) problem(`${prefix}Env`, `an env Cloud Run takes (${why})`);
    };
    const ingress = (key: ConfigKey) => str(key, INGRESS.join(", "), (v) => INGRESS.includes(v));

    const controlName = resourceName("controlServiceName", CONTROL.names[environment]);
    const runtimeName = resourceName("runtimeServiceName", RUNTIME.names[environment]);
    const migrateName = resourceName("migrateJobName", RUNTIME_MIGRATE.names[environment]);

    const canaryPercent = int("controlCanaryPercent", 0, 100);
    for (const tag of Object.values(CONTROL_TRAFFIC_TAGS)) {
        const why = trafficTagProblem(controlName, tag);
        if (why) {
            problem("controlServiceName", `a name that leaves room for the revision tags (${why})`, controlName);
            break;
        }
    }
    const stableRevision = str("controlStableRevision", `a revision of ${controlName} (${controlName}-...)`);
    if (stableRevision !== "" && legacyNameReason(stableRevision)) {
        problem("controlStableRevision", "a revision of the Rust control service, never a legacy revision", stableRevision);
    } else if (stableRevision !== "") {
        const why = revisionOwnerProblem(stableRevision, controlName);
        if (why) problem("controlStableRevision", `a revision of ${controlName} (${why})`, stableRevision);
    }
    if (stableRevision === "" && canaryPercent < 100) {
        problem("controlStableRevision", `the revision serving now, required while controlCanaryPercent is below 100 (ladder ${CANARY_LADDER.join(" -> ")})`);
    }

    const minOf = (k: ConfigKey) => int(k, 0, 1000);
    const control = {
        name: controlName,
        imageTag: imageTag("controlImageTag"),
        cpu: cpu("controlCpu"),
        memory: memory("controlMemory"),
        minInstances: minOf("controlMinInstances"),
        maxInstances: int("controlMaxInstances", 1, 1000),
        concurrency: int("controlConcurrency", 1, 1000),
        timeoutSeconds: int("controlTimeoutSeconds", 1, 3600),
        startupCpuBoost: bool("controlStartupCpuBoost"),
        ingress: ingress("controlIngress"),
        env: plainEnv("controlEnv"),
        secrets: secretEnv("controlSecretEnv"),
        authProviderMode: str("controlAuthProviderMode", "workos or mock", (v) => v === "workos" || v === "mock") as "workos" | "mock",
        stableRevision,
        canaryPercent,
        domain: checked("controlDomain", "a domain name such as staging.openagents.com, or empty", domainProblem),
        maintenance: {
            enabled: bool("controlMaintenanceEnabled"),
            allowedPaths: list("controlMaintenanceAllowedPaths"),
            cookieName: str("controlMaintenanceCookieName", "a cookie name", (v) => /^[A-Za-z0-9_-]+$/.test(v)),
            cookieTtlSeconds: int("controlMaintenanceCookieTtlSeconds", 60, 86400),
            bypassTokenSecret: secretName("controlMaintenanceBypassTokenSecret"),
        },
        syncTokenSigningKeySecret: secretName("controlSyncTokenSigningKeySecret"),
    };
    for (const p of control.maintenance.allowedPaths) {
        if (!p.startsWith("/") || p.includes(",")) problem("controlMaintenanceAllowedPaths", "absolute paths without commas", p);
    }
    const maintenanceWhy = maintenancePathsProblem(control.maintenance.enabled, control.maintenance.allowedPaths, CONTROL.health);
    if (maintenanceWhy) problem("controlMaintenanceAllowedPaths", `paths that keep the probes answering (${maintenanceWhy})`, JSON.stringify(control.maintenance.allowedPaths));
    const authWhy = authProviderProblem(environment, control.authProviderMode);
    if (authWhy && (control.authProviderMode as string) !== "") problem("controlAuthProviderMode", `workos in prod (${authWhy})`, control.authProviderMode);
    const runtime = {
        name: runtimeName,
        imageTag: imageTag("runtimeImageTag"),
        cpu: cpu("runtimeCpu"),
        memory: memory("runtimeMemory"),
        minInstances: minOf("runtimeMinInstances"),
        maxInstances: int("runtimeMaxInstances", 1, 1000),
        concurrency: int("runtimeConcurrency", 1, 1000),
        timeoutSeconds: int("runtimeTimeoutSeconds", 1, 3600),
        startupCpuBoost: bool("runtimeStartupCpuBoost"),
        ingress: ingress("runtimeIngress"),
        env: plainEnv("runtimeEnv"),
        secrets: secretEnv("runtimeSecretEnv"),
        databaseUrlSecret: secretName("runtimeDatabaseUrlSecret"),
        smokeInvoker: checked("runtimeSmokeInvoker", "an IAM member such as serviceAccount:gate@PROJECT.iam.gserviceaccount.com, or empty", iamMemberProblem),
    };
    sizing("control", control.cpu, control.memory, control.concurrency);
    sizing("runtime", runtime.cpu, runtime.memory, runtime.concurrency);
    envLimits("control", control.env, control.secrets);
    envLimits("runtime", runtime.env, runtime.secrets);
    for (const s of [control, runtime]) {
        if (s.minInstances > s.maxInstances) problem(s === control ? "controlMinInstances" : "runtimeMinInstances", "at most the matching *MaxInstances", String(s.minInstances));
    }
    const migrate = {
        name: migrateName,
        cpu: cpu("migrateCpu"),
        memory: memory("migrateMemory"),
        timeoutSeconds: int("migrateTimeoutSeconds", 1, 86400),
        maxRetries: int("migrateMaxRetries", 0, 10),
        rerun: int("migrateRerun", 0, 9999),
    };
    sizing("migrate", migrate.cpu, migrate.memory);
    const migrateMib = parseMemory(migrate.memory);
    const jobMemoryWhy = migrateMib !== undefined ? jobMemoryProblem(migrateMib) : undefined;
    if (jobMemoryWhy) problem("migrateMemory", `a job's memory (${jobMemoryWhy})`, migrate.memory);
    if (resourceNameProblem(migrateName) === undefined) {
        const token = executionToken(migrateName, imageFromTag(RUNTIME.imageRepository, runtime.imageTag), migrate.rerun);
        const why = executionNameProblem(migrateName, token);
        if (why) problem("migrateJobName", `a name that leaves room for the execution token (${why})`, migrateName);
    }
    const deletionProtection = bool("deletionProtection");

    const project = provider.project ?? "";
    if (!project) problems.push({ key: "gcp:project", expected: "the GCP project id (openagentsgemini) (required)" });
    else if (projectIdProblem(project)) problems.push({ key: "gcp:project", expected: `a GCP project id (${projectIdProblem(project)})`, got: project });
    const region = provider.region ?? "";
    if (!region) problems.push({ key: "gcp:region", expected: "the GCP region (us-central1) (required)" });

    if (problems.length === 0) {
        // The revision this deploy creates is known from the settings alone (see control-template.ts).
        const why = canarySplitProblem(stableRevision, controlTemplate(control, environment, secretVersion).revision, canaryPercent);
        if (why) problem("controlStableRevision", `the revision serving now, not this deploy's (${why})`, stableRevision);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { environment, project, region, deletionProtection, control, runtime, migrate, secretVersion };
}

/** Reads the stack's config through the Pulumi SDK and validates it. */
export function loadStackConfig(): StackConfig {
    const config = new pulumi.Config(PROJECT);
    const gcp = new pulumi.Config("gcp");
    const given = Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(`${PROJECT}:`))
        .map((k) => k.slice(PROJECT.length + 1));
    return parseStackConfig((key) => config.get(key), { project: gcp.get("project"), region: gcp.get("region") }, given);
}

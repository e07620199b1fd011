// The per-lane readers of the stack configuration: each builds one lane's settings from the
// parsed values and reports what is wrong with that lane's own keys. What spans keys of several
// lanes or several keys of one lane is a cross-key rule (config-rules.ts).

import {
    CONTROL,
    CONTROL_TRAFFIC_TAGS,
    GCP,
    type Environment,
    MAINTENANCE,
    RUNTIME,
    RUNTIME_MIGRATE,
    envNameProblem,
    jobMemoryProblem,
    legacyEnvReason,
    legacyNameReason,
    legacySecretReason,
    looksSecret,
    PROVIDER_SETTINGS_ALLOWED,
    parseMemory,
    projectIdProblem,
    providerSettingProblem,
    resourceNameProblem,
    trafficTagProblem,
} from "../catalog";
import type { ConfigValues } from "./config-schema";
import type { ProblemSink } from "./config-values";
import type { ConfigProblem, EnvVar, SecretRef, StackConfig } from "./stack-config";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Env vars the program sets itself (maintenance mode included); config may not override them. */
const RESERVED_ENV = new Set([
    CONTROL.bindAddrEnv,
    "OA_CONTROL_STATIC_DIR",
    "OA_AUTH_PROVIDER_MODE",
    RUNTIME.bindAddrEnv,
    "RUNTIME_SERVICE_NAME",
    "RUNTIME_BUILD_SHA",
    "OA_SYNC_TOKEN_SIGNING_KEY",
    "DB_URL",
    "DATABASE_URL",
    "PORT",
    MAINTENANCE.enabledEnv,
    MAINTENANCE.allowedPathsEnv,
    MAINTENANCE.cookieNameEnv,
    MAINTENANCE.cookieTtlEnv,
    MAINTENANCE.bypassTokenEnv,
]);

function resourceName(values: ConfigValues, key: "controlServiceName" | "runtimeServiceName" | "migrateJobName", fallback: string, problem: ProblemSink): string {
    const v = values[key] || fallback;
    const legacy = legacyNameReason(v);
    if (legacy) problem(key, `a canonical Rust lane name such as ${fallback}, not a legacy one (${legacy})`, v);
    else {
        const why = resourceNameProblem(v);
        if (why) problem(key, why, v);
    }
    return v;
}

function secretName(values: ConfigValues, key: "controlMaintenanceBypassTokenSecret" | "controlSyncTokenSigningKeySecret" | "runtimeDatabaseUrlSecret", problem: ProblemSink): string {
    const v = values[key];
    const legacy = legacySecretReason(v);
    if (legacy) problem(key, `a secret of the Rust lanes, not a legacy one (${legacy})`, v);
    return v;
}

const reservedEnvProblem = (name: string): string | undefined => (RESERVED_ENV.has(name.toUpperCase()) ? `no env the program sets itself (${name})` : envNameProblem(name));

function plainEnv(values: ConfigValues, key: "controlEnv" | "runtimeEnv", problem: ProblemSink): EnvVar[] {
    return values[key].flatMap((item) => {
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

function secretEnv(values: ConfigValues, key: "controlSecretEnv" | "runtimeSecretEnv", problem: ProblemSink): SecretRef[] {
    return values[key].flatMap((item) => {
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
        return [{ env, secret, version: version ?? values.secretVersion }];
    });
}

/** The control service: its name leaves room for the revision tags, its env and secrets, its maintenance paths. */
export function readControl(values: ConfigValues, environment: Environment, problem: ProblemSink): StackConfig["control"] {
    const name = resourceName(values, "controlServiceName", CONTROL.names[environment], problem);
    for (const tag of Object.values(CONTROL_TRAFFIC_TAGS)) {
        const why = trafficTagProblem(name, tag);
        if (why) {
            problem("controlServiceName", `a name that leaves room for the revision tags (${why})`, name);
            break;
        }
    }
    const control: StackConfig["control"] = {
        name,
        imageTag: values.controlImageTag,
        cpu: values.controlCpu,
        memory: values.controlMemory,
        minInstances: values.controlMinInstances,
        maxInstances: values.controlMaxInstances,
        concurrency: values.controlConcurrency,
        timeoutSeconds: values.controlTimeoutSeconds,
        startupCpuBoost: values.controlStartupCpuBoost,
        ingress: values.controlIngress,
        env: plainEnv(values, "controlEnv", problem),
        secrets: secretEnv(values, "controlSecretEnv", problem),
        authProviderMode: values.controlAuthProviderMode as "workos" | "mock",
        stableRevision: values.controlStableRevision,
        canaryPercent: values.controlCanaryPercent,
        domain: values.controlDomain,
        maintenance: {
            enabled: values.controlMaintenanceEnabled,
            allowedPaths: values.controlMaintenanceAllowedPaths,
            cookieName: values.controlMaintenanceCookieName,
            cookieTtlSeconds: values.controlMaintenanceCookieTtlSeconds,
            bypassTokenSecret: secretName(values, "controlMaintenanceBypassTokenSecret", problem),
        },
        syncTokenSigningKeySecret: secretName(values, "controlSyncTokenSigningKeySecret", problem),
    };
    for (const p of control.maintenance.allowedPaths) {
        if (!p.startsWith("/") || p.includes(",")) problem("controlMaintenanceAllowedPaths", "absolute paths without commas", p);
    }
    return control;
}

/** The runtime service: its name, env and secrets. */
export function readRuntime(values: ConfigValues, environment: Environment, problem: ProblemSink): StackConfig["runtime"] {
    return {
        name: resourceName(values, "runtimeServiceName", RUNTIME.names[environment], problem),
        imageTag: values.runtimeImageTag,
        cpu: values.runtimeCpu,
        memory: values.runtimeMemory,
        minInstances: values.runtimeMinInstances,
        maxInstances: values.runtimeMaxInstances,
        concurrency: values.runtimeConcurrency,
        timeoutSeconds: values.runtimeTimeoutSeconds,
        startupCpuBoost: values.runtimeStartupCpuBoost,
        ingress: values.runtimeIngress,
        env: plainEnv(values, "runtimeEnv", problem),
        secrets: secretEnv(values, "runtimeSecretEnv", problem),
        databaseUrlSecret: secretName(values, "runtimeDatabaseUrlSecret", problem),
        smokeInvoker: values.runtimeSmokeInvoker,
    };
}

/** The migrate job: its name and a memory a job may have. */
export function readMigrate(values: ConfigValues, environment: Environment, problem: ProblemSink): StackConfig["migrate"] {
    const migrate = {
        name: resourceName(values, "migrateJobName", RUNTIME_MIGRATE.names[environment], problem),
        cpu: values.migrateCpu,
        memory: values.migrateMemory,
        timeoutSeconds: values.migrateTimeoutSeconds,
        maxRetries: values.migrateMaxRetries,
        rerun: values.migrateRerun,
    };
    // Time to finish needs no refusal here: the program sets the job's wait from these two keys (migrateJobTimeouts).
    const mib = parseMemory(migrate.memory);
    const jobMemoryWhy = mib !== undefined ? jobMemoryProblem(mib) : undefined;
    if (jobMemoryWhy) problem("migrateMemory", `a job's memory (${jobMemoryWhy})`, migrate.memory);
    return migrate;
}

/** The provider's project and region (the gcp namespace). */
export function readProvider(provider: { project?: string; region?: string; settings?: Readonly<Record<string, string>> }, problems: ConfigProblem[]): { project: string; region: string } {
    for (const [name, value] of Object.entries(provider.settings ?? {})) {
        const why = providerSettingProblem(name, value);
        if (why) {
            const allowed = PROVIDER_SETTINGS_ALLOWED.map((k) => `gcp:${k}`);
            const expected = `no provider setting that changes where the deploy sends its requests or as whom (${why}): set only ${allowed.slice(0, -1).join(", ")} and ${allowed[allowed.length - 1]}`;
            problems.push({ key: `gcp:${name}`, expected });
        }
    }
    const project = provider.project ?? "";
    if (!project) problems.push({ key: "gcp:project", expected: `the GCP project id (${GCP.project}) (required)` });
    else if (projectIdProblem(project)) problems.push({ key: "gcp:project", expected: `a GCP project id (${projectIdProblem(project)})`, got: project });
    const region = provider.region ?? "";
    if (!region) problems.push({ key: "gcp:region", expected: `the GCP region (${GCP.region}) (required)` });
    return { project, region };
}

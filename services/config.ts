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
    controlEnvProblemsFor,
    domainOwnerProblem,
    envNameProblem,
    ingressProblem,
    envSetProblem,
    excerpt,
    executionNameProblem,
    imageFromTag,
    isEnvironment,
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
import { CONFIG_SCHEMA, ConfigKey, INGRESS, PROJECT } from "./config-schema";
import { RawConfigReader, readValues } from "./config-values";

export type { RawConfigReader };
export type { ContainerSizing, EnvVar, SecretRef, ServiceSettings, StackConfig } from "./stack-config";
import { controlTemplate } from "./control-template";
import type { EnvVar, SecretRef, StackConfig } from "./stack-config";
import { executionToken } from "./naming";

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


const INGRESS_ALL_FORM = "INGRESS_TRAFFIC_ALL";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
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

    const values = readValues(read, problem);

    const environment: Environment = isEnvironment(values.environment) ? values.environment : "staging";

    const resourceName = (key: "controlServiceName" | "runtimeServiceName" | "migrateJobName", fallback: string): string => {
        const v = values[key] || fallback;
        const legacy = legacyNameReason(v);
        if (legacy) problem(key, `a canonical Rust lane name such as ${fallback}, not a legacy one (${legacy})`, v);
        else {
            const why = resourceNameProblem(v);
            if (why) problem(key, why, v);
        }
        return v;
    };
    const secretName = (key: "controlMaintenanceBypassTokenSecret" | "controlSyncTokenSigningKeySecret" | "runtimeDatabaseUrlSecret"): string => {
        const v = values[key];
        const legacy = legacySecretReason(v);
        if (legacy) problem(key, `a secret of the Rust lanes, not a legacy one (${legacy})`, v);
        return v;
    };
    const secretVersion = values.secretVersion;

    const reservedEnvProblem = (name: string): string | undefined =>
        RESERVED_ENV.has(name.toUpperCase()) ? `no env the program sets itself (${name})` : envNameProblem(name);
    function plainEnv(key: "controlEnv" | "runtimeEnv"): EnvVar[] {
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
    function secretEnv(key: "controlSecretEnv" | "runtimeSecretEnv"): SecretRef[] {
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
            return [{ env, secret, version: version ?? secretVersion }];
        });
    }
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

    const controlName = resourceName("controlServiceName", CONTROL.names[environment]);
    const runtimeName = resourceName("runtimeServiceName", RUNTIME.names[environment]);
    const migrateName = resourceName("migrateJobName", RUNTIME_MIGRATE.names[environment]);

    const canaryPercent = values.controlCanaryPercent;
    for (const tag of Object.values(CONTROL_TRAFFIC_TAGS)) {
        const why = trafficTagProblem(controlName, tag);
        if (why) {
            problem("controlServiceName", `a name that leaves room for the revision tags (${why})`, controlName);
            break;
        }
    }
    const stableRevision = values.controlStableRevision;
    if (stableRevision !== "" && legacyNameReason(stableRevision)) {
        problem("controlStableRevision", "a revision of the Rust control service, never a legacy revision", stableRevision);
    } else if (stableRevision !== "") {
        const why = revisionOwnerProblem(stableRevision, controlName);
        if (why) problem("controlStableRevision", `a revision of ${controlName} (${why})`, stableRevision);
    }
    if (stableRevision === "" && canaryPercent < 100) {
        problem("controlStableRevision", `the revision serving now, required while controlCanaryPercent is below 100 (ladder ${CANARY_LADDER.join(" -> ")})`);
    }

    const control = {
        name: controlName,
        imageTag: values.controlImageTag,
        cpu: values.controlCpu,
        memory: values.controlMemory,
        minInstances: values.controlMinInstances,
        maxInstances: values.controlMaxInstances,
        concurrency: values.controlConcurrency,
        timeoutSeconds: values.controlTimeoutSeconds,
        startupCpuBoost: values.controlStartupCpuBoost,
        ingress: values.controlIngress,
        env: plainEnv("controlEnv"),
        secrets: secretEnv("controlSecretEnv"),
        authProviderMode: values.controlAuthProviderMode as "workos" | "mock",
        stableRevision,
        canaryPercent,
        domain: values.controlDomain,
        maintenance: {
            enabled: values.controlMaintenanceEnabled,
            allowedPaths: values.controlMaintenanceAllowedPaths,
            cookieName: values.controlMaintenanceCookieName,
            cookieTtlSeconds: values.controlMaintenanceCookieTtlSeconds,
            bypassTokenSecret: secretName("controlMaintenanceBypassTokenSecret"),
        },
        syncTokenSigningKeySecret: secretName("controlSyncTokenSigningKeySecret"),
    };
    for (const p of control.maintenance.allowedPaths) {
        if (!p.startsWith("/") || p.includes(",")) problem("controlMaintenanceAllowedPaths", "absolute paths without commas", p);
    }
    const maintenanceWhy = maintenancePathsProblem(control.maintenance.enabled, control.maintenance.allowedPaths, CONTROL.health);
    if (maintenanceWhy) problem("controlMaintenanceAllowedPaths", `paths that keep the probes answering (${maintenanceWhy})`, JSON.stringify(control.maintenance.allowedPaths));
    // What the control binary needs of its env (catalog/service-needs.ts), on the env it will really get.
    const needs = controlEnvProblemsFor(control.authProviderMode, control.env, control.secrets);
    if (needs.workos) problem("controlSecretEnv", `WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager (${needs.workos})`);
    if (needs.routeSplit) problem("controlEnv", `a route split that serves every page (${needs.routeSplit})`);
    const domainWhy = control.domain !== "" ? domainOwnerProblem(environment, control.domain) : undefined;
    if (domainWhy) problem("controlDomain", `a domain of the ${environment} environment (${domainWhy})`, control.domain);
    const authWhy = authProviderProblem(environment, control.authProviderMode);
    if (authWhy && (control.authProviderMode as string) !== "") problem("controlAuthProviderMode", `workos in prod (${authWhy})`, control.authProviderMode);
    const runtime = {
        name: runtimeName,
        imageTag: values.runtimeImageTag,
        cpu: values.runtimeCpu,
        memory: values.runtimeMemory,
        minInstances: values.runtimeMinInstances,
        maxInstances: values.runtimeMaxInstances,
        concurrency: values.runtimeConcurrency,
        timeoutSeconds: values.runtimeTimeoutSeconds,
        startupCpuBoost: values.runtimeStartupCpuBoost,
        ingress: values.runtimeIngress,
        env: plainEnv("runtimeEnv"),
        secrets: secretEnv("runtimeSecretEnv"),
        databaseUrlSecret: secretName("runtimeDatabaseUrlSecret"),
        smokeInvoker: values.runtimeSmokeInvoker,
    };
    sizing("control", control.cpu, control.memory, control.concurrency);
    sizing("runtime", runtime.cpu, runtime.memory, runtime.concurrency);
    envLimits("control", control.env, control.secrets);
    envLimits("runtime", runtime.env, runtime.secrets);
    for (const [key, lane, ingress] of [["controlIngress", CONTROL.id, control.ingress], ["runtimeIngress", RUNTIME.id, runtime.ingress]] as const) {
        const why = (INGRESS as readonly string[]).includes(ingress) ? ingressProblem(lane, ingress) : undefined;
        if (why) problem(key, `${INGRESS_ALL_FORM} (${why})`, ingress);
    }
    for (const s of [control, runtime]) {
        if (s.minInstances > s.maxInstances) problem(s === control ? "controlMinInstances" : "runtimeMinInstances", "at most the matching *MaxInstances", String(s.minInstances));
    }
    const migrate = {
        name: migrateName,
        cpu: values.migrateCpu,
        memory: values.migrateMemory,
        timeoutSeconds: values.migrateTimeoutSeconds,
        maxRetries: values.migrateMaxRetries,
        rerun: values.migrateRerun,
    };
    sizing("migrate", migrate.cpu, migrate.memory);
    // Time to finish needs no refusal here: the program sets the job's wait from these two keys (migrateJobTimeouts).
    const migrateMib = parseMemory(migrate.memory);
    const jobMemoryWhy = migrateMib !== undefined ? jobMemoryProblem(migrateMib) : undefined;
    if (jobMemoryWhy) problem("migrateMemory", `a job's memory (${jobMemoryWhy})`, migrate.memory);
    if (resourceNameProblem(migrateName) === undefined) {
        const token = executionToken(migrateName, imageFromTag(RUNTIME.imageRepository, runtime.imageTag), migrate.rerun);
        const why = executionNameProblem(migrateName, token);
        if (why) problem("migrateJobName", `a name that leaves room for the execution token (${why})`, migrateName);
    }
    const deletionProtection = values.deletionProtection;

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

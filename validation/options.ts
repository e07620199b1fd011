// Resolves the gate's options: flags beat env vars, env vars beat stack outputs, outputs beat
// the old gate's defaults. The env var names and defaults are the old gate's
// (scripts/release/validate-rust-cutover.sh), so an existing invocation keeps working.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTROL, type Environment, GCP, RUNTIME, RUNTIME_MIGRATE, isEnvironment } from "../catalog";
import { displayUrl, endpointProblem } from "./endpoints";
import { DEFAULT_CLOUD_LOGGING_API_URL, DEFAULT_CLOUD_RUN_API_URL } from "./gcp/client";
import { targetClashProblem } from "./targets";

/** A usage or configuration error: the CLI prints it and exits 2. */
export class UsageError extends Error {}

/** What `pulumi stack output --json` gives for one stack (all optional: older stacks lack some). */
export interface StackOutputs {
    environment?: string;
    project?: string;
    region?: string;
    controlServiceName?: string;
    controlServiceUrl?: string;
    controlBaseUrl?: string;
    controlImage?: string;
    controlRevision?: string;
    controlStableRevision?: string;
    controlCanaryPercent?: number;
    runtimeServiceName?: string;
    runtimeServiceUrl?: string;
    runtimeImage?: string;
    migrateJobName?: string;
    migrateJobImage?: string;
}

/** Where a value came from (shown in SUMMARY.md's Environment section). */
export type Source = "flag" | "env" | "outputs" | "default" | "unset";

/** The targets of one environment. Tokens are secrets: never print them. */
export interface EnvironmentTargets {
    environment: Environment;
    /** Control base URL (custom domain or run.app URL); "" = unset (a required skip). */
    controlBaseUrl: string;
    controlBaseUrlSource: Source;
    /** Runtime base URL; "" = unset (a required skip). */
    runtimeBaseUrl: string;
    runtimeBaseUrlSource: Source;
    /** Bearer token for the control service's authenticated routes (<ENV>_CONTROL_ACCESS_TOKEN). */
    controlAccessToken?: string;
    /** Maintenance bypass token (<ENV>_MAINTENANCE_BYPASS_TOKEN). */
    maintenanceBypassToken?: string;
    /** Explicit Google ID token for the private runtime (<ENV>_RUNTIME_ID_TOKEN or RUNTIME_ID_TOKEN). */
    runtimeIdToken?: string;
    /** The stack outputs of this environment, when read (--stack / --outputs). */
    outputs?: StackOutputs;
}

export interface GateOptions {
    outputDir: string;
    failOnRequiredFailure: boolean;
    /** Check ids to run (--only); undefined = all. */
    only?: string[];
    /** Gate one environment (--environment): the other environment's HTTP checks are not part of the run. */
    environment?: Environment;
    /** Checks run at once; 0 = all of them. */
    concurrency: number;
    requestTimeoutMs: number;
    /** Per-check deadline (wait-ready time is added on top for readiness waits). */
    checkTimeoutMs: number;
    /** Whole-run deadline. */
    overallTimeoutMs: number;
    /** Retry readiness with backoff up to this long (0: one try). */
    waitReadyMs: number;
    maxBodyBytes: number;
    /** Live lines on a terminal; plain lines otherwise (CI, --plain). */
    plain: boolean;
    staging: EnvironmentTargets;
    prod: EnvironmentTargets;

    // ---- Cloud Run / Logging / contract checks (part 2, issue 5) ----
    gcpProject: string;
    gcpRegion: string;
    /** CONTROL_SERVICE / RUNTIME_SERVICE / MIGRATE_JOB: the names the state checks inspect. */
    controlService: string;
    runtimeService: string;
    migrateJob: string;
    /** Which environment's outputs fed the names above (undefined: env/flags/defaults). */
    stateEnvironment?: Environment;
    runRuntimeDriftCheck: boolean;
    runKhalaContractTests: boolean;
    runCrossSurface: boolean;
    runLogProbes: boolean;
    /** A checkout of the OpenAgents repository (OPENAGENTS_REPO) for the contract tests. */
    openagentsRepo?: string;
    /** Base URLs of the Google APIs (overridable so tests point them at loopback stand-ins). */
    cloudRunApiUrl: string;
    cloudLoggingApiUrl: string;
    /** OAuth access token for the Google APIs (CLOUDSDK_AUTH_ACCESS_TOKEN); secret. */
    gcpAccessToken?: string;
    logWindowMinutes: number;
    /** Error entries tolerated in the window before a log probe fails. */
    logErrorThreshold: number;
    logLimit: number;
    /** Images the services/job must run (EXPECTED_CONTROL_IMAGE / EXPECTED_RUNTIME_IMAGE, else outputs). */
    expectedControlImage?: string;
    expectedRuntimeImage?: string;
    /** Percent of control traffic meant for the new revision (CONTROL_CANARY_PERCENT, else outputs). */
    intendedCanaryPercent?: number;
    controlRevision?: string;
    controlStableRevision?: string;
}

/** The env vars that hold secrets (listed in --help); never passed on to a child process. */
export const SECRET_ENV_VARS: readonly string[] = [
    "STAGING_CONTROL_ACCESS_TOKEN",
    "PROD_CONTROL_ACCESS_TOKEN",
    "STAGING_MAINTENANCE_BYPASS_TOKEN",
    "PROD_MAINTENANCE_BYPASS_TOKEN",
    "STAGING_RUNTIME_ID_TOKEN",
    "PROD_RUNTIME_ID_TOKEN",
    "RUNTIME_ID_TOKEN",
    "CLOUDSDK_AUTH_ACCESS_TOKEN",
];

/** Every secret value in the options, for the redactor. */
export function secretsOf(options: GateOptions): string[] {
    const out: string[] = [];
    for (const t of [options.staging, options.prod]) {
        for (const s of [t.controlAccessToken, t.maintenanceBypassToken, t.runtimeIdToken]) if (s) out.push(s);
    }
    if (options.gcpAccessToken) out.push(options.gcpAccessToken);
    return out;
}

// ---- flags ----

interface FlagSpec {
    name: string;
    /** Takes a value. */
    value?: string;
    repeat?: boolean;
    env?: string;
    help: string;
}

/** Every flag, in --help order. Env vars read without a flag are listed in ENV_HELP. */
export const FLAGS: readonly FlagSpec[] = [
    { name: "stack", value: "[ENV=]NAME", repeat: true, help: "read targets from `pulumi stack output --json --stack NAME` (needs the pulumi CLI on PATH)" },
    { name: "outputs", value: "ENV=FILE", repeat: true, help: "read targets from a saved `pulumi stack output --json` of environment ENV (staging|prod)" },
    { name: "only", value: "ID[,ID...]", repeat: true, help: "run only these checks (the others are not part of the run, so a subset can be GO)" },
    { name: "environment", value: "staging|prod", env: "GATE_ENVIRONMENT", help: "gate one environment: the other one's HTTP checks are not part of the run, and the state checks inspect this one's services (its outputs, else its canonical names)" },
    { name: "output-dir", value: "DIR", env: "OUTPUT_DIR", help: "where the evidence goes (default docs/reports/rust-cutover-validation/<UTC stamp>)" },
    { name: "staging-control-url", value: "URL", env: "STAGING_CONTROL_BASE_URL", help: "staging control base URL (default https://staging.openagents.com)" },
    { name: "prod-control-url", value: "URL", env: "PROD_CONTROL_BASE_URL", help: "production control base URL (default https://openagents.com)" },
    { name: "staging-runtime-url", value: "URL", env: "STAGING_RUNTIME_BASE_URL", help: "staging runtime base URL (unset: a required skip)" },
    { name: "prod-runtime-url", value: "URL", env: "PROD_RUNTIME_BASE_URL", help: "production runtime base URL (unset: a required skip)" },
    { name: "gcp-project", value: "ID", env: "GCP_PROJECT", help: `GCP project (default ${GCP.project})` },
    { name: "gcp-region", value: "REGION", env: "GCP_REGION", help: `GCP region (default ${GCP.region})` },
    { name: "control-service", value: "NAME", env: "CONTROL_SERVICE", help: `control service the state checks inspect (default ${CONTROL.names.prod}; with --environment, that environment's)` },
    { name: "runtime-service", value: "NAME", env: "RUNTIME_SERVICE", help: `runtime service the state checks inspect (default ${RUNTIME.names.prod}; with --environment, that environment's)` },
    { name: "migrate-job", value: "NAME", env: "MIGRATE_JOB", help: `migrate job the drift check inspects (default ${RUNTIME_MIGRATE.names.prod}; with --environment, that environment's)` },
    { name: "concurrency", value: "N", env: "GATE_CONCURRENCY", help: "checks run at once (default: all of them)" },
    { name: "request-timeout", value: "DURATION", env: "GATE_REQUEST_TIMEOUT", help: "timeout of one HTTP request (default 10s)" },
    { name: "check-timeout", value: "DURATION", env: "GATE_CHECK_TIMEOUT", help: "deadline of one check, plus --wait-ready (default 60s; above 0)" },
    { name: "timeout", value: "DURATION", env: "GATE_TIMEOUT", help: "deadline of the whole run (default 10m; above 0)" },
    { name: "wait-ready", value: "DURATION", env: "GATE_WAIT_READY", help: "retry /readyz with backoff up to this long (default 0: one try)" },
    { name: "max-body", value: "BYTES", env: "GATE_MAX_BODY_BYTES", help: "cap on a response body (default 2097152)" },
    { name: "fail-on-required-failure", value: "0|1", env: "FAIL_ON_REQUIRED_FAILURE", help: "1 (default): exit 1 on NO-GO; 0: exit 0 (pre-cutover baseline only)" },
    { name: "openagents-repo", value: "DIR", env: "OPENAGENTS_REPO", help: "checkout of the OpenAgents repository for the contract tests" },
    { name: "plain", help: "plain lines instead of live lines, even on a terminal (also when CI is set)" },
    { name: "help", help: "show this help" },
];

/** Env vars with no flag (secrets stay out of flags so they never show in a process list). */
export const ENV_HELP: ReadonlyArray<[string, string]> = [
    ["STAGING_CONTROL_ACCESS_TOKEN, PROD_CONTROL_ACCESS_TOKEN", "bearer token for the control service's authenticated routes (secret)"],
    ["STAGING_MAINTENANCE_BYPASS_TOKEN, PROD_MAINTENANCE_BYPASS_TOKEN", "maintenance bypass token: the smoke gets the bypass cookie first (secret)"],
    ["STAGING_RUNTIME_ID_TOKEN, PROD_RUNTIME_ID_TOKEN, RUNTIME_ID_TOKEN", "Google ID token for the private runtime; when unset, one is minted from ambient credentials only when needed (secret)"],
    ["CLOUDSDK_AUTH_ACCESS_TOKEN", "OAuth access token for the Cloud Run and Logging APIs (secret)"],
    ["RUN_RUNTIME_DRIFT_CHECK, RUN_KHALA_CONTRACT_TESTS, RUN_LOG_PROBES", "1 (default) or 0: 0 makes that required check a skip (NO-GO)"],
    ["RUN_CROSS_SURFACE", "0 (default) or 1: run the optional cross-surface harness"],
    ["CLOUD_RUN_API_URL, CLOUD_LOGGING_API_URL", `API base URLs (default ${DEFAULT_CLOUD_RUN_API_URL}, ${DEFAULT_CLOUD_LOGGING_API_URL})`],
    ["LOG_WINDOW_MINUTES, LOG_ERROR_THRESHOLD, LOG_LIMIT", "log probe window (10), errors tolerated (0), entries read (50)"],
    ["EXPECTED_CONTROL_IMAGE, EXPECTED_RUNTIME_IMAGE", "image the control service's new revision (control-canary-status) and the runtime and migrate job (runtime-migration-drift) must run (default: the controlImage / runtimeImage outputs)"],
    ["CONTROL_CANARY_PERCENT", "percent of control traffic meant for the new revision (default: stack outputs); without a controlRevision output, the latest ready revision's share is judged against it"],
    ["METADATA_SERVER_DETECTION=none", "never probe the GCE metadata server (set off Google Cloud and in CI)"],
    ["GITHUB_STEP_SUMMARY", "when set, SUMMARY.md is appended to it"],
    ["CI", "when set, plain lines"],
];

export interface ParsedArgs {
    values: Map<string, string[]>;
    help: boolean;
    plain: boolean;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
    const values = new Map<string, string[]>();
    let help = false;
    let plain = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) throw new UsageError(`unexpected argument '${arg}' (see --help)`);
        const eq = arg.indexOf("=");
        const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
        const spec = FLAGS.find((f) => f.name === name);
        if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
        if (!spec.value) {
            if (eq > 0) throw new UsageError(`--${name} takes no value`);
            if (name === "help") help = true;
            if (name === "plain") plain = true;
            continue;
        }
        let value: string | undefined;
        if (eq > 0) value = arg.slice(eq + 1);
        else {
            value = argv[i + 1];
            i++;
        }
        if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value ${spec.value}`);
        const list = values.get(name) ?? [];
        if (list.length > 0 && !spec.repeat) throw new UsageError(`--${name} given twice`);
        list.push(value);
        values.set(name, list);
    }
    return { values, help, plain };
}

// ---- values ----

/** The longest delay a Node timer holds (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Parses "500ms", "10s", "2m", "1h" or a bare number of seconds into ms (at most MAX_TIMER_MS). */
export function parseDuration(text: string, what: string): number {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (!m) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a duration (e.g. 500ms, 30s, 5m)`);
    const n = Number(m[1]);
    const unit = m[2] ?? "s";
    const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
    const ms = Math.round(n * factor);
    if (!Number.isFinite(ms) || ms > MAX_TIMER_MS) throw new UsageError(`${what}: '${text.slice(0, 40)}' is longer than a timer can hold (at most 596h, about 24.8 days)`);
    return ms;
}

function parseFlag01(text: string, what: string): boolean {
    const t = text.trim().toLowerCase();
    if (t === "1" || t === "true" || t === "yes") return true;
    if (t === "0" || t === "false" || t === "no") return false;
    throw new UsageError(`${what}: '${text}' is not 0 or 1`);
}

function parsePositiveInt(text: string, what: string): number {
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${what}: '${text}' is not a positive integer`);
    return Number(text);
}

function parsePercent(text: string, what: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`${what}: '${text}' is not a percent 0-100`);
    return n;
}

export function utcStamp(date: Date): string {
    return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

// ---- stack outputs ----

export type PulumiRunner = (stack: string) => string;

/** Runs the Pulumi CLI; a config error when it is not on PATH or fails. */
export function runPulumiStackOutput(stack: string, env: NodeJS.ProcessEnv = process.env): string {
    if (!onPath("pulumi", env)) {
        throw new UsageError(`--stack ${stack}: the pulumi CLI is not on PATH; save the outputs with \`pulumi stack output --json\` and pass --outputs ENV=FILE`);
    }
    try {
        return execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            env,
            timeout: 60_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new UsageError(`--stack ${stack}: \`pulumi stack output --json\` failed: ${stderr.trim().split("\n").pop() ?? String(error)}`);
    }
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        try {
            fs.accessSync(path.join(dir, command), fs.constants.X_OK);
            return true;
        } catch {
            // not here
        }
    }
    return false;
}

export function parseStackOutputs(json: string, source: string): StackOutputs {
    let data: unknown;
    try {
        data = JSON.parse(json);
    } catch {
        throw new UsageError(`${source}: not JSON (expected \`pulumi stack output --json\`)`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`${source}: expected a JSON object of stack outputs`);
    const o = data as Record<string, unknown>;
    const out: StackOutputs = {};
    const strings = [
        "environment", "project", "region", "controlServiceName", "controlServiceUrl", "controlBaseUrl", "controlImage",
        "controlRevision", "controlStableRevision", "runtimeServiceName", "runtimeServiceUrl", "runtimeImage",
        "migrateJobName", "migrateJobImage",
    ] as const;
    for (const key of strings) {
        const v = o[key];
        if (v === undefined || v === null) continue;
        if (typeof v !== "string") throw new UsageError(`${source}: output ${key} should be a string`);
        out[key] = v;
    }
    const pct = o.controlCanaryPercent;
    if (pct !== undefined && pct !== null) {
        const n = typeof pct === "string" ? Number(pct) : pct;
        if (typeof n !== "number" || !Number.isFinite(n)) throw new UsageError(`${source}: output controlCanaryPercent should be a number`);
        out.controlCanaryPercent = n;
    }
    return out;
}

function splitEnvPrefix(value: string, flag: string): { env?: Environment; rest: string } {
    const eq = value.indexOf("=");
    if (eq < 0) return { rest: value };
    const env = value.slice(0, eq);
    if (!isEnvironment(env)) throw new UsageError(`--${flag} ${value}: '${env}' is not an environment (staging|prod)`);
    return { env, rest: value.slice(eq + 1) };
}

/** The outputs named by --outputs ENV=FILE and --stack [ENV=]NAME values, by environment (the canary analysis reads them too). */
export function loadOutputs(args: Pick<ParsedArgs, "values">, pulumi: PulumiRunner): Partial<Record<Environment, StackOutputs>> {
    const result: Partial<Record<Environment, StackOutputs>> = {};
    const put = (environment: Environment, outputs: StackOutputs, source: string): void => {
        if (outputs.environment !== undefined && outputs.environment !== environment) {
            throw new UsageError(`${source}: its environment output is '${outputs.environment}', not '${environment}'`);
        }
        if (result[environment]) throw new UsageError(`${source}: outputs of ${environment} given twice`);
        result[environment] = outputs;
    };
    for (const value of args.values.get("outputs") ?? []) {
        const { env: environment, rest } = splitEnvPrefix(value, "outputs");
        if (!environment || rest === "") throw new UsageError(`--outputs ${value}: expected ENV=FILE`);
        let text: string;
        try {
            text = fs.readFileSync(rest, "utf8");
        } catch (error) {
            throw new UsageError(`--outputs ${value}: cannot read ${rest}: ${(error as Error).message}`);
        }
        put(environment, parseStackOutputs(text, `--outputs ${value}`), `--outputs ${value}`);
    }
    for (const value of args.values.get("stack") ?? []) {
        const { env: named, rest } = splitEnvPrefix(value, "stack");
        if (rest === "") throw new UsageError(`--stack ${value}: expected a stack name`);
        const outputs = parseStackOutputs(pulumi(rest), `--stack ${rest}`);
        const environment = named ?? (isEnvironment(outputs.environment) ? outputs.environment : undefined);
        if (!environment) throw new UsageError(`--stack ${rest}: its outputs name no environment; use --stack staging=${rest} or prod=${rest}`);
        put(environment, outputs, `--stack ${rest}`);
    }
    return result;
}

// ---- resolution ----

export interface ResolveContext {
    env?: NodeJS.ProcessEnv;
    now?: Date;
    pulumi?: PulumiRunner;
    isTTY?: boolean;
}

export function resolveOptions(argv: readonly string[], context: ResolveContext = {}): GateOptions {
    const env = context.env ?? process.env;
    const args = parseArgs(argv);
    const outputs = loadOutputs(args, context.pulumi ?? ((stack) => runPulumiStackOutput(stack, env)));
    const flag = (name: string): string | undefined => args.values.get(name)?.[0];
    const envValue = (name: string): string | undefined => {
        const v = env[name];
        return v === undefined || v === "" ? undefined : v;
    };
    /** flag > env > outputs > default, with where it came from. */
    const pick = (flagName: string | undefined, envName: string | undefined, output: string | undefined, fallback: string): [string, Source] => {
        const f = flagName ? flag(flagName) : undefined;
        if (f !== undefined) return [f, "flag"];
        // The old gate treated an empty env var as "use the default"; except the runtime URLs, where empty means unset.
        const e = envName ? envValue(envName) : undefined;
        if (e !== undefined) return [e, "env"];
        if (output !== undefined && output !== "") return [output, "outputs"];
        return [fallback, fallback === "" ? "unset" : "default"];
    };
    const num = (flagName: string, envName: string, fallback: number, parse: (t: string, what: string) => number): number => {
        const f = flag(flagName);
        if (f !== undefined) return parse(f, `--${flagName}`);
        const e = envValue(envName);
        if (e !== undefined) return parse(e, envName);
        return fallback;
    };

    const targets = (environment: Environment): EnvironmentTargets => {
        const o = outputs[environment];
        const upper = environment.toUpperCase();
        const [controlBaseUrl, controlBaseUrlSource] = pick(
            `${environment}-control-url`,
            `${upper}_CONTROL_BASE_URL`,
            o?.controlBaseUrl ?? o?.controlServiceUrl,
            environment === "prod" ? "https://openagents.com" : "https://staging.openagents.com",
        );
        const [runtimeBaseUrl, runtimeBaseUrlSource] = pick(`${environment}-runtime-url`, `${upper}_RUNTIME_BASE_URL`, o?.runtimeServiceUrl, "");
        for (const [what, url] of [[`${environment} control URL`, controlBaseUrl], [`${environment} runtime URL`, runtimeBaseUrl]] as const) {
            if (url !== "") checkEndpoint(url, what);
        }
        return {
            environment,
            controlBaseUrl: stripSlash(controlBaseUrl),
            controlBaseUrlSource,
            runtimeBaseUrl: stripSlash(runtimeBaseUrl),
            runtimeBaseUrlSource,
            controlAccessToken: envValue(`${upper}_CONTROL_ACCESS_TOKEN`),
            maintenanceBypassToken: envValue(`${upper}_MAINTENANCE_BYPASS_TOKEN`),
            runtimeIdToken: envValue(`${upper}_RUNTIME_ID_TOKEN`) ?? envValue("RUNTIME_ID_TOKEN"),
            outputs: o,
        };
    };

    const [environmentText] = pick("environment", "GATE_ENVIRONMENT", undefined, "");
    if (environmentText !== "" && !isEnvironment(environmentText)) throw new UsageError(`--environment: expected staging or prod, got '${environmentText}'`);
    const environment = isEnvironment(environmentText) ? environmentText : undefined;

    // The state checks inspect one environment: the gated one, else prod's outputs when given, else staging's.
    const stateEnvironment: Environment | undefined = environment ?? (outputs.prod ? "prod" : outputs.staging ? "staging" : undefined);
    const so = stateEnvironment ? outputs[stateEnvironment] : undefined;
    // Without outputs, the old gate's defaults were production's names; a gated environment has its own.
    const namesOf = stateEnvironment ?? "prod";

    const only = args.values.get("only")?.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
    if (args.values.has("only") && (!only || only.length === 0)) throw new UsageError("--only needs at least one check id");

    const waitReadyMs = num("wait-ready", "GATE_WAIT_READY", 0, parseDuration);
    const requestTimeoutMs = num("request-timeout", "GATE_REQUEST_TIMEOUT", 10_000, parseDuration);
    if (requestTimeoutMs <= 0) throw new UsageError("--request-timeout must be above 0");
    // A zero deadline would fail every check at once (or the whole run) before it starts.
    const checkTimeoutMs = num("check-timeout", "GATE_CHECK_TIMEOUT", 60_000, parseDuration);
    if (checkTimeoutMs <= 0) throw new UsageError("--check-timeout must be above 0");
    const overallTimeoutMs = num("timeout", "GATE_TIMEOUT", 600_000, parseDuration);
    if (overallTimeoutMs <= 0) throw new UsageError("--timeout must be above 0");
    if (checkTimeoutMs + waitReadyMs > MAX_TIMER_MS) throw new UsageError("--check-timeout plus --wait-ready is longer than a timer can hold (at most 596h together)");
    const [outputDir] = pick("output-dir", "OUTPUT_DIR", undefined, path.join("docs", "reports", "rust-cutover-validation", utcStamp(context.now ?? new Date())));
    const failFlag = flag("fail-on-required-failure") ?? envValue("FAIL_ON_REQUIRED_FAILURE");
    const toggle = (name: string, fallback: boolean): boolean => {
        const v = envValue(name);
        return v === undefined ? fallback : parseFlag01(v, name);
    };
    const pctText = envValue("CONTROL_CANARY_PERCENT");
    const staging = targets("staging");
    const prod = targets("prod");
    const clash = targetClashProblem([staging, prod], environment ? [environment] : ["staging", "prod"]);
    if (clash) throw new UsageError(clash);
    const cloudRunApiUrl = stripSlash(envValue("CLOUD_RUN_API_URL") ?? DEFAULT_CLOUD_RUN_API_URL);
    const cloudLoggingApiUrl = stripSlash(envValue("CLOUD_LOGGING_API_URL") ?? DEFAULT_CLOUD_LOGGING_API_URL);
    checkEndpoint(cloudRunApiUrl, "CLOUD_RUN_API_URL");
    checkEndpoint(cloudLoggingApiUrl, "CLOUD_LOGGING_API_URL");

    return {
        outputDir,
        failOnRequiredFailure: failFlag === undefined ? true : parseFlag01(failFlag, "FAIL_ON_REQUIRED_FAILURE"),
        only,
        environment,
        concurrency: num("concurrency", "GATE_CONCURRENCY", 0, parsePositiveInt),
        requestTimeoutMs,
        checkTimeoutMs,
        overallTimeoutMs,
        waitReadyMs,
        maxBodyBytes: num("max-body", "GATE_MAX_BODY_BYTES", 2 * 1024 * 1024, parsePositiveInt),
        plain: args.plain || !(context.isTTY ?? process.stdout.isTTY === true) || envValue("CI") !== undefined,
        staging,
        prod,
        gcpProject: pick("gcp-project", "GCP_PROJECT", so?.project, GCP.project)[0],
        gcpRegion: pick("gcp-region", "GCP_REGION", so?.region, GCP.region)[0],
        controlService: pick("control-service", "CONTROL_SERVICE", so?.controlServiceName, CONTROL.names[namesOf])[0],
        runtimeService: pick("runtime-service", "RUNTIME_SERVICE", so?.runtimeServiceName, RUNTIME.names[namesOf])[0],
        migrateJob: pick("migrate-job", "MIGRATE_JOB", so?.migrateJobName, RUNTIME_MIGRATE.names[namesOf])[0],
        stateEnvironment,
        runRuntimeDriftCheck: toggle("RUN_RUNTIME_DRIFT_CHECK", true),
        runKhalaContractTests: toggle("RUN_KHALA_CONTRACT_TESTS", true),
        runCrossSurface: toggle("RUN_CROSS_SURFACE", false),
        runLogProbes: toggle("RUN_LOG_PROBES", true),
        openagentsRepo: pick("openagents-repo", "OPENAGENTS_REPO", undefined, "")[0] || undefined,
        cloudRunApiUrl,
        cloudLoggingApiUrl,
        gcpAccessToken: envValue("CLOUDSDK_AUTH_ACCESS_TOKEN"),
        logWindowMinutes: envValue("LOG_WINDOW_MINUTES") ? parsePositiveInt(envValue("LOG_WINDOW_MINUTES")!, "LOG_WINDOW_MINUTES") : 10,
        logErrorThreshold: envValue("LOG_ERROR_THRESHOLD") ? parseNonNegativeInt(envValue("LOG_ERROR_THRESHOLD")!, "LOG_ERROR_THRESHOLD") : 0,
        logLimit: envValue("LOG_LIMIT") ? parsePositiveInt(envValue("LOG_LIMIT")!, "LOG_LIMIT") : 50,
        expectedControlImage: envValue("EXPECTED_CONTROL_IMAGE") ?? so?.controlImage,
        expectedRuntimeImage: envValue("EXPECTED_RUNTIME_IMAGE") ?? so?.runtimeImage,
        intendedCanaryPercent: pctText !== undefined ? parsePercent(pctText, "CONTROL_CANARY_PERCENT") : so?.controlCanaryPercent,
        controlRevision: so?.controlRevision || undefined,
        controlStableRevision: so?.controlStableRevision || undefined,
    };
}

function parseNonNegativeInt(text: string, what: string): number {
    if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what}: '${text}' is not a whole number`);
    return Number(text);
}

/** A target or API URL the gate may send credentials to (see endpoints.ts), else a usage error. */
export function checkEndpoint(url: string, what: string): void {
    const problem = endpointProblem(url);
    if (problem) throw new UsageError(`${what}: ${displayUrl(url)} ${problem}`);
}

function stripSlash(url: string): string {
    return url.replace(/\/+$/, "");
}

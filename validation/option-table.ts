// The gate's options, one row each: flag, env var, default, parser, help, secret or not. The
// argv parser (argv.ts), --help (cli.ts), the secret env vars, the resolution (resolve-options.ts)
// and docs/gate.md are all read from this table. The env var names and defaults are the old
// gate's (scripts/release/validate-rust-cutover.sh), so an existing invocation keeps working.

import { CONTROL, GCP, RUNTIME, RUNTIME_MIGRATE } from "../catalog";
import { DEFAULT_CLOUD_LOGGING_API_URL, DEFAULT_CLOUD_RUN_API_URL } from "../io/gcp/client";
import { DEFAULT_MAX_BODY_BYTES } from "../io/http";
import { type OptionRow, type OptionTable, type OptionValues, defaultText as rowDefaultText, option, secretEnvVars } from "../io/options";
import { parseDuration, parseEnvironment, parseFlag01, parseNonNegativeInt, parsePercent, parsePositiveInt, parseText } from "../io/option-values";

/** The mock provider's code when OA_AUTH_MOCK_MAGIC_CODE is unset (config.rs:12). */
export const DEFAULT_MOCK_MAGIC_CODE = "123456";
/** Error log entries read per query when --log-limit is not given. */
export const DEFAULT_LOG_LIMIT = 50;

/** One row of the gate's table (io/options.ts says what each field means). */
export type GateOption<T = unknown> = OptionRow<T>;

const names = (what: string, lane: { names: { prod: string } }): string => `${lane.names.prod}; with --environment or outputs, that environment's ${what}`;

/** Every option, in --help order (flags first, then the env-only ones). */
export const OPTIONS = {
    stack: option<string>({ flag: "stack", value: "[ENV=]NAME", repeat: true, help: "read targets from `pulumi stack output --json --stack NAME` (needs the pulumi CLI on PATH)" }),
    outputs: option<string>({ flag: "outputs", value: "ENV=FILE", repeat: true, help: "read targets from a saved `pulumi stack output --json` of environment ENV (staging|prod)" }),
    only: option<string>({ flag: "only", value: "ID[,ID...]", repeat: true, help: "run only these checks (the others are not part of the run, so a subset can be GO)" }),
    environment: option({
        flag: "environment",
        env: ["GATE_ENVIRONMENT"],
        value: "staging|prod",
        parse: parseEnvironment,
        defaultText: "both",
        help: "gate one environment: the other one's HTTP checks are not part of the run, and the state checks inspect this one's services (its outputs, else its canonical names)",
    }),
    outputDir: option({ flag: "output-dir", env: ["OUTPUT_DIR"], value: "DIR", parse: parseText, defaultText: "docs/reports/rust-cutover-validation/<UTC stamp>", help: "where the evidence goes" }),
    stagingControlUrl: option({
        flag: "staging-control-url",
        env: ["STAGING_CONTROL_BASE_URL"],
        value: "URL",
        parse: parseText,
        default: "https://staging.openagents.com",
        help: "staging control base URL (else the controlBaseUrl output)",
    }),
    prodControlUrl: option({
        flag: "prod-control-url",
        env: ["PROD_CONTROL_BASE_URL"],
        value: "URL",
        parse: parseText,
        default: "https://openagents.com",
        help: "production control base URL (else the controlBaseUrl output)",
    }),
    stagingRuntimeUrl: option({
        flag: "staging-runtime-url",
        env: ["STAGING_RUNTIME_BASE_URL"],
        value: "URL",
        parse: parseText,
        defaultText: "none: a required skip",
        help: "staging runtime base URL (else the runtimeServiceUrl output)",
    }),
    prodRuntimeUrl: option({
        flag: "prod-runtime-url",
        env: ["PROD_RUNTIME_BASE_URL"],
        value: "URL",
        parse: parseText,
        defaultText: "none: a required skip",
        help: "production runtime base URL (else the runtimeServiceUrl output)",
    }),
    gcpProject: option({ flag: "gcp-project", env: ["GCP_PROJECT"], value: "ID", parse: parseText, default: GCP.project, help: "GCP project (else the project output)" }),
    gcpRegion: option({ flag: "gcp-region", env: ["GCP_REGION"], value: "REGION", parse: parseText, default: GCP.region, help: "GCP region (else the region output)" }),
    controlService: option({
        flag: "control-service",
        env: ["CONTROL_SERVICE"],
        value: "NAME",
        parse: parseText,
        defaultText: names("control service", CONTROL),
        help: "control service the state checks inspect",
    }),
    runtimeService: option({
        flag: "runtime-service",
        env: ["RUNTIME_SERVICE"],
        value: "NAME",
        parse: parseText,
        defaultText: names("runtime service", RUNTIME),
        help: "runtime service the state checks inspect",
    }),
    migrateJob: option({
        flag: "migrate-job",
        env: ["MIGRATE_JOB"],
        value: "NAME",
        parse: parseText,
        defaultText: names("migrate job", RUNTIME_MIGRATE),
        help: "migrate job the drift check inspects",
    }),
    concurrency: option({ flag: "concurrency", env: ["GATE_CONCURRENCY"], value: "N", parse: parsePositiveInt, default: 0, defaultText: "all of them", help: "checks run at once" }),
    requestTimeoutMs: option({ flag: "request-timeout", env: ["GATE_REQUEST_TIMEOUT"], value: "DURATION", parse: parseDuration, default: 10_000, help: "timeout of one HTTP request (above 0)" }),
    checkTimeoutMs: option({
        flag: "check-timeout",
        env: ["GATE_CHECK_TIMEOUT"],
        value: "DURATION",
        parse: parseDuration,
        default: 60_000,
        help: "deadline of one check, plus --wait-ready (above 0)",
    }),
    overallTimeoutMs: option({ flag: "timeout", env: ["GATE_TIMEOUT"], value: "DURATION", parse: parseDuration, default: 600_000, help: "deadline of the whole run (above 0)" }),
    waitReadyMs: option({
        flag: "wait-ready",
        env: ["GATE_WAIT_READY"],
        value: "DURATION",
        parse: parseDuration,
        default: 0,
        defaultText: "0: one try",
        help: "retry /readyz with backoff up to this long",
    }),
    maxBodyBytes: option({ flag: "max-body", env: ["GATE_MAX_BODY_BYTES"], value: "BYTES", parse: parsePositiveInt, default: DEFAULT_MAX_BODY_BYTES, help: "cap on a response body" }),
    failOnRequiredFailure: option({
        flag: "fail-on-required-failure",
        env: ["FAIL_ON_REQUIRED_FAILURE"],
        value: "0|1",
        parse: parseFlag01,
        default: true,
        help: "1: exit 1 on NO-GO; 0: exit 0 (pre-cutover baseline only)",
    }),
    openagentsRepo: option({ flag: "openagents-repo", env: ["OPENAGENTS_REPO"], value: "DIR", parse: parseText, help: "checkout of the OpenAgents repository for the contract tests" }),
    allowInsecureTls: option<boolean>({ flag: "allow-insecure-tls", help: "run although the environment turns TLS verification off (NODE_TLS_REJECT_UNAUTHORIZED=0); refused without it" }),
    plain: option<boolean>({ flag: "plain", help: "plain lines instead of live lines, even on a terminal (also when CI is set)" }),
    help: option<boolean>({ flag: "help", help: "show this help" }),

    controlAccessToken: option({
        env: ["STAGING_CONTROL_ACCESS_TOKEN", "PROD_CONTROL_ACCESS_TOKEN"],
        parse: parseText,
        secret: true,
        help: "bearer token for the control service's authenticated routes, used only where the gate opens no session of its own; sessions live in each instance's memory, so one minted before the deploy gets a 401 (a warning)",
    }),
    maintenanceBypassToken: option({
        env: ["STAGING_MAINTENANCE_BYPASS_TOKEN", "PROD_MAINTENANCE_BYPASS_TOKEN"],
        parse: parseText,
        secret: true,
        help: "maintenance bypass token: the smoke gets the bypass cookie first",
    }),
    runtimeIdToken: option({
        env: ["STAGING_RUNTIME_ID_TOKEN", "PROD_RUNTIME_ID_TOKEN", "RUNTIME_ID_TOKEN"],
        parse: parseText,
        secret: true,
        help: "Google ID token for the private runtime (the environment's, else RUNTIME_ID_TOKEN); when unset, one is minted from ambient credentials only when needed",
    }),
    mockMagicCode: option({
        env: ["OA_AUTH_MOCK_MAGIC_CODE"],
        parse: parseText,
        secret: true,
        default: DEFAULT_MOCK_MAGIC_CODE,
        defaultText: "the service's default",
        help: "the mock provider's code: in staging with the mock provider, the smoke signs in on the new revision with it",
    }),
    gcpAccessToken: option({ env: ["CLOUDSDK_AUTH_ACCESS_TOKEN"], parse: parseText, secret: true, help: "OAuth access token for the Cloud Run and Logging APIs" }),
    runRuntimeDriftCheck: option({ env: ["RUN_RUNTIME_DRIFT_CHECK"], value: "0|1", parse: parseFlag01, default: true, help: "0 makes the required runtime-migration-drift check a skip (NO-GO)" }),
    runKhalaContractTests: option({ env: ["RUN_KHALA_CONTRACT_TESTS"], value: "0|1", parse: parseFlag01, default: true, help: "0 makes the required khala-contract-tests check a skip (NO-GO)" }),
    runLogProbes: option({ env: ["RUN_LOG_PROBES"], value: "0|1", parse: parseFlag01, default: true, help: "0 makes the required log probes skips (NO-GO)" }),
    runCrossSurface: option({ env: ["RUN_CROSS_SURFACE"], value: "0|1", parse: parseFlag01, default: false, help: "1 runs the optional cross-surface harness" }),
    cloudRunApiUrl: option({ env: ["CLOUD_RUN_API_URL"], value: "URL", parse: parseText, default: DEFAULT_CLOUD_RUN_API_URL, help: "Cloud Run Admin API base URL" }),
    cloudLoggingApiUrl: option({ env: ["CLOUD_LOGGING_API_URL"], value: "URL", parse: parseText, default: DEFAULT_CLOUD_LOGGING_API_URL, help: "Cloud Logging API base URL" }),
    logWindowMinutes: option({ env: ["LOG_WINDOW_MINUTES"], value: "N", parse: parsePositiveInt, default: 10, help: "minutes of logs the log probes read" }),
    logErrorThreshold: option({ env: ["LOG_ERROR_THRESHOLD"], value: "N", parse: parseNonNegativeInt, default: 0, help: "error entries tolerated in the window before a log probe fails" }),
    logLimit: option({ env: ["LOG_LIMIT"], value: "N", parse: parsePositiveInt, default: DEFAULT_LOG_LIMIT, help: "log entries a probe reads" }),
    expectedControlImage: option({
        env: ["EXPECTED_CONTROL_IMAGE"],
        value: "IMAGE",
        parse: parseText,
        defaultText: "the controlImage output",
        help: "image the control service's new revision must run (control-canary-status)",
    }),
    expectedRuntimeImage: option({
        env: ["EXPECTED_RUNTIME_IMAGE"],
        value: "IMAGE",
        parse: parseText,
        defaultText: "the runtimeImage output",
        help: "image the runtime service and migrate job must run (runtime-migration-drift)",
    }),
    intendedCanaryPercent: option({
        env: ["CONTROL_CANARY_PERCENT"],
        value: "PERCENT",
        parse: parsePercent,
        defaultText: "the controlCanaryPercent output",
        help: "percent of control traffic meant for the new revision; without a controlRevision output, the latest ready revision's share is judged against it",
    }),
    metadataServerDetection: option({ env: ["METADATA_SERVER_DETECTION"], value: "none", help: "never probe the GCE metadata server (set off Google Cloud and in CI)" }),
    githubStepSummary: option({ env: ["GITHUB_STEP_SUMMARY"], help: "when set, SUMMARY.md is appended to it" }),
    ci: option({ env: ["CI"], help: "when set, plain lines" }),
} satisfies OptionTable;

export type OptionName = keyof typeof OPTIONS;

/** The rows of the table, in order. */
export const OPTION_LIST: readonly GateOption[] = Object.values(OPTIONS);

/** The env vars that hold secrets: read from the environment only, redacted, never passed on to a child process. */
export const SECRET_ENV_VARS: readonly string[] = secretEnvVars(OPTIONS);

/** The gate's options as the table types them, each field named as its row (the resolved GateOptions reads its plain fields from here). */
export type GateValues = OptionValues<typeof OPTIONS>;

/** The default as help and docs/gate.md print it (from its value); undefined when there is none. */
export const defaultText = rowDefaultText;

/** The env var of a per-environment option for one environment (STAGING_... or PROD_...). */
export function envFor(o: GateOption, environment: "staging" | "prod"): string {
    const prefix = `${environment.toUpperCase()}_`;
    const name = o.env?.find((e) => e.startsWith(prefix));
    if (!name) throw new Error(`option has no ${prefix} env var`);
    return name;
}

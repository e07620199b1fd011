// Resolves the gate's options: flags beat env vars, env vars beat stack outputs, outputs beat
// the defaults of the option table (option-table.ts).

import * as path from "node:path";
import { CONTROL, type Environment, RUNTIME, RUNTIME_MIGRATE } from "../catalog";
import { type GivenValues, type OptionRow, envText, givenFromArgv, resolveRow } from "../io/options";
import { parseArgs } from "./argv";
import { type GateOption, type GateValues, OPTIONS, SECRET_ENV_VARS, envFor } from "./option-table";
import { MIN_SECRET_LENGTH } from "../io/redact";
import { MAX_TIMER_MS, checkEndpoint, utcStamp } from "../io/option-values";
import { type PulumiRunner, type StackOutputs, loadOutputs, runPulumiStackOutput } from "../io/stack-outputs";
import { normalizeTargetUrl, stackNameProblem, targetClashProblem } from "./targets";
import { UsageError } from "../io/usage-error";

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

/** What the Cloud Run state checks inspect for one environment. */
export interface StateTarget {
    /** The environment these names belong to (undefined: names given by hand, no environment known). */
    environment?: Environment;
    gcpProject: string;
    gcpRegion: string;
    controlService: string;
    runtimeService: string;
    migrateJob: string;
    expectedControlImage?: string;
    expectedRuntimeImage?: string;
    intendedCanaryPercent?: number;
    controlRevision?: string;
    controlStableRevision?: string;
    /** This environment's target URLs ("" when unset): tied to the services' Cloud Run URLs. */
    controlBaseUrl: string;
    runtimeBaseUrl: string;
}

/** The fields the table types as they are: each named and typed by its row (option-table.ts). */
type TableFields =
    | "failOnRequiredFailure"
    | "environment"
    | "concurrency"
    | "requestTimeoutMs"
    | "checkTimeoutMs"
    | "overallTimeoutMs"
    | "waitReadyMs"
    | "mockMagicCode"
    | "maxBodyBytes"
    | "gcpProject"
    | "gcpRegion"
    | "runRuntimeDriftCheck"
    | "runKhalaContractTests"
    | "runCrossSurface"
    | "runLogProbes"
    | "openagentsRepo"
    | "cloudRunApiUrl"
    | "cloudLoggingApiUrl"
    | "gcpAccessToken"
    | "logWindowMinutes"
    | "logErrorThreshold"
    | "logLimit"
    | "expectedControlImage"
    | "expectedRuntimeImage"
    | "intendedCanaryPercent";

/**
 * The resolved options: the table's plain fields as the table types them, plus what resolution
 * computes from several rows and the stack outputs (targets, state targets, the run's switches).
 */
export interface GateOptions extends Pick<GateValues, TableFields> {
    /** Where the evidence goes (--output-dir, else a stamped directory). */
    outputDir: string;
    /** Check ids to run (--only); undefined = all. */
    only?: string[];
    /** --allow-insecure-tls: the environment turned TLS verification off and the operator said so. */
    insecureTls: boolean;
    /** Live lines on a terminal; plain lines otherwise (CI, --plain). */
    plain: boolean;
    staging: EnvironmentTargets;
    prod: EnvironmentTargets;
    /** CONTROL_SERVICE / RUNTIME_SERVICE / MIGRATE_JOB: the names the state checks inspect. */
    controlService: string;
    runtimeService: string;
    migrateJob: string;
    /** Which environment's outputs fed the names above (undefined: env/flags/defaults). */
    stateEnvironment?: Environment;
    /**
     * Every environment whose Cloud Run state the run judges: the gated one (--environment), else
     * both (a run over both environments judges both), else, with names given by hand, those.
     * The first-level fields above are the primary one's (the outputs' environment, else prod).
     */
    stateTargets: StateTarget[];
    controlRevision?: string;
    controlStableRevision?: string;
}

/** Every secret value in the options, for the redactor. */
export function secretsOf(options: GateOptions): string[] {
    const out: string[] = [];
    for (const t of [options.staging, options.prod]) {
        for (const s of [t.controlAccessToken, t.maintenanceBypassToken, t.runtimeIdToken]) if (s) out.push(s);
    }
    if (options.gcpAccessToken) out.push(options.gcpAccessToken);
    if (options.mockMagicCode) out.push(options.mockMagicCode);
    return out;
}

export interface ResolveContext {
    env?: NodeJS.ProcessEnv;
    now?: Date;
    pulumi?: PulumiRunner;
    isTTY?: boolean;
}

/** Values given to the gate (argv read, or a typed caller's own), each field named as its table row. */
export type GateGiven = GivenValues<typeof OPTIONS>;

/** What resolution reads besides the values given: the environment and the stack outputs already read. */
export interface GateSources {
    env?: NodeJS.ProcessEnv;
    now?: Date;
    isTTY?: boolean;
    outputs?: Partial<Record<Environment, StackOutputs>>;
}

const URL_OPTIONS = {
    staging: { control: "stagingControlUrl", runtime: "stagingRuntimeUrl" },
    prod: { control: "prodControlUrl", runtime: "prodRuntimeUrl" },
} as const;

/** The CLI's way in: argv read with the table's flags, the stack outputs it names loaded, then resolved as values. */
export function resolveOptions(argv: readonly string[], context: ResolveContext = {}): GateOptions {
    const env = context.env ?? process.env;
    const args = parseArgs(argv);
    const outputs = loadOutputs(args, context.pulumi ?? ((stack) => runPulumiStackOutput(stack, env)));
    return resolveGateOptions(givenFromArgv(OPTIONS, args.texts), { env, now: context.now, isTTY: context.isTTY, outputs });
}

type TextKey = { [K in keyof typeof OPTIONS]: GateGiven[K] extends string | undefined ? K : never }[keyof typeof OPTIONS];

/** Resolves values: given > env vars > stack outputs > the table's defaults. Never reads argv. */
export function resolveGateOptions(given: GateGiven, sources: GateSources = {}): GateOptions {
    const env = sources.env ?? process.env;
    const outputs = sources.outputs ?? {};
    const envValue = (name: string): string | undefined => {
        const v = env[name];
        return v === undefined || v === "" ? undefined : v;
    };
    /** given > env > the table's default, parsed (an env var's parse names the env var). */
    const value = <K extends keyof typeof OPTIONS>(key: K): GateValues[K] => resolveRow(OPTIONS[key] as OptionRow<unknown>, given[key], env).value as GateValues[K];
    /** given > env > outputs > default, with where it came from (text options). */
    const pick = (key: TextKey, output: string | undefined, fallback?: string): [string, Source] => {
        const o = OPTIONS[key] as OptionRow<string>;
        const r = resolveRow({ ...o, default: undefined }, given[key] as string | undefined, env, output);
        if (r.source !== "unset") return [r.value ?? "", r.source === "given" ? "flag" : r.source];
        const f = fallback ?? o.default ?? "";
        return [f, f === "" ? "unset" : "default"];
    };
    const isGiven = (key: keyof typeof OPTIONS): boolean => given[key] !== undefined || envText(OPTIONS[key], env) !== undefined;

    const targets = (environment: Environment): EnvironmentTargets => {
        const o = outputs[environment];
        // Normalised before every refusal: one identity per target, whatever its spelling.
        const [controlGiven, controlBaseUrlSource] = pick(URL_OPTIONS[environment].control, o?.controlBaseUrl ?? o?.controlServiceUrl);
        const [runtimeGiven, runtimeBaseUrlSource] = pick(URL_OPTIONS[environment].runtime, o?.runtimeServiceUrl);
        const controlBaseUrl = controlGiven === "" ? "" : normalizeTargetUrl(controlGiven);
        const runtimeBaseUrl = runtimeGiven === "" ? "" : normalizeTargetUrl(runtimeGiven);
        for (const [what, url] of [
            [`${environment} control URL`, controlBaseUrl],
            [`${environment} runtime URL`, runtimeBaseUrl],
        ] as const) {
            if (url !== "") checkEndpoint(url, what);
        }
        // A run.app URL given by hand must name the service the stack says this environment runs.
        const tie = stackNameProblem(`${environment} control URL`, controlBaseUrl, o?.controlServiceName) ?? stackNameProblem(`${environment} runtime URL`, runtimeBaseUrl, o?.runtimeServiceName);
        if (tie) throw new UsageError(tie);
        const own = (opt: GateOption<string>): string | undefined => envValue(envFor(opt, environment));
        return {
            environment,
            controlBaseUrl: stripSlash(controlBaseUrl),
            controlBaseUrlSource,
            runtimeBaseUrl: stripSlash(runtimeBaseUrl),
            runtimeBaseUrlSource,
            controlAccessToken: own(OPTIONS.controlAccessToken),
            maintenanceBypassToken: own(OPTIONS.maintenanceBypassToken),
            runtimeIdToken: own(OPTIONS.runtimeIdToken) ?? envValue("RUNTIME_ID_TOKEN"),
            outputs: o,
        };
    };

    // The message names --environment whichever gave it: it is the flag's contract.
    const environmentText = envText(OPTIONS.environment, env)?.text;
    const environment = given.environment ?? (environmentText !== undefined ? OPTIONS.environment.parse!(environmentText, "--environment") : undefined);

    // The state checks inspect one environment: the gated one, else prod's outputs when given, else staging's.
    const stateEnvironment: Environment | undefined = environment ?? (outputs.prod ? "prod" : outputs.staging ? "staging" : undefined);
    const so = stateEnvironment ? outputs[stateEnvironment] : undefined;
    // Without outputs, the old gate's defaults were production's names; a gated environment has its own.
    const namesOf = stateEnvironment ?? "prod";

    const only = given.only
        ?.flatMap((v) => v.split(","))
        .map((s) => s.trim())
        .filter((s) => s !== "");
    if (given.only !== undefined && (!only || only.length === 0)) throw new UsageError("--only needs at least one check id");

    // A secret so short that masking it would mask ordinary text cannot be kept out of the evidence.
    for (const name of SECRET_ENV_VARS) {
        const v = envValue(name);
        if (v !== undefined && v.trim().length < MIN_SECRET_LENGTH) {
            throw new UsageError(`${name} is ${v.trim().length} character(s): a value shorter than ${MIN_SECRET_LENGTH} cannot be masked without masking ordinary text (give the real token)`);
        }
    }
    const tlsOff = tlsVerificationOff(env);
    const insecureTls = tlsOff !== undefined && given.allowInsecureTls === true;
    if (tlsOff && !insecureTls) throw new UsageError(`${tlsOff} turns TLS verification off: every answer could come from anyone on the path; unset it, or pass --allow-insecure-tls to run anyway`);

    const waitReadyMs = value("waitReadyMs");
    const requestTimeoutMs = value("requestTimeoutMs");
    if (requestTimeoutMs <= 0) throw new UsageError("--request-timeout must be above 0");
    // A zero deadline would fail every check at once (or the whole run) before it starts.
    const checkTimeoutMs = value("checkTimeoutMs");
    if (checkTimeoutMs <= 0) throw new UsageError("--check-timeout must be above 0");
    const overallTimeoutMs = value("overallTimeoutMs");
    if (overallTimeoutMs <= 0) throw new UsageError("--timeout must be above 0");
    if (checkTimeoutMs + waitReadyMs > MAX_TIMER_MS) throw new UsageError("--check-timeout plus --wait-ready is longer than a timer can hold (at most 596h together)");
    const [outputDir] = pick("outputDir", undefined, path.join("docs", "reports", "rust-cutover-validation", utcStamp(sources.now ?? new Date())));
    const staging = targets("staging");
    const prod = targets("prod");
    const clash = targetClashProblem([staging, prod], environment ? [environment] : ["staging", "prod"]);
    if (clash) throw new UsageError(clash);
    const cloudRunApiUrl = stripSlash(value("cloudRunApiUrl"));
    const cloudLoggingApiUrl = stripSlash(value("cloudLoggingApiUrl"));
    checkEndpoint(cloudRunApiUrl, "CLOUD_RUN_API_URL");
    checkEndpoint(cloudLoggingApiUrl, "CLOUD_LOGGING_API_URL");

    const primary: StateTarget = {
        environment: stateEnvironment,
        gcpProject: pick("gcpProject", so?.project)[0],
        gcpRegion: pick("gcpRegion", so?.region)[0],
        controlService: pick("controlService", so?.controlServiceName, CONTROL.names[namesOf])[0],
        runtimeService: pick("runtimeService", so?.runtimeServiceName, RUNTIME.names[namesOf])[0],
        migrateJob: pick("migrateJob", so?.migrateJobName, RUNTIME_MIGRATE.names[namesOf])[0],
        expectedControlImage: value("expectedControlImage") ?? so?.controlImage,
        expectedRuntimeImage: value("expectedRuntimeImage") ?? so?.runtimeImage,
        intendedCanaryPercent: value("intendedCanaryPercent") ?? so?.controlCanaryPercent,
        controlRevision: so?.controlRevision || undefined,
        controlStableRevision: so?.controlStableRevision || undefined,
        controlBaseUrl: (namesOf === "staging" ? staging : prod).controlBaseUrl,
        runtimeBaseUrl: (namesOf === "staging" ? staging : prod).runtimeBaseUrl,
    };
    // Names given by hand are one environment's; without them a run over both environments judges both.
    const namesByHand = (["controlService", "runtimeService", "migrateJob"] as const).some(isGiven);
    const stateTargets: StateTarget[] = [primary];
    if (!environment && !namesByHand) {
        const other: Environment = namesOf === "prod" ? "staging" : "prod";
        const oo = outputs[other];
        const t = other === "staging" ? staging : prod;
        primary.environment = namesOf;
        const second: StateTarget = {
            environment: other,
            gcpProject: pick("gcpProject", oo?.project)[0],
            gcpRegion: pick("gcpRegion", oo?.region)[0],
            controlService: oo?.controlServiceName || CONTROL.names[other],
            runtimeService: oo?.runtimeServiceName || RUNTIME.names[other],
            migrateJob: oo?.migrateJobName || RUNTIME_MIGRATE.names[other],
            // Images and the split given by hand belong to the primary environment; the other's come from its outputs.
            expectedControlImage: oo?.controlImage,
            expectedRuntimeImage: oo?.runtimeImage,
            intendedCanaryPercent: oo?.controlCanaryPercent,
            controlRevision: oo?.controlRevision || undefined,
            controlStableRevision: oo?.controlStableRevision || undefined,
            controlBaseUrl: t.controlBaseUrl,
            runtimeBaseUrl: t.runtimeBaseUrl,
        };
        if (other === "staging") stateTargets.unshift(second);
        else stateTargets.push(second);
    }

    return {
        outputDir,
        failOnRequiredFailure: value("failOnRequiredFailure"),
        only,
        environment,
        concurrency: value("concurrency"),
        requestTimeoutMs,
        checkTimeoutMs,
        overallTimeoutMs,
        waitReadyMs,
        mockMagicCode: value("mockMagicCode"),
        maxBodyBytes: value("maxBodyBytes"),
        insecureTls,
        plain: given.plain === true || !(sources.isTTY ?? process.stdout.isTTY === true) || envValue("CI") !== undefined,
        staging,
        prod,
        gcpProject: primary.gcpProject,
        gcpRegion: primary.gcpRegion,
        controlService: primary.controlService,
        runtimeService: primary.runtimeService,
        migrateJob: primary.migrateJob,
        stateEnvironment,
        stateTargets,
        runRuntimeDriftCheck: value("runRuntimeDriftCheck"),
        runKhalaContractTests: value("runKhalaContractTests"),
        runCrossSurface: value("runCrossSurface"),
        runLogProbes: value("runLogProbes"),
        openagentsRepo: pick("openagentsRepo", undefined)[0] || undefined,
        cloudRunApiUrl,
        cloudLoggingApiUrl,
        gcpAccessToken: value("gcpAccessToken"),
        logWindowMinutes: value("logWindowMinutes"),
        logErrorThreshold: value("logErrorThreshold"),
        logLimit: value("logLimit"),
        expectedControlImage: primary.expectedControlImage,
        expectedRuntimeImage: primary.expectedRuntimeImage,
        intendedCanaryPercent: primary.intendedCanaryPercent,
        controlRevision: primary.controlRevision,
        controlStableRevision: primary.controlStableRevision,
    };
}

/**
 * The setting that turns Node's TLS certificate verification off, when one does: Node reads
 * NODE_TLS_REJECT_UNAUTHORIZED=0 (lib/internal/options, `rejectUnauthorized` default) and
 * NODE_OPTIONS may weaken the parser or the protocol floor.
 */
export function tlsVerificationOff(env: NodeJS.ProcessEnv): string | undefined {
    if (env.NODE_TLS_REJECT_UNAUTHORIZED !== undefined && env.NODE_TLS_REJECT_UNAUTHORIZED.trim() === "0") return "NODE_TLS_REJECT_UNAUTHORIZED=0";
    const weak = /(^|\s)(--insecure-http-parser|--tls-min-v1\.[01]|--tls-cipher-list=\S*NULL)/.exec(env.NODE_OPTIONS ?? "");
    if (weak) return `NODE_OPTIONS ${weak[2]}`;
    return undefined;
}

function stripSlash(url: string): string {
    return url.replace(/\/+$/, "");
}

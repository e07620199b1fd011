// The options of `canary analyze`, one table row each (io/options.ts): flags (or values given by
// a typed caller such as the rollout) beat env vars, env vars beat stack outputs, outputs beat the
// catalog. Every problem is a UsageError of one line naming the flag and the form.

import * as path from "node:path";
import { CANARY_THRESHOLDS, CANARY_WINDOW, CONTROL, type CanaryThresholds, type Environment, GCP, isEnvironment } from "../catalog";
import { DEFAULT_CLOUD_RUN_API_URL } from "../io/gcp/client";
import { UsageError } from "../io/usage-error";
import { type PulumiRunner, type StackOutputs, loadOutputs, runPulumiStackOutput } from "../io/stack-outputs";
import { checkEndpoint, formatDuration, parseDuration, parseEnvironment, parsePercent, parseText, utcStamp } from "../io/option-values";
import { type GivenValues, type OptionRow, type OptionTable, type OptionValues, envText, givenFromArgv, option, readArgv, resolveTable } from "../io/options";
import { DEFAULT_CLOUD_MONITORING_API_URL } from "./monitoring";

/** Every option of `canary analyze`, in --help order (flags first, then the env-only ones); each key the field it gives. */
export const ANALYZE_OPTIONS = {
    environment: option({ flag: "environment", env: ["CANARY_ENVIRONMENT"], value: "staging|prod", parse: parseEnvironment, help: "the environment whose control service is judged (required)" }),
    outputs: option<string>({ flag: "outputs", value: "ENV=FILE", repeat: true, help: "targets from a saved `pulumi stack output --json`" }),
    stack: option<string>({ flag: "stack", value: "[ENV=]NAME", repeat: true, help: "targets from `pulumi stack output --json --stack NAME` (needs the pulumi CLI)" }),
    windowMs: option({
        flag: "window",
        env: ["CANARY_WINDOW"],
        value: "DURATION",
        parse: parseDuration,
        default: CANARY_WINDOW.defaultMs,
        help: `the window judged, ending ${CANARY_WINDOW.ingestionLagMs / 60_000} min before now (${formatDuration(CANARY_WINDOW.minMs)}-${formatDuration(CANARY_WINDOW.maxMs)})`,
    }),
    outputDir: option({ flag: "output-dir", env: ["CANARY_OUTPUT_DIR"], value: "DIR", parse: parseText, defaultText: "docs/reports/canary/<UTC stamp>", help: "where the evidence goes" }),
    minRequests: option({
        flag: "min-requests",
        env: ["CANARY_MIN_REQUESTS"],
        value: "N",
        parse: parseCount,
        default: CANARY_THRESHOLDS.minRequests,
        help: "requests each revision needs before a promote",
    }),
    maxErrorRate: option({
        flag: "max-error-rate",
        env: ["CANARY_MAX_ERROR_RATE"],
        value: "PERCENT",
        parse: parseRate,
        default: CANARY_THRESHOLDS.maxErrorRate,
        defaultText: `${CANARY_THRESHOLDS.maxErrorRate * 100}%`,
        help: "highest tolerated 5xx rate, e.g. 1%",
    }),
    maxLatencyRatio: option({
        flag: "max-latency-ratio",
        env: ["CANARY_MAX_LATENCY_RATIO"],
        value: "RATIO",
        parse: parseRatio,
        default: CANARY_THRESHOLDS.maxLatencyRatio,
        help: "highest tolerated canary p95 / stable p95",
    }),
    canaryRevision: option({ flag: "canary-revision", env: ["CANARY_REVISION"], value: "R", parse: parseText, defaultText: "the controlRevision output", help: "the canary revision" }),
    stableRevision: option({ flag: "stable-revision", env: ["STABLE_REVISION"], value: "R", parse: parseText, defaultText: "the controlStableRevision output", help: "the stable revision" }),
    canaryPercent: option({
        flag: "canary-percent",
        env: ["CONTROL_CANARY_PERCENT"],
        value: "N",
        parse: parsePercent,
        defaultText: "the controlCanaryPercent output",
        help: "percent of traffic on the canary",
    }),
    service: option({ flag: "service", env: ["CONTROL_SERVICE"], value: "NAME", parse: parseText, defaultText: "the controlServiceName output, else the canonical name", help: "the control service" }),
    project: option({ flag: "gcp-project", env: ["GCP_PROJECT"], value: "ID", parse: parseText, default: GCP.project, defaultText: `the project output, else ${GCP.project}`, help: "GCP project" }),
    region: option({ flag: "gcp-region", env: ["GCP_REGION"], value: "REGION", parse: parseText, default: GCP.region, defaultText: `the region output, else ${GCP.region}`, help: "GCP region" }),
    timeoutMs: option({ flag: "timeout", env: ["CANARY_TIMEOUT"], value: "DURATION", parse: parseDuration, default: 120_000, help: "deadline of the whole analysis" }),
    plain: option<boolean>({ flag: "plain", help: "plain lines instead of a live line (also when CI is set or stdout is not a terminal)" }),
    help: option<boolean>({ flag: "help", help: "show this help" }),

    accessToken: option({
        env: ["CLOUDSDK_AUTH_ACCESS_TOKEN"],
        parse: (t: string) => t.trim(),
        secret: true,
        help: "OAuth access token; else application default credentials (scope monitoring.read, plus cloud-platform for the Cloud Run read)",
    }),
    monitoringApiUrl: option({ env: ["CLOUD_MONITORING_API_URL"], value: "URL", parse: parseText, default: DEFAULT_CLOUD_MONITORING_API_URL, help: "Cloud Monitoring API base URL" }),
    cloudRunApiUrl: option({ env: ["CLOUD_RUN_API_URL"], value: "URL", parse: parseText, default: DEFAULT_CLOUD_RUN_API_URL, help: "Cloud Run Admin API base URL" }),
    metadataServerDetection: option({ env: ["METADATA_SERVER_DETECTION"], value: "none", help: "never probe the GCE metadata server (set off Google Cloud and in CI)" }),
    githubStepSummary: option({ env: ["GITHUB_STEP_SUMMARY"], help: "when set, SUMMARY.md is appended to it" }),
} satisfies OptionTable;

type AnalyzeValues = OptionValues<typeof ANALYZE_OPTIONS>;

/** Values given to the analysis (argv read, or the rollout's own), each field named as its row. */
export type AnalyzeGiven = GivenValues<typeof ANALYZE_OPTIONS>;

/** The resolved options: the table's plain fields as it types them, plus what is judged from several of them and the outputs. */
export interface AnalyzeOptions extends Pick<AnalyzeValues, "windowMs" | "timeoutMs" | "monitoringApiUrl" | "cloudRunApiUrl" | "accessToken" | "project" | "region"> {
    environment: Environment;
    service: string;
    canaryRevision: string;
    stableRevision: string;
    /** Percent of traffic meant for the canary (strictly between 0 and 100). */
    canaryPercent: number;
    ingestionLagMs: number;
    thresholds: CanaryThresholds;
    outputDir: string;
    plain: boolean;
}

/** "1%", "0.5 %" or a fraction such as 0.01, as a fraction strictly between 0 and 1. */
export function parseRate(text: string, what: string): number {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
    const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
    if (!(n > 0 && n < 1)) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a rate between 0 and 100 % (e.g. 1% or 0.01)`);
    return n;
}

function parseRatio(text: string, what: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 1 || n > 100) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a ratio of at least 1 (e.g. 1.2)`);
    return n;
}

function parseCount(text: string, what: string): number {
    if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a positive whole number`);
    return Number(text);
}

export interface AnalyzeContext {
    env?: NodeJS.ProcessEnv;
    now?: Date;
    pulumi?: PulumiRunner;
    isTTY?: boolean;
}

/** The CLI's way in: argv read with the table's flags and the outputs it names loaded, then resolved as values. */
export function resolveAnalyzeOptions(argv: readonly string[], context: AnalyzeContext = {}): AnalyzeOptions {
    const env = context.env ?? process.env;
    const texts = readArgv(ANALYZE_OPTIONS, argv);
    const given = givenFromArgv(ANALYZE_OPTIONS, texts);
    const environment = environmentOf(given, env);
    const all = loadOutputs(
        {
            values: new Map([
                ["outputs", texts.outputs ?? []],
                ["stack", texts.stack ?? []],
            ]),
        },
        context.pulumi ?? ((stack) => runPulumiStackOutput(stack, env)),
    );
    const other = (Object.keys(all) as Environment[]).find((e) => e !== environment);
    if (other) throw new UsageError(`--outputs/--stack: the outputs given are ${other}'s, not ${environment}'s`);
    return analyzeOptionsFrom({ ...given, environment }, { env, now: context.now, isTTY: context.isTTY, outputs: all[environment] });
}

/** The environment judged: given, else CANARY_ENVIRONMENT; the message names --environment whichever gave it. */
function environmentOf(given: AnalyzeGiven, env: NodeJS.ProcessEnv): Environment {
    if (given.environment) return given.environment;
    const text = envText(ANALYZE_OPTIONS.environment, env)?.text;
    if (text === undefined) throw new UsageError("--environment: expected staging or prod (the environment whose canary is judged)");
    if (!isEnvironment(text)) throw new UsageError(`--environment: expected staging or prod, got '${text.slice(0, 40)}'`);
    return text;
}

/** Resolves values: given > env vars > the environment's stack outputs > the table's defaults. Never reads argv. */
export function analyzeOptionsFrom(given: AnalyzeGiven, sources: { env?: NodeJS.ProcessEnv; now?: Date; isTTY?: boolean; outputs?: StackOutputs } = {}): AnalyzeOptions {
    const env = sources.env ?? process.env;
    const o = sources.outputs ?? {};
    const environment = environmentOf(given, env);
    const values = resolveTable(ANALYZE_OPTIONS, {
        given: { ...given, environment },
        env,
        outputs: {
            canaryRevision: o.controlRevision,
            stableRevision: o.controlStableRevision,
            canaryPercent: o.controlCanaryPercent,
            service: o.controlServiceName,
            project: o.project,
            region: o.region,
        },
    });
    /** The name a value's problem blames: its flag when given, else the env var that gave it. */
    const blame = (key: keyof typeof ANALYZE_OPTIONS): string => {
        const row: OptionRow = ANALYZE_OPTIONS[key];
        return given[key] === undefined ? (envText(row, env)?.name ?? `--${row.flag}`) : `--${row.flag}`;
    };

    const { canaryRevision, stableRevision, canaryPercent } = values;
    if (!stableRevision) throw new UsageError("no canary to judge: no stable revision (--stable-revision R, or a controlStableRevision output); the new revision serves alone");
    if (!canaryRevision) throw new UsageError("no canary to judge: no canary revision (--canary-revision R, or a controlRevision output)");
    if (canaryRevision === stableRevision) throw new UsageError(`no canary to judge: the canary and stable revisions are both ${canaryRevision}`);
    if (canaryPercent === undefined) throw new UsageError("no canary to judge: no split (--canary-percent N, or a controlCanaryPercent output)");
    if (canaryPercent <= 0 || canaryPercent >= 100) throw new UsageError(`no canary to judge: the split is ${canaryPercent} % on the canary (a canary stage is between 0 and 100 %)`);

    const { windowMs, timeoutMs, maxErrorRate } = values;
    if (windowMs < CANARY_WINDOW.minMs || windowMs > CANARY_WINDOW.maxMs || windowMs % 1000 !== 0) {
        throw new UsageError(`${blame("windowMs")}: a window of whole seconds from 1m to 24h (e.g. 10m)`);
    }
    if (timeoutMs <= 0) throw new UsageError(`${blame("timeoutMs")} must be above 0`);
    const thresholds: CanaryThresholds = {
        ...CANARY_THRESHOLDS,
        maxErrorRate,
        // The ceiling keeps its proportion to the threshold when the threshold is changed.
        errorRateCeiling: Math.min(1, maxErrorRate * (CANARY_THRESHOLDS.errorRateCeiling / CANARY_THRESHOLDS.maxErrorRate)),
        maxLatencyRatio: values.maxLatencyRatio,
        minRequests: values.minRequests,
    };
    const monitoringApiUrl = values.monitoringApiUrl.replace(/\/+$/, "");
    const cloudRunApiUrl = values.cloudRunApiUrl.replace(/\/+$/, "");
    checkEndpoint(monitoringApiUrl, "CLOUD_MONITORING_API_URL");
    checkEndpoint(cloudRunApiUrl, "CLOUD_RUN_API_URL");
    return {
        environment,
        project: values.project,
        region: values.region,
        service: values.service ?? CONTROL.names[environment],
        canaryRevision,
        stableRevision,
        canaryPercent,
        windowMs,
        ingestionLagMs: CANARY_WINDOW.ingestionLagMs,
        thresholds,
        outputDir: values.outputDir ?? path.join("docs", "reports", "canary", utcStamp(sources.now ?? new Date())),
        timeoutMs,
        plain: given.plain === true || !(sources.isTTY ?? process.stdout.isTTY === true) || (env.CI ?? "") !== "",
        monitoringApiUrl,
        cloudRunApiUrl,
        accessToken: values.accessToken || undefined,
    };
}

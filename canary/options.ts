// The options of `canary analyze`: flags beat env vars, env vars beat stack outputs, outputs
// beat the catalog. Every problem is a UsageError of one line naming the flag and the form.

import * as path from "node:path";
import { parseArgs } from "node:util";
import { CANARY_THRESHOLDS, CANARY_WINDOW, CONTROL, type CanaryThresholds, type Environment, GCP, isEnvironment } from "../catalog";
import { DEFAULT_CLOUD_RUN_API_URL } from "../io/gcp/client";
import { UsageError } from "../io/usage-error";
import { checkEndpoint, parseDuration, utcStamp } from "../io/option-values";
import { loadOutputs, runPulumiStackOutput, type PulumiRunner } from "../io/stack-outputs";
import { parsePercent } from "../io/option-values";
import { DEFAULT_CLOUD_MONITORING_API_URL } from "./monitoring";

export interface AnalyzeOptions {
    environment: Environment;
    project: string;
    region: string;
    service: string;
    canaryRevision: string;
    stableRevision: string;
    /** Percent of traffic meant for the canary (strictly between 0 and 100). */
    canaryPercent: number;
    windowMs: number;
    ingestionLagMs: number;
    thresholds: CanaryThresholds;
    outputDir: string;
    /** Deadline of the whole analysis. */
    timeoutMs: number;
    plain: boolean;
    monitoringApiUrl: string;
    cloudRunApiUrl: string;
    /** CLOUDSDK_AUTH_ACCESS_TOKEN; secret. */
    accessToken?: string;
}

interface FlagSpec {
    name: string;
    value?: string;
    env?: string;
    repeat?: boolean;
    help: string;
}

export const ANALYZE_FLAGS: readonly FlagSpec[] = [
    { name: "environment", value: "staging|prod", env: "CANARY_ENVIRONMENT", help: "the environment whose control service is judged (required)" },
    { name: "outputs", value: "ENV=FILE", help: "targets from a saved `pulumi stack output --json`" },
    { name: "stack", value: "[ENV=]NAME", help: "targets from `pulumi stack output --json --stack NAME` (needs the pulumi CLI)" },
    { name: "window", value: "DURATION", env: "CANARY_WINDOW", help: `the window judged, ending ${CANARY_WINDOW.ingestionLagMs / 60_000} min before now (default 10m; 1m-24h)` },
    { name: "output-dir", value: "DIR", env: "CANARY_OUTPUT_DIR", help: "where the evidence goes (default docs/reports/canary/<UTC stamp>)" },
    { name: "min-requests", value: "N", env: "CANARY_MIN_REQUESTS", help: `requests each revision needs before a promote (default ${CANARY_THRESHOLDS.minRequests})` },
    { name: "max-error-rate", value: "PERCENT", env: "CANARY_MAX_ERROR_RATE", help: `highest tolerated 5xx rate, e.g. 1% (default ${CANARY_THRESHOLDS.maxErrorRate * 100}%)` },
    { name: "max-latency-ratio", value: "RATIO", env: "CANARY_MAX_LATENCY_RATIO", help: `highest tolerated canary p95 / stable p95 (default ${CANARY_THRESHOLDS.maxLatencyRatio})` },
    { name: "canary-revision", value: "R", env: "CANARY_REVISION", help: "the canary revision (default: the controlRevision output)" },
    { name: "stable-revision", value: "R", env: "STABLE_REVISION", help: "the stable revision (default: the controlStableRevision output)" },
    { name: "canary-percent", value: "N", env: "CONTROL_CANARY_PERCENT", help: "percent of traffic on the canary (default: the controlCanaryPercent output)" },
    { name: "service", value: "NAME", env: "CONTROL_SERVICE", help: "the control service (default: the controlServiceName output, else the canonical name)" },
    { name: "gcp-project", value: "ID", env: "GCP_PROJECT", help: `GCP project (default: the project output, else ${GCP.project})` },
    { name: "gcp-region", value: "REGION", env: "GCP_REGION", help: `GCP region (default: the region output, else ${GCP.region})` },
    { name: "timeout", value: "DURATION", env: "CANARY_TIMEOUT", help: "deadline of the whole analysis (default 2m)" },
    { name: "plain", help: "plain lines instead of a live line (also when CI is set or stdout is not a terminal)" },
    { name: "help", help: "show this help" },
];

export const ANALYZE_ENV_HELP: ReadonlyArray<[string, string]> = [
    ["CLOUDSDK_AUTH_ACCESS_TOKEN", "OAuth access token (secret); else application default credentials (scope monitoring.read, plus cloud-platform for the Cloud Run read)"],
    ["CLOUD_MONITORING_API_URL, CLOUD_RUN_API_URL", `API base URLs (default ${DEFAULT_CLOUD_MONITORING_API_URL}, ${DEFAULT_CLOUD_RUN_API_URL})`],
    ["METADATA_SERVER_DETECTION=none", "never probe the GCE metadata server (set off Google Cloud and in CI)"],
    ["GITHUB_STEP_SUMMARY", "when set, SUMMARY.md is appended to it"],
];

/** The flags given, by name (node:util's parser; every value flag may be checked for repeats). */
function parseFlags(argv: readonly string[]): Map<string, string[]> {
    const options = Object.fromEntries(ANALYZE_FLAGS.map((f) => [f.name, f.value ? { type: "string" as const, multiple: true } : { type: "boolean" as const }]));
    let values: Record<string, string[] | boolean | undefined>;
    try {
        values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string[] | boolean | undefined>;
    } catch (error) {
        const e = error as { code?: string; message: string };
        const unknown = /Unknown option '(--?[^']*)'/.exec(e.message)?.[1];
        if (unknown) throw new UsageError(`unknown option ${unknown.slice(0, 40)} (see --help)`);
        throw new UsageError(`${e.message.split("\n")[0].slice(0, 200)} (see --help)`);
    }
    const out = new Map<string, string[]>();
    for (const f of ANALYZE_FLAGS) {
        const v = values[f.name];
        if (v === undefined || v === false) continue;
        const list = v === true ? ["1"] : v;
        if (list.length > 1 && !f.repeat) throw new UsageError(`--${f.name} given twice`);
        out.set(f.name, list);
    }
    return out;
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

export function resolveAnalyzeOptions(argv: readonly string[], context: AnalyzeContext = {}): AnalyzeOptions {
    const env = context.env ?? process.env;
    const flags = parseFlags(argv);
    const envValue = (name: string | undefined): string | undefined => (name && env[name] !== "" ? env[name] : undefined);
    const spec = (name: string): FlagSpec => ANALYZE_FLAGS.find((f) => f.name === name)!;
    /** The flag, else its env var, else the fallback; with the name to blame in an error. */
    const pick = (name: string): [string | undefined, string] => {
        const f = flags.get(name)?.[0];
        if (f !== undefined) return [f, `--${name}`];
        const e = envValue(spec(name).env);
        return e !== undefined ? [e, spec(name).env!] : [undefined, `--${name}`];
    };
    const [environmentText] = pick("environment");
    if (environmentText === undefined) throw new UsageError("--environment: expected staging or prod (the environment whose canary is judged)");
    if (!isEnvironment(environmentText)) throw new UsageError(`--environment: expected staging or prod, got '${environmentText.slice(0, 40)}'`);
    const environment = environmentText;
    const all = loadOutputs({ values: new Map([["outputs", flags.get("outputs") ?? []], ["stack", flags.get("stack") ?? []]]) }, context.pulumi ?? ((stack) => runPulumiStackOutput(stack, env)));
    const other = (Object.keys(all) as Environment[]).find((e) => e !== environment);
    if (other) throw new UsageError(`--outputs/--stack: the outputs given are ${other}'s, not ${environment}'s`);
    const o = all[environment] ?? {};
    const value = (name: string, output: string | undefined, fallback?: string): string | undefined => pick(name)[0] ?? (output || undefined) ?? fallback;

    const canaryRevision = value("canary-revision", o.controlRevision);
    const stableRevision = value("stable-revision", o.controlStableRevision);
    const [pctFlag, pctName] = pick("canary-percent");
    const canaryPercent = pctFlag !== undefined ? parsePercent(pctFlag, pctName) : o.controlCanaryPercent;
    if (!stableRevision) throw new UsageError("no canary to judge: no stable revision (--stable-revision R, or a controlStableRevision output); the new revision serves alone");
    if (!canaryRevision) throw new UsageError("no canary to judge: no canary revision (--canary-revision R, or a controlRevision output)");
    if (canaryRevision === stableRevision) throw new UsageError(`no canary to judge: the canary and stable revisions are both ${canaryRevision}`);
    if (canaryPercent === undefined) throw new UsageError("no canary to judge: no split (--canary-percent N, or a controlCanaryPercent output)");
    if (canaryPercent <= 0 || canaryPercent >= 100) throw new UsageError(`no canary to judge: the split is ${canaryPercent} % on the canary (a canary stage is between 0 and 100 %)`);

    const number = <T>(name: string, parse: (text: string, what: string) => T, fallback: T): T => {
        const [text, what] = pick(name);
        return text === undefined ? fallback : parse(text, what);
    };
    const windowMs = number("window", parseDuration, CANARY_WINDOW.defaultMs);
    if (windowMs < CANARY_WINDOW.minMs || windowMs > CANARY_WINDOW.maxMs || windowMs % 1000 !== 0) {
        throw new UsageError(`${pick("window")[1]}: a window of whole seconds from 1m to 24h (e.g. 10m)`);
    }
    const timeoutMs = number("timeout", parseDuration, 120_000);
    if (timeoutMs <= 0) throw new UsageError(`${pick("timeout")[1]} must be above 0`);
    const maxErrorRate = number("max-error-rate", parseRate, CANARY_THRESHOLDS.maxErrorRate);
    const thresholds: CanaryThresholds = {
        ...CANARY_THRESHOLDS,
        maxErrorRate,
        // The ceiling keeps its proportion to the threshold when the threshold is changed.
        errorRateCeiling: Math.min(1, maxErrorRate * (CANARY_THRESHOLDS.errorRateCeiling / CANARY_THRESHOLDS.maxErrorRate)),
        maxLatencyRatio: number("max-latency-ratio", parseRatio, CANARY_THRESHOLDS.maxLatencyRatio),
        minRequests: number("min-requests", parseCount, CANARY_THRESHOLDS.minRequests),
    };
    const monitoringApiUrl = (envValue("CLOUD_MONITORING_API_URL") ?? DEFAULT_CLOUD_MONITORING_API_URL).replace(/\/+$/, "");
    const cloudRunApiUrl = (envValue("CLOUD_RUN_API_URL") ?? DEFAULT_CLOUD_RUN_API_URL).replace(/\/+$/, "");
    checkEndpoint(monitoringApiUrl, "CLOUD_MONITORING_API_URL");
    checkEndpoint(cloudRunApiUrl, "CLOUD_RUN_API_URL");
    return {
        environment,
        project: value("gcp-project", o.project, GCP.project)!,
        region: value("gcp-region", o.region, GCP.region)!,
        service: value("service", o.controlServiceName, CONTROL.names[environment])!,
        canaryRevision,
        stableRevision,
        canaryPercent,
        windowMs,
        ingestionLagMs: CANARY_WINDOW.ingestionLagMs,
        thresholds,
        outputDir: value("output-dir", undefined, path.join("docs", "reports", "canary", utcStamp(context.now ?? new Date())))!,
        timeoutMs,
        plain: flags.has("plain") || !(context.isTTY ?? process.stdout.isTTY === true) || envValue("CI") !== undefined,
        monitoringApiUrl,
        cloudRunApiUrl,
        accessToken: envValue("CLOUDSDK_AUTH_ACCESS_TOKEN")?.trim() || undefined,
    };
}

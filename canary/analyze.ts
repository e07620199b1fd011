// One `canary analyze` run: confirm the split serving, read both revisions' metrics over the
// window, judge the stage, write the evidence. Every failure to read becomes a hold with its
// cause; nothing here throws past runAnalysis except a bug.

import { CANARY_METRICS } from "../catalog";
import type { RequestContext } from "../io/request";
import { GcpClient } from "../io/gcp/client";
import { CloudRunApi } from "../io/gcp/cloudrun";
import { type AccessTokenSource, CLOUD_PLATFORM_SCOPE, accessTokenSource, adcLoader } from "../io/gcp/credentials";
import { servingTargets } from "../io/gcp/traffic";
import { HttpClient } from "../io/http";
import { Redactor } from "../io/redact";
import { excerpt } from "../io/text";
import { type Analysis, writeAnalysisEvidence } from "./evidence";
import { type Decision, type RevisionObservation, type StageInput, type StageJudgement, judgeStage } from "./judge";
import { MONITORING_READ_SCOPE, MonitoringApi, type SentQuery, latencyHistogramsByRevision, requestCountsByRevision } from "./monitoring";
import type { AnalyzeOptions } from "./options";

export const EXIT_CODES: Record<Decision, number> = { promote: 0, rollback: 1, hold: 3 };

export interface AnalyzeDeps {
    http?: HttpClient;
    tokens?: AccessTokenSource;
    now?: () => Date;
    /** Progress output (stdout by default). */
    write?: (text: string) => void;
    stepSummaryFile?: string;
    interrupt?: AbortSignal;
    /** Retry tuning of the API client (tests shorten the waits). */
    retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
    /** The window to read instead of the last --window before the lag (a rollout's look reads its whole rung so far). */
    window?: { start: Date; end: Date };
    /**
     * A rollout's look: where the rollout's data starts (its first rung's first whole minute). The
     * counts and latencies are then also read from it to the window's end, everything both revisions
     * served in the rollout so far, and handed to the judge beside the window's own.
     */
    rolloutStart?: Date;
    /** The rule instead of the single-window judge (a rollout's look: the sequential rule at its rung, with the rollout's pooled data). */
    judge?: StageRule;
}

/** A rule that judges a stage: the window's observations, and a rollout's pooled ones when it has them. */
export type StageRule = (input: StageInput, rollout?: { canary: RevisionObservation; stable: RevisionObservation }) => StageJudgement;

export interface AnalyzeRun {
    judgement: StageJudgement;
    analysis: Analysis;
    exitCode: number;
    files: { json: string; summary: string };
}

/** A live line on a terminal (redrawn in place), one plain line per step otherwise; all redacted and escaped. */
function progress(plain: boolean, write: (text: string) => void, redactor: Redactor): { step(line: string): void; done(): void } {
    let live = false;
    return {
        step(line) {
            const text = excerpt(line, 200, redactor);
            if (plain) write(`${text}\n`);
            else {
                write(`\r\x1b[2K${text}`);
                live = true;
            }
        },
        done() {
            if (live) write("\r\x1b[2K");
        },
    };
}

function seconds(ms: number): string {
    return `${Math.round(ms / 1000)}s`;
}

function why(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** What one analysis read: the window, the split serving, both metrics per revision; each read a value or why it failed. */
export interface Collected {
    window: { start: Date; end: Date; ms: number };
    /** The split Cloud Run serves, or why it could not be read. */
    serving: { revision: string; percent: number }[] | { error: string };
    counts: ReturnType<typeof requestCountsByRevision> | { error: string };
    latencies: ReturnType<typeof latencyHistogramsByRevision> | { error: string };
    /** A rollout's look: the same two reads from the rollout's start (absent when they would reach no further back than the window). */
    pooled?: { counts: ReturnType<typeof requestCountsByRevision> | { error: string }; latencies: ReturnType<typeof latencyHistogramsByRevision> | { error: string } };
    queries: SentQuery[];
    interrupted: boolean;
    /** The reads ran past --timeout. */
    timedOut: boolean;
}

const settledValue = <T>(r: PromiseSettledResult<T>): T | { error: string } => (r.status === "fulfilled" ? r.value : { error: why(r.reason) });
const failed = (v: object): v is { error: string } => "error" in v;

/** Reads the split and both revisions' metrics over the window, in parallel; a failed read is its cause, never a throw. */
export async function collectStage(options: AnalyzeOptions, client: GcpClient, deps: AnalyzeDeps, started: Date, show: (line: string) => void, redactor: Redactor): Promise<Collected> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    timer.unref();
    const onInterrupt = (): void => controller.abort();
    deps.interrupt?.addEventListener("abort", onInterrupt);
    const ctx: RequestContext = { signal: controller.signal, deadline: started.getTime() + options.timeoutMs, log: () => undefined };

    // Whole minutes, so the one aligned point covers exactly the window.
    const end = deps.window?.end ?? new Date(Math.floor((started.getTime() - options.ingestionLagMs) / 60_000) * 60_000);
    const start = deps.window?.start ?? new Date(end.getTime() - options.windowMs);
    const windowMs = end.getTime() - start.getTime();
    const queries: SentQuery[] = [];

    const readSplit = async (): Promise<Array<{ revision: string; percent: number }>> => {
        show(`reading the serving split of ${options.service} (Cloud Run Admin API)`);
        const cloudRun = new CloudRunApi(client, options.cloudRunApiUrl, { project: options.project, region: options.region });
        const service = await cloudRun.getService(ctx, options.service);
        return servingTargets(service).map((t) => ({ revision: t.revision, percent: t.percent }));
    };

    const monitoring = new MonitoringApi(client, options.monitoringApiUrl, options.project, redactor);
    const filterFor = (metric: string): string =>
        [
            `metric.type="${metric}"`,
            `resource.type="${CANARY_METRICS.resourceType}"`,
            `resource.labels.service_name="${options.service}"`,
            `resource.labels.location="${options.region}"`,
            `(resource.labels.revision_name="${options.canaryRevision}" OR resource.labels.revision_name="${options.stableRevision}")`,
        ].join(" AND ");
    const paramsFor = (metric: string, groupBy: string[], from: Date): Array<[string, string]> => [
        ["filter", filterFor(metric)],
        ["interval.startTime", from.toISOString()],
        ["interval.endTime", end.toISOString()],
        ["aggregation.alignmentPeriod", seconds(end.getTime() - from.getTime())],
        ["aggregation.perSeriesAligner", "ALIGN_DELTA"],
        ["aggregation.crossSeriesReducer", "REDUCE_SUM"],
        ...groupBy.map((g): [string, string] => ["aggregation.groupByFields", g]),
    ];
    const readCounts = async (from: Date = start): Promise<ReturnType<typeof requestCountsByRevision>> => {
        show("reading request_count per revision and response class (Cloud Monitoring)");
        const series = await monitoring.listTimeSeries(
            ctx,
            "request_count",
            paramsFor(CANARY_METRICS.requestCount, ["resource.labels.revision_name", "metric.labels.response_code_class"], from),
            queries,
        );
        return requestCountsByRevision(series);
    };
    const readLatencies = async (from: Date = start): Promise<ReturnType<typeof latencyHistogramsByRevision>> => {
        show("reading request_latencies per revision (Cloud Monitoring)");
        const series = await monitoring.listTimeSeries(ctx, "request_latencies", paramsFor(CANARY_METRICS.requestLatencies, ["resource.labels.revision_name"], from), queries);
        return latencyHistogramsByRevision(series);
    };
    // The rollout's pooled reads: only when they reach further back than the window.
    const rolloutFrom = deps.rolloutStart && deps.rolloutStart.getTime() < start.getTime() ? deps.rolloutStart : undefined;

    const none = Promise.resolve(undefined);
    const [serving, counts, latencies, pooledCounts, pooledLatencies] = await Promise.allSettled([
        readSplit(),
        readCounts(),
        readLatencies(),
        rolloutFrom ? readCounts(rolloutFrom) : none,
        rolloutFrom ? readLatencies(rolloutFrom) : none,
    ]);
    clearTimeout(timer);
    deps.interrupt?.removeEventListener("abort", onInterrupt);
    const interrupted = deps.interrupt?.aborted === true;
    const pooled = rolloutFrom
        ? {
              counts: settledValue(pooledCounts) as ReturnType<typeof requestCountsByRevision> | { error: string },
              latencies: settledValue(pooledLatencies) as ReturnType<typeof latencyHistogramsByRevision> | { error: string },
          }
        : undefined;
    return {
        window: { start, end, ms: windowMs },
        serving: settledValue(serving),
        counts: settledValue(counts),
        latencies: settledValue(latencies),
        ...(pooled ? { pooled } : {}),
        queries,
        interrupted,
        timedOut: !interrupted && controller.signal.aborted,
    };
}

/** What was read, judged: every read that failed or found nothing is a problem (a hold), then the rule on the numbers. Pure. */
export function judgeCollected(
    options: Pick<AnalyzeOptions, "canaryRevision" | "canaryPercent" | "stableRevision" | "thresholds" | "timeoutMs">,
    c: Collected,
    judge?: StageRule,
): { judgement: StageJudgement; problems: string[] } {
    const problems: string[] = [];
    const stablePercent = 100 - options.canaryPercent;
    if (!failed(c.serving)) {
        const serving = c.serving;
        const share = (revision: string): number => serving.find((t) => t.revision === revision)?.percent ?? 0;
        const others = serving.filter((t) => t.revision !== options.canaryRevision && t.revision !== options.stableRevision);
        if (share(options.canaryRevision) !== options.canaryPercent || share(options.stableRevision) !== stablePercent || others.length > 0) {
            const shown = serving.map((t) => `${t.revision} ${t.percent} %`).join(", ") || "nothing";
            problems.push(`the split serving is not the one judged: ${shown} serve, not ${options.canaryRevision} ${options.canaryPercent} % + ${options.stableRevision} ${stablePercent} %`);
        }
    }
    if (c.interrupted) problems.push("the analysis was interrupted before its reads finished");
    else if (c.timedOut) problems.push(`the reads did not finish within ${seconds(options.timeoutMs)}`);
    if (failed(c.serving)) problems.push(`the serving split could not be confirmed: ${c.serving.error}`);
    if (failed(c.counts)) problems.push(`request counts could not be read: ${c.counts.error}`);
    if (failed(c.latencies)) problems.push(`latencies could not be read: ${c.latencies.error}`);
    const countMap = failed(c.counts) ? undefined : c.counts;
    const latencyMap = failed(c.latencies) ? undefined : c.latencies;
    if (countMap) {
        // An empty answer is no data, never zero errors.
        if (countMap.size === 0) problems.push("Cloud Monitoring returned no request_count series for either revision in the window: no data");
        else for (const r of [options.canaryRevision, options.stableRevision]) if (!countMap.has(r)) problems.push(`no request_count series for ${r} in the window: no data (not zero errors)`);
    }
    if (c.pooled && failed(c.pooled.counts)) problems.push(`the rollout's request counts could not be read: ${c.pooled.counts.error}`);
    if (c.pooled && failed(c.pooled.latencies)) problems.push(`the rollout's latencies could not be read: ${c.pooled.latencies.error}`);
    type Counts = typeof countMap;
    type Latencies = typeof latencyMap;
    const observationIn =
        (counted: Counts, timed: Latencies) =>
        (revision: string): RevisionObservation => ({
            revision,
            requests: counted?.get(revision)?.requests ?? 0,
            errors: counted?.get(revision)?.errors ?? 0,
            latency: timed?.get(revision),
        });
    const observation = observationIn(countMap, latencyMap);
    const pooledCountMap = c.pooled && !failed(c.pooled.counts) ? c.pooled.counts : undefined;
    const pooledLatencyMap = c.pooled && !failed(c.pooled.latencies) ? c.pooled.latencies : undefined;
    const pooled = pooledCountMap ? observationIn(pooledCountMap, pooledLatencyMap) : undefined;
    const input: StageInput = { canary: observation(options.canaryRevision), stable: observation(options.stableRevision), thresholds: options.thresholds, problems };
    const judgement = judge ? judge(input, pooled && { canary: pooled(options.canaryRevision), stable: pooled(options.stableRevision) }) : judgeStage(input);
    return { judgement, problems };
}

/** The evidence (JSON and summary) and the decision line. */
export function reportAnalysis(
    options: AnalyzeOptions,
    c: Collected,
    judged: { judgement: StageJudgement; problems: string[] },
    at: Date,
    io: { write: (text: string) => void; redactor: Redactor; stepSummaryFile?: string },
): AnalyzeRun {
    const { judgement, problems } = judged;
    const analysis: Analysis = {
        generatedAt: at.toISOString(),
        environment: options.environment,
        project: options.project,
        region: options.region,
        service: options.service,
        window: { start: c.window.start.toISOString(), end: c.window.end.toISOString(), seconds: c.window.ms / 1000, ingestionLagSeconds: options.ingestionLagMs / 1000 },
        split: {
            intended: { canary: options.canaryRevision, canaryPercent: options.canaryPercent, stable: options.stableRevision, stablePercent: 100 - options.canaryPercent },
            ...(failed(c.serving) ? {} : { serving: c.serving }),
        },
        thresholds: options.thresholds,
        judgement,
        problems,
        queries: c.queries,
        interrupted: c.interrupted,
    };
    const files = writeAnalysisEvidence(options.outputDir, analysis, io.redactor, io.stepSummaryFile, (line) => io.write(`${line}\n`));
    const decisionLine = `${judgement.decision.toUpperCase()}: ${judgement.reasons[0] ?? ""}`;
    io.write(`${excerpt(decisionLine, 1000, io.redactor)}\nevidence: ${files.summary}, ${files.json}\n`);
    return { judgement, analysis, exitCode: EXIT_CODES[judgement.decision], files };
}

/** One analysis: collect, judge, report. */
export async function runAnalysis(options: AnalyzeOptions, deps: AnalyzeDeps = {}): Promise<AnalyzeRun> {
    const redactor = new Redactor([options.accessToken]);
    const now = deps.now ?? (() => new Date());
    const write = deps.write ?? ((text: string) => void process.stdout.write(text));
    const show = progress(options.plain, write, redactor);
    const http = deps.http ?? new HttpClient({ timeoutMs: 30_000, userAgent: "openagents-canary-analysis" });
    const tokens =
        deps.tokens ??
        accessTokenSource(options.accessToken, {
            load: adcLoader([MONITORING_READ_SCOPE, CLOUD_PLATFORM_SCOPE]),
            onToken: (t) => redactor.add(t),
            warn: (line) => write(`warning: ${excerpt(line, 400, redactor)}\n`),
        });
    const client = new GcpClient({ http, tokens, redactor, attempts: deps.retry?.attempts ?? 3, baseDelayMs: deps.retry?.baseDelayMs ?? 500, maxDelayMs: deps.retry?.maxDelayMs ?? 10_000 });
    const collected = await collectStage(options, client, deps, now(), (line) => show.step(line), redactor);
    const judged = judgeCollected(options, collected, deps.judge);
    show.done();
    const run = reportAnalysis(options, collected, judged, now(), { write, redactor, stepSummaryFile: deps.stepSummaryFile });
    if (!deps.http) http.close();
    return run;
}

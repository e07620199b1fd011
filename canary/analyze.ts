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
    judge?: (input: StageInput, rollout?: { canary: RevisionObservation; stable: RevisionObservation }) => StageJudgement;
}

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

export async function runAnalysis(options: AnalyzeOptions, deps: AnalyzeDeps = {}): Promise<AnalyzeRun> {
    const redactor = new Redactor([options.accessToken]);
    const now = deps.now ?? (() => new Date());
    const write = deps.write ?? ((text: string) => void process.stdout.write(text));
    const show = progress(options.plain, write, redactor);
    const http = deps.http ?? new HttpClient({ timeoutMs: 30_000, userAgent: "openagents-canary-analysis" });
    const tokens = deps.tokens ?? accessTokenSource(options.accessToken, {
            load: adcLoader([MONITORING_READ_SCOPE, CLOUD_PLATFORM_SCOPE]),
            onToken: (t) => redactor.add(t),
            warn: (line) => write(`warning: ${excerpt(line, 400, redactor)}\n`),
        });
    const client = new GcpClient({ http, tokens, redactor, attempts: deps.retry?.attempts ?? 3, baseDelayMs: deps.retry?.baseDelayMs ?? 500, maxDelayMs: deps.retry?.maxDelayMs ?? 10_000 });
    const started = now();
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
    const problems: string[] = [];
    const queries: SentQuery[] = [];
    const stablePercent = 100 - options.canaryPercent;
    const split: Analysis["split"] = { intended: { canary: options.canaryRevision, canaryPercent: options.canaryPercent, stable: options.stableRevision, stablePercent } };

    const readSplit = async (): Promise<void> => {
        show.step(`reading the serving split of ${options.service} (Cloud Run Admin API)`);
        const cloudRun = new CloudRunApi(client, options.cloudRunApiUrl, { project: options.project, region: options.region });
        const service = await cloudRun.getService(ctx, options.service);
        const serving = servingTargets(service).map((t) => ({ revision: t.revision, percent: t.percent }));
        split.serving = serving;
        const share = (revision: string): number => serving.find((t) => t.revision === revision)?.percent ?? 0;
        const others = serving.filter((t) => t.revision !== options.canaryRevision && t.revision !== options.stableRevision);
        if (share(options.canaryRevision) !== options.canaryPercent || share(options.stableRevision) !== stablePercent || others.length > 0) {
            const shown = serving.map((t) => `${t.revision} ${t.percent} %`).join(", ") || "nothing";
            problems.push(`the split serving is not the one judged: ${shown} serve, not ${options.canaryRevision} ${options.canaryPercent} % + ${options.stableRevision} ${stablePercent} %`);
        }
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
        show.step("reading request_count per revision and response class (Cloud Monitoring)");
        const series = await monitoring.listTimeSeries(ctx, "request_count", paramsFor(CANARY_METRICS.requestCount, ["resource.labels.revision_name", "metric.labels.response_code_class"], from), queries);
        return requestCountsByRevision(series);
    };
    const readLatencies = async (from: Date = start): Promise<ReturnType<typeof latencyHistogramsByRevision>> => {
        show.step("reading request_latencies per revision (Cloud Monitoring)");
        const series = await monitoring.listTimeSeries(ctx, "request_latencies", paramsFor(CANARY_METRICS.requestLatencies, ["resource.labels.revision_name"], from), queries);
        return latencyHistogramsByRevision(series);
    };
    // The rollout's pooled reads: only when they reach further back than the window.
    const rolloutFrom = deps.rolloutStart && deps.rolloutStart.getTime() < start.getTime() ? deps.rolloutStart : undefined;

    const none = Promise.resolve(undefined);
    const [splitRead, counts, latencies, pooledCounts, pooledLatencies] = await Promise.allSettled([readSplit(), readCounts(), readLatencies(), rolloutFrom ? readCounts(rolloutFrom) : none, rolloutFrom ? readLatencies(rolloutFrom) : none]);
    clearTimeout(timer);
    deps.interrupt?.removeEventListener("abort", onInterrupt);
    const interrupted = deps.interrupt?.aborted === true;
    if (interrupted) problems.push("the analysis was interrupted before its reads finished");
    else if (controller.signal.aborted) problems.push(`the reads did not finish within ${seconds(options.timeoutMs)}`);
    if (splitRead.status === "rejected") problems.push(`the serving split could not be confirmed: ${why(splitRead.reason)}`);
    if (counts.status === "rejected") problems.push(`request counts could not be read: ${why(counts.reason)}`);
    if (latencies.status === "rejected") problems.push(`latencies could not be read: ${why(latencies.reason)}`);
    const countMap = counts.status === "fulfilled" ? counts.value : undefined;
    const latencyMap = latencies.status === "fulfilled" ? latencies.value : undefined;
    if (countMap) {
        // An empty answer is no data, never zero errors.
        if (countMap.size === 0) problems.push("Cloud Monitoring returned no request_count series for either revision in the window: no data");
        else for (const r of [options.canaryRevision, options.stableRevision]) if (!countMap.has(r)) problems.push(`no request_count series for ${r} in the window: no data (not zero errors)`);
    }
    if (pooledCounts.status === "rejected") problems.push(`the rollout's request counts could not be read: ${why(pooledCounts.reason)}`);
    if (pooledLatencies.status === "rejected") problems.push(`the rollout's latencies could not be read: ${why(pooledLatencies.reason)}`);
    type Counts = typeof countMap;
    type Latencies = typeof latencyMap;
    const observationIn = (counted: Counts, timed: Latencies) => (revision: string): RevisionObservation => ({
        revision,
        requests: counted?.get(revision)?.requests ?? 0,
        errors: counted?.get(revision)?.errors ?? 0,
        latency: timed?.get(revision),
    });
    const observation = observationIn(countMap, latencyMap);
    const pooledCountMap = pooledCounts.status === "fulfilled" ? pooledCounts.value : undefined;
    const pooledLatencyMap = pooledLatencies.status === "fulfilled" ? pooledLatencies.value : undefined;
    const pooled = pooledCountMap ? observationIn(pooledCountMap, pooledLatencyMap) : undefined;
    const input: StageInput = { canary: observation(options.canaryRevision), stable: observation(options.stableRevision), thresholds: options.thresholds, problems };
    const judgement = deps.judge ? deps.judge(input, pooled && { canary: pooled(options.canaryRevision), stable: pooled(options.stableRevision) }) : judgeStage(input);
    show.done();
    const analysis: Analysis = {
        generatedAt: now().toISOString(),
        environment: options.environment,
        project: options.project,
        region: options.region,
        service: options.service,
        window: { start: start.toISOString(), end: end.toISOString(), seconds: windowMs / 1000, ingestionLagSeconds: options.ingestionLagMs / 1000 },
        split,
        thresholds: options.thresholds,
        judgement,
        problems,
        queries,
        interrupted,
    };
    const files = writeAnalysisEvidence(options.outputDir, analysis, redactor, deps.stepSummaryFile, (line) => write(`${line}\n`));
    const decisionLine = `${judgement.decision.toUpperCase()}: ${judgement.reasons[0] ?? ""}`;
    write(`${excerpt(decisionLine, 1000, redactor)}\nevidence: ${files.summary}, ${files.json}\n`);
    if (!deps.http) http.close();
    return { judgement, analysis, exitCode: EXIT_CODES[judgement.decision], files };
}

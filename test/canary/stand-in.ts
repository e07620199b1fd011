// A loopback stand-in for Cloud Monitoring API v3 timeSeries.list and the Cloud Run Admin v2
// service and revision reads, with the real shapes: int64 values as strings, distributions with exponential
// buckets, pages with nextPageToken, executionErrors, empty answers ({}), Google's error bodies.
// It can be told to fail a route.
//
// As strict as Google for what the analysis sends (googleapis/googleapis at f8291d2b):
// - the path names the project (metric_service.proto:356, ListTimeSeriesRequest.name `projects/*`): another is refused;
// - interval.endTime is required and the start not after it (common.proto:55-100);
// - aggregation (common.proto:384-431): an aligner other than ALIGN_NONE needs an alignmentPeriod
//   of at least 60 s; a cross-series reducer needs such an aligner and period; groupByFields only
//   count with a reducer, and every field not grouped by is aggregated away. Enums arrive as names
//   or numbers (the official clients send numbers). ALIGN_DELTA sums each series' points per
//   period, REDUCE_SUM sums the aligned series of each group (distributions bucket by bucket);
//   any other aligner or reducer is refused as one this stand-in cannot apply;
// - the filter is evaluated clause by clause: exactly one metric.type, resource.type, and label
//   equalities (alone or OR-ed in parentheses); a label is a resource label of cloud_run_revision
//   (project_id, service_name, revision_name, location, configuration_name) or a metric label of
//   the Cloud Run request metrics (response_code, response_code_class, route), and a label asked
//   of the wrong kind matches nothing, as in Monitoring; a clause it cannot evaluate is refused;
// - every 2xx answer is checked against the official client libraries' protos (test/google-oracle.ts).

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { BucketOptions } from "../../canary/histogram";
import type { TimeSeries, TimeSeriesPoint } from "../../canary/monitoring";
import type { CloudRunService } from "../../io/gcp/types";
import { notGoogleShaped } from "../google-oracle";

// A Google access token's shape: "ya29." and random text (a word in it would be masked wherever it appears).
import { ALIGNED } from "../validation/cloud/environments";
import type { Healthy } from "../validation/fixtures/healthy";
export const TOKEN = "ya29.a0AfB_xK7qPz3mW9vR2tL8nY4cJ6hD0sF5gB1";
export const PROJECT = "openagentsgemini";
export const REGION = "us-central1";
export const SERVICE = "openagents-control-service";
export const CANARY = "openagents-control-service-9e8d7c6-a1b2c3";
export const STABLE = "openagents-control-service-3f9c2ab-92ef96";
export const BUCKET_OPTIONS = { exponentialBuckets: { numFiniteBuckets: 64, growthFactor: 1.4, scale: 1 } };

export interface Fault {
    status?: number;
    body?: string;
    retryAfter?: string;
    reset?: boolean;
    /** Never answer (the client's timeout or abort must end it). */
    hang?: boolean;
    times?: number;
}

/** A revision's traffic in the window: requests per class and latencies (ms) as samples. */
export interface RevisionTraffic {
    byClass: Record<string, number>;
    latenciesMs: number[];
}

export function traffic(requests: number, errors: number, latencyMs: (i: number) => number): RevisionTraffic {
    return { byClass: { "2xx": requests - errors, "5xx": errors }, latenciesMs: Array.from({ length: requests }, (_, i) => latencyMs(i)) };
}

/** Latencies spread evenly between lo and hi ms (deterministic). */
export const spread =
    (lo: number, hi: number, n: number) =>
    (i: number): number =>
        lo + ((hi - lo) * ((i * 7919) % n)) / n;

/** The bucket a sample falls in: 0 underflow, N+1 overflow (google/api/distribution.proto BucketOptions). */
function bucketIndex(v: number, options: BucketOptions): { index: number; buckets: number } {
    const e = options.exponentialBuckets;
    const l = options.linearBuckets;
    if (e) return { index: v < e.scale ? 0 : Math.min(e.numFiniteBuckets + 1, Math.floor(Math.log(v / e.scale) / Math.log(e.growthFactor)) + 1), buckets: e.numFiniteBuckets + 2 };
    if (l) {
        const offset = l.offset ?? 0;
        return { index: v < offset ? 0 : Math.min(l.numFiniteBuckets + 1, Math.floor((v - offset) / l.width) + 1), buckets: l.numFiniteBuckets + 2 };
    }
    const bounds = options.explicitBuckets?.bounds ?? [];
    const i = bounds.findIndex((b) => v < b);
    return { index: i === -1 ? bounds.length : i, buckets: bounds.length + 1 };
}

export interface Distribution {
    count: string;
    mean?: number;
    bucketOptions: BucketOptions;
    bucketCounts?: string[];
}

export function distribution(samples: number[], options: BucketOptions = BUCKET_OPTIONS): Distribution {
    const counts = new Array<number>(bucketIndex(0, options).buckets).fill(0);
    for (const v of samples) counts[bucketIndex(v, options).index]++;
    return distributionOf(
        counts,
        samples.reduce((a, b) => a + b, 0),
        options,
    );
}

/** A distribution from bucket counts and the sum of the samples, as proto3 JSON writes it (trailing zero buckets and a zero mean left out). */
function distributionOf(counts: number[], sum: number, options: BucketOptions): Distribution {
    const n = counts.reduce((a, b) => a + b, 0);
    let last = counts.length;
    while (last > 0 && counts[last - 1] === 0) last--;
    const mean = sum / Math.max(1, n);
    return { count: String(n), ...(mean !== 0 ? { mean } : {}), bucketOptions: options, ...(last > 0 ? { bucketCounts: counts.slice(0, last).map(String) } : {}) };
}

export interface MonitoringState {
    revisions: Record<string, RevisionTraffic>;
    /** The latency metric's bucket layout; BUCKET_OPTIONS (exponential) by default. */
    bucketOptions?: BucketOptions;
    /** trafficStatuses of the service. */
    split: Array<{ revision: string; percent: number }>;
    /** Series per page (pagination); default 2, so every answer takes pages. */
    pageSize: number;
    /** Each count split over this many points (sum every point). */
    pointsPerSeries: number;
    /**
     * Revision.create_time per revision (revision.proto:206, a Timestamp: RFC 3339 in JSON, as
     * Google sends it with nanoseconds); a revision not named here is NOT_FOUND.
     */
    created?: Record<string, string>;
}

export function healthyState(): MonitoringState {
    return {
        revisions: { [CANARY]: traffic(600, 1, spread(40, 160, 600)), [STABLE]: traffic(11_400, 10, spread(40, 160, 11_400)) },
        split: [
            { revision: STABLE, percent: 95 },
            { revision: CANARY, percent: 5 },
        ],
        pageSize: 2,
        pointsPerSeries: 2,
    };
}

/** Resource labels of the cloud_run_revision monitored resource; metric labels of run.googleapis.com/request_count and request_latencies. */
export const RESOURCE_LABELS = ["project_id", "service_name", "revision_name", "location", "configuration_name"] as const;
export const METRIC_LABELS = ["response_code", "response_code_class", "route"] as const;

/** Aligner and Reducer (common.proto:146-158, :296-322): names and numbers both arrive. */
const ALIGNERS: Record<string, string> = { "0": "ALIGN_NONE", "1": "ALIGN_DELTA", ALIGN_NONE: "ALIGN_NONE", ALIGN_DELTA: "ALIGN_DELTA" };
const REDUCERS: Record<string, string> = { "0": "REDUCE_NONE", "4": "REDUCE_SUM", REDUCE_NONE: "REDUCE_NONE", REDUCE_SUM: "REDUCE_SUM" };

type Labels = Record<string, string>;
type Match = (s: RawSeries) => boolean;

/** A raw series before aggregation: its labels of each kind, and points with their time. */
interface RawSeries {
    metricType: string;
    metricLabels: Labels;
    resourceLabels: Labels;
    valueType: "INT64" | "DISTRIBUTION";
    /** At time t (ms): an int64 count, or samples for a distribution. */
    points: { t: number; count?: number; samples?: number[] }[];
}

function labelTest(kind: string, key: string, values: string[]): Match {
    // A label asked of the wrong kind is absent from every series: it matches nothing.
    return (s) => {
        const labels = kind === "resource" ? s.resourceLabels : s.metricLabels;
        return key in labels && values.includes(labels[key]);
    };
}

/** The filter as a predicate, the metric type it names, or the clause that cannot be evaluated. */
function compileFilter(filter: string): { match: Match; metric: string } | { refuse: string } {
    const tests: Match[] = [];
    let metric: string | undefined;
    const equality = /^(resource|metric)\.labels\.([a-z_]+)\s*=\s*"([^"\\]*)"$/;
    for (const raw of filter.split(/\s+AND\s+/)) {
        const clause = raw.trim();
        let m: RegExpExecArray | null;
        if ((m = /^metric\.type\s*=\s*"([^"\\]+)"$/.exec(clause))) {
            if (metric !== undefined) return { refuse: `a second metric.type (${clause})` };
            metric = m[1];
        } else if ((m = /^resource\.type\s*=\s*"([^"\\]+)"$/.exec(clause))) {
            const want = m[1];
            tests.push(() => want === "cloud_run_revision");
        } else if ((m = equality.exec(clause))) {
            tests.push(labelTest(m[1], m[2], [m[3]]));
        } else if (/^\(.*\)$/.test(clause)) {
            const alternatives = clause
                .slice(1, -1)
                .split(/\s+OR\s+/)
                .map((a) => equality.exec(a.trim()));
            if (alternatives.some((a) => !a) || new Set(alternatives.map((a) => `${a![1]}.${a![2]}`)).size !== 1) return { refuse: clause };
            tests.push(
                labelTest(
                    alternatives[0]![1],
                    alternatives[0]![2],
                    alternatives.map((a) => a![3]),
                ),
            );
        } else return { refuse: clause };
    }
    if (!metric) return { refuse: "a filter without metric.type" };
    return { metric, match: (s) => s.metricType === metric && tests.every((t) => t(s)) };
}

function parseSeconds(value: string | null): number | undefined {
    const m = /^(\d+)(?:\.\d+)?s$/.exec(value ?? "");
    return m ? Number(m[1]) : undefined;
}

export class MonitoringStandIn {
    readonly requests: { path: string; authorization?: string }[] = [];
    /** Answers this stand-in would have given that Google could not (should stay empty). */
    readonly notGoogle: string[] = [];
    private readonly faults: { match: RegExp; fault: Fault; used: number }[] = [];
    private server?: http.Server;
    url = "";

    constructor(public state: MonitoringState) {}

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async close(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    /** Fails requests whose decoded path and query match. */
    fail(match: RegExp, fault: Fault): this {
        this.faults.push({ match, fault, used: 0 });
        return this;
    }

    private ok(res: http.ServerResponse, type: string, answer: unknown): void {
        const problem = notGoogleShaped(type, answer);
        if (problem) {
            this.notGoogle.push(problem);
            return send(res, 400, errorBody(400, `stand-in answer is not Google's: ${problem}`));
        }
        send(res, 200, JSON.stringify(answer));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const raw = req.url ?? "/";
        const line = decodeURIComponent(raw.replace(/\+/g, " "));
        this.requests.push({ path: line, authorization: req.headers.authorization });
        const fault = this.faults.find((f) => f.match.test(line) && (f.fault.times === undefined || f.used < f.fault.times));
        if (fault) {
            fault.used++;
            if (fault.fault.hang) return;
            if (fault.fault.reset) return void res.socket?.destroy();
            const status = fault.fault.status ?? 500;
            return send(res, status, fault.fault.body ?? errorBody(status, `stand-in fault ${status}`), fault.fault.retryAfter ? { "retry-after": fault.fault.retryAfter } : {});
        }
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, errorBody(401, "Request had invalid authentication credentials."));
        const url = new URL(raw, "http://stand-in");
        const run = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(url.pathname);
        if (run) {
            if (run[1] !== PROJECT) return send(res, 403, errorBody(403, `Permission denied on resource project ${run[1]}.`));
            if (run[2] !== REGION || run[3] !== SERVICE) return send(res, 404, errorBody(404, `Resource '${run[3]}' of kind 'SERVICE' in region '${run[2]}' in project '${run[1]}' does not exist.`));
            const service: CloudRunService = {
                name: `projects/${PROJECT}/locations/${REGION}/services/${SERVICE}`,
                trafficStatuses: this.state.split.map((s) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", ...s })),
            };
            return this.ok(res, "google.cloud.run.v2.Service", service);
        }
        const revision = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)\/revisions\/([^/]+)$/.exec(url.pathname);
        if (revision) {
            const [, project, region, service, name] = revision;
            if (project !== PROJECT) return send(res, 403, errorBody(403, `Permission denied on resource project ${project}.`));
            const createTime = region === REGION && service === SERVICE ? this.state.created?.[name] : undefined;
            if (!createTime) return send(res, 404, errorBody(404, `Resource '${name}' of kind 'REVISION' in region '${region}' in project '${project}' does not exist.`));
            return this.ok(res, "google.cloud.run.v2.Revision", { name: `projects/${PROJECT}/locations/${REGION}/services/${SERVICE}/revisions/${name}`, createTime });
        }
        const monitoring = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(url.pathname);
        if (!monitoring) return send(res, 404, errorBody(404, `no route ${url.pathname}`));
        if (monitoring[1] !== PROJECT) return send(res, 403, errorBody(403, `Permission monitoring.timeSeries.list denied (or the resource may not exist).`));
        this.listTimeSeries(url.searchParams, res);
    }

    private listTimeSeries(q: URLSearchParams, res: http.ServerResponse): void {
        const invalid = (message: string): void => send(res, 400, errorBody(400, message));
        const end = Date.parse(q.get("interval.endTime") ?? "");
        if (Number.isNaN(end)) return invalid("Field interval.endTime had an invalid value: a time is required");
        const start = q.get("interval.startTime") === null ? end : Date.parse(q.get("interval.startTime")!);
        if (Number.isNaN(start) || start > end) return invalid("Field interval.startTime had an invalid value: it must not be after interval.endTime");
        const aligner = ALIGNERS[q.get("aggregation.perSeriesAligner") ?? "ALIGN_NONE"];
        const reducer = REDUCERS[q.get("aggregation.crossSeriesReducer") ?? "REDUCE_NONE"];
        if (!aligner) return invalid(`stand-in cannot apply the aligner ${q.get("aggregation.perSeriesAligner")}: refused rather than ignored`);
        if (!reducer) return invalid(`stand-in cannot apply the reducer ${q.get("aggregation.crossSeriesReducer")}: refused rather than ignored`);
        const periodText = q.get("aggregation.alignmentPeriod");
        const period = parseSeconds(periodText);
        if (periodText !== null && period === undefined) return invalid(`Field aggregation.alignmentPeriod had an invalid value: ${periodText}`);
        if (aligner !== "ALIGN_NONE" && (period === undefined || period < 60)) return invalid("The alignment period must be at least 60 seconds when a per-series aligner is specified.");
        if (reducer !== "REDUCE_NONE" && (aligner === "ALIGN_NONE" || period === undefined))
            return invalid("A cross-series reducer requires a per-series aligner other than ALIGN_NONE and an alignment period.");
        const groupBy = q.getAll("aggregation.groupByFields");
        for (const field of groupBy)
            if (!/^(resource|metric)\.labels\.[a-z_]+$/.test(field) && field !== "resource.type" && field !== "metric.type") return invalid(`stand-in cannot group by ${field}`);
        const compiled = compileFilter(q.get("filter") ?? "");
        if ("refuse" in compiled) return invalid(`stand-in cannot evaluate the filter clause ${JSON.stringify(compiled.refuse)}: refused rather than ignored`);

        const raw = this.rawSeries(compiled.metric, start, end).filter(compiled.match);
        const windowed = raw.map((s) => ({ ...s, points: s.points.filter((p) => p.t > start && p.t <= end) }));
        const aligned = aligner === "ALIGN_DELTA" ? windowed.map((s) => alignDelta(s, end, period! * 1000)) : windowed;
        const out = reducer === "REDUCE_SUM" ? reduceSum(aligned, groupBy) : aligned;
        const all = out.filter((s) => s.points.length > 0).map((s) => this.toTimeSeries(s, aligner === "ALIGN_NONE" ? undefined : period! * 1000));
        const offset = Number(q.get("pageToken")?.replace("page-", "") ?? 0);
        const page = all.slice(offset, offset + this.state.pageSize);
        const answer: Record<string, unknown> = page.length ? { timeSeries: page, unit: compiled.metric.endsWith("latencies") ? "ms" : "1" } : {};
        if (offset + this.state.pageSize < all.length) answer.nextPageToken = `page-${offset + this.state.pageSize}`;
        this.ok(res, "google.monitoring.v3.ListTimeSeriesResponse", answer);
    }

    private toTimeSeries(s: RawSeries, periodMs: number | undefined): TimeSeries {
        const options = this.state.bucketOptions ?? BUCKET_OPTIONS;
        const points: TimeSeriesPoint[] = [...s.points]
            .sort((a, b) => b.t - a.t)
            .map((p) => {
                const endTime = new Date(p.t).toISOString();
                const startTime = new Date(p.t - (periodMs ?? 60_000)).toISOString();
                const value = s.valueType === "INT64" ? { int64Value: String(p.count ?? 0) } : { distributionValue: distribution(p.samples ?? [], options) };
                return { interval: { startTime, endTime }, value };
            });
        return {
            metric: { type: s.metricType, ...(Object.keys(s.metricLabels).length ? { labels: s.metricLabels } : {}) },
            resource: { type: "cloud_run_revision", ...(Object.keys(s.resourceLabels).length ? { labels: s.resourceLabels } : {}) },
            metricKind: "DELTA",
            valueType: s.valueType,
            points,
        };
    }

    /**
     * The stored traffic as Cloud Run reports it before any aggregation: per revision and
     * response code, `pointsPerSeries` points spread over the window (each class's count split
     * over two codes, so a sum across series is needed).
     */
    private rawSeries(metric: string, start: number, end: number): RawSeries[] {
        const out: RawSeries[] = [];
        const n = this.state.pointsPerSeries;
        const span = Math.max(end - start, 60_000);
        const at = (i: number): number => end - Math.floor(((i + 0.5) * span) / n);
        const resource = (revision: string): Labels => ({ project_id: PROJECT, service_name: SERVICE, revision_name: revision, location: REGION, configuration_name: SERVICE });
        const codes: Record<string, [string, string]> = { "2xx": ["200", "204"], "3xx": ["301", "304"], "4xx": ["404", "429"], "5xx": ["500", "503"] };
        for (const [revision, t] of Object.entries(this.state.revisions)) {
            if (metric === "run.googleapis.com/request_count") {
                for (const [codeClass, count] of Object.entries(t.byClass)) {
                    if (count === 0) continue;
                    const [a, b] = codes[codeClass] ?? [codeClass, codeClass];
                    for (const [code, share] of [
                        [a, Math.ceil(count / 2)],
                        [b, Math.floor(count / 2)],
                    ] as const) {
                        if (share === 0) continue;
                        const points = Array.from({ length: n }, (_, i) => ({ t: at(i), count: Math.floor(share / n) + (i < share % n ? 1 : 0) })).filter((p) => p.count > 0);
                        out.push({
                            metricType: metric,
                            metricLabels: { response_code: code, response_code_class: codeClass, route: "" },
                            resourceLabels: resource(revision),
                            valueType: "INT64",
                            points,
                        });
                    }
                }
            } else if (metric === "run.googleapis.com/request_latencies" && t.latenciesMs.length > 0) {
                for (const [k, code] of ["200", "500"].entries()) {
                    const mine = t.latenciesMs.filter((_, j) => j % 2 === k);
                    if (mine.length === 0) continue;
                    const points = Array.from({ length: n }, (_, i) => ({ t: at(i), samples: mine.filter((_, j) => j % n === i) })).filter((p) => p.samples.length > 0);
                    out.push({
                        metricType: metric,
                        metricLabels: { response_code: code, response_code_class: `${code[0]}xx`, route: "" },
                        resourceLabels: resource(revision),
                        valueType: "DISTRIBUTION",
                        points,
                    });
                }
            }
        }
        return out;
    }
}

/** ALIGN_DELTA: the points of each alignment period (ending at `end`, going back) summed into one at its end. */
function alignDelta(s: RawSeries, end: number, periodMs: number): RawSeries {
    const byPeriod = new Map<number, { t: number; count?: number; samples?: number[] }>();
    for (const p of s.points) {
        const k = Math.floor((end - p.t) / periodMs);
        const into = byPeriod.get(k) ?? { t: end - k * periodMs, ...(s.valueType === "INT64" ? { count: 0 } : { samples: [] }) };
        if (s.valueType === "INT64") into.count! += p.count ?? 0;
        else into.samples!.push(...(p.samples ?? []));
        byPeriod.set(k, into);
    }
    return { ...s, points: [...byPeriod.values()] };
}

/** REDUCE_SUM over groupByFields: one series per group, carrying only the grouped labels (each of its own kind). */
function reduceSum(series: RawSeries[], groupBy: string[]): RawSeries[] {
    const groups = new Map<string, RawSeries>();
    for (const s of series) {
        const metricLabels: Labels = {};
        const resourceLabels: Labels = {};
        for (const field of groupBy) {
            const m = /^(resource|metric)\.labels\.([a-z_]+)$/.exec(field);
            if (!m) continue;
            const from = m[1] === "resource" ? s.resourceLabels : s.metricLabels;
            if (m[2] in from) (m[1] === "resource" ? resourceLabels : metricLabels)[m[2]] = from[m[2]];
        }
        const key = JSON.stringify([s.metricType, metricLabels, resourceLabels]);
        const group = groups.get(key) ?? { ...s, metricLabels, resourceLabels, points: [] };
        for (const p of s.points) {
            const same = group.points.find((q) => q.t === p.t);
            if (!same) group.points.push({ t: p.t, ...(p.count !== undefined ? { count: p.count } : {}), ...(p.samples ? { samples: [...p.samples] } : {}) });
            else if (s.valueType === "INT64") same.count = (same.count ?? 0) + (p.count ?? 0);
            else same.samples = [...(same.samples ?? []), ...(p.samples ?? [])];
        }
        groups.set(key, group);
    }
    return [...groups.values()];
}

const NAMES: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };

export function errorBody(code: number, message: string): string {
    return JSON.stringify({ error: { code, status: NAMES[code] ?? "UNKNOWN", message } });
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(body);
}

/** Prod's stack outputs pointing the rollout's gate at a healthy loopback environment. */
export function prodOutputsOf(h: Healthy): Record<string, string> {
    return {
        environment: "prod",
        project: PROJECT,
        region: REGION,
        controlServiceName: ALIGNED.control,
        controlBaseUrl: h.servers.prodControl.url,
        runtimeServiceName: ALIGNED.runtime,
        runtimeServiceUrl: h.servers.prodRuntime.url,
        migrateJobName: ALIGNED.job,
    };
}

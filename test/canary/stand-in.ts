// A loopback stand-in for Cloud Monitoring API v3 timeSeries.list and the Cloud Run Admin v2
// service read, with the real shapes: int64 values as strings, distributions with exponential
// buckets, pages with nextPageToken, executionErrors, empty answers ({}), Google's error bodies.
// It honours the filter's metric.type and revision names, and can be told to fail a route.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { TimeSeries } from "../../canary/monitoring";
import type { CloudRunService } from "../../validation/gcp/types";

export const TOKEN = "ya29.canary-stand-in-token-0123456789";
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
export const spread = (lo: number, hi: number, n: number) => (i: number): number => lo + ((hi - lo) * ((i * 7919) % n)) / n;

export function distribution(samples: number[]): { count: string; mean: number; bucketOptions: typeof BUCKET_OPTIONS; bucketCounts: string[] } {
    const { numFiniteBuckets, growthFactor, scale } = BUCKET_OPTIONS.exponentialBuckets;
    const counts = new Array<number>(numFiniteBuckets + 2).fill(0);
    for (const v of samples) {
        const i = v < scale ? 0 : Math.min(numFiniteBuckets + 1, Math.floor(Math.log(v / scale) / Math.log(growthFactor)) + 1);
        counts[i]++;
    }
    let last = counts.length;
    while (last > 0 && counts[last - 1] === 0) last--;
    return { count: String(samples.length), mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length), bucketOptions: BUCKET_OPTIONS, bucketCounts: counts.slice(0, last).map(String) };
}

export interface MonitoringState {
    revisions: Record<string, RevisionTraffic>;
    /** trafficStatuses of the service. */
    split: Array<{ revision: string; percent: number }>;
    /** Series per page (pagination); default 2, so every answer takes pages. */
    pageSize: number;
    /** Each count split over this many points (sum every point). */
    pointsPerSeries: number;
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

export class MonitoringStandIn {
    readonly requests: { path: string; authorization?: string }[] = [];
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
        if (url.pathname === `/v2/projects/${PROJECT}/locations/${REGION}/services/${SERVICE}`) {
            const service: CloudRunService = { name: `projects/${PROJECT}/locations/${REGION}/services/${SERVICE}`, trafficStatuses: this.state.split.map((s) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", ...s })) };
            return send(res, 200, JSON.stringify(service));
        }
        if (url.pathname !== `/v3/projects/${PROJECT}/timeSeries`) return send(res, 404, errorBody(404, `no route ${url.pathname}`));
        const filter = url.searchParams.get("filter") ?? "";
        const metric = /metric\.type="([^"]+)"/.exec(filter)?.[1];
        if (!metric || !url.searchParams.get("interval.endTime")) return send(res, 400, errorBody(400, "Field filter/interval.endTime had an invalid value"));
        const wanted = [...filter.matchAll(/resource\.labels\.revision_name="([^"]+)"/g)].map((m) => m[1]);
        const all = this.series(metric, url.searchParams.get("interval.endTime")!).filter((s) => wanted.includes(s.resource!.labels!.revision_name));
        const offset = Number(url.searchParams.get("pageToken")?.replace("page-", "") ?? 0);
        const page = all.slice(offset, offset + this.state.pageSize);
        const answer: Record<string, unknown> = page.length ? { timeSeries: page, unit: metric.endsWith("latencies") ? "ms" : "1" } : {};
        if (offset + this.state.pageSize < all.length) answer.nextPageToken = `page-${offset + this.state.pageSize}`;
        send(res, 200, JSON.stringify(answer));
    }

    private series(metric: string, endTime: string): TimeSeries[] {
        const out: TimeSeries[] = [];
        const n = this.state.pointsPerSeries;
        const resource = (revision: string) => ({ type: "cloud_run_revision", labels: { project_id: PROJECT, service_name: SERVICE, revision_name: revision, location: REGION, configuration_name: SERVICE } });
        for (const [revision, t] of Object.entries(this.state.revisions)) {
            if (metric === "run.googleapis.com/request_count") {
                for (const [codeClass, count] of Object.entries(t.byClass)) {
                    if (count === 0) continue;
                    // Newest first; the counts split over the points.
                    const points = Array.from({ length: n }, (_, i) => ({ interval: { startTime: endTime, endTime }, value: { int64Value: String(Math.floor(count / n) + (i < count % n ? 1 : 0)) } }));
                    out.push({ metric: { type: metric, labels: { response_code_class: codeClass } }, resource: resource(revision), metricKind: "DELTA", valueType: "INT64", points });
                }
            } else if (t.latenciesMs.length > 0) {
                const parts = Array.from({ length: n }, (_, i) => t.latenciesMs.filter((_, k) => k % n === i));
                out.push({ metric: { type: metric }, resource: resource(revision), metricKind: "DELTA", valueType: "DISTRIBUTION", points: parts.map((p) => ({ interval: { startTime: endTime, endTime }, value: { distributionValue: distribution(p) } })) });
            }
        }
        return out;
    }
}

const NAMES: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };

export function errorBody(code: number, message: string): string {
    return JSON.stringify({ error: { code, status: NAMES[code] ?? "UNKNOWN", message } });
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(body);
}

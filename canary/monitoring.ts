// Reads of Cloud Monitoring API v3 projects.timeSeries.list over REST, through the gate's
// GcpClient (bearer token, 429/5xx retries, GcpApiError with causes). Every page is followed
// (bounded); executionErrors mean the data is incomplete; int64 values arrive as strings; an
// answer that is not the documented shape is an error, never a number.

import type { RequestContext } from "../io/request";
import type { GcpClient } from "../io/gcp/client";
import { GcpApiError } from "../io/gcp/errors";
import type { Redactor } from "../io/redact";
import { excerpt } from "../io/text";
import { type BucketOptions, type Histogram, bucketBounds, mergeHistograms } from "./histogram";

export const DEFAULT_CLOUD_MONITORING_API_URL = "https://monitoring.googleapis.com";
export const MONITORING_READ_SCOPE = "https://www.googleapis.com/auth/monitoring.read";
const API = "Cloud Monitoring API";
/** A window of one stage fits in a page or two; more pages than this is a runaway answer. */
export const MAX_PAGES = 20;

export interface TimeSeriesPoint {
    interval?: { startTime?: string; endTime?: string };
    value?: {
        int64Value?: string | number;
        doubleValue?: number;
        distributionValue?: { count?: string | number; mean?: number; bucketOptions?: BucketOptions; bucketCounts?: Array<string | number> };
    };
}

export interface TimeSeries {
    metric?: { type?: string; labels?: Record<string, string> };
    resource?: { type?: string; labels?: Record<string, string> };
    metricKind?: string;
    valueType?: string;
    points?: TimeSeriesPoint[];
}

interface ListTimeSeriesResponse {
    timeSeries?: TimeSeries[];
    nextPageToken?: string;
    executionErrors?: Array<{ code?: number; message?: string }>;
}

/** One query as sent (every parameter but the page token), for the evidence. */
export interface SentQuery {
    what: string;
    path: string;
    params: Array<[string, string]>;
    pages: number;
}

export class MonitoringApi {
    constructor(
        private readonly client: GcpClient,
        private readonly baseUrl: string,
        private readonly project: string,
        private readonly redactor: Redactor,
    ) {}

    get path(): string {
        return `/v3/projects/${encodeURIComponent(this.project)}/timeSeries`;
    }

    /** Every series of the query, all pages followed; `sent` records the query as it went out. */
    async listTimeSeries(ctx: RequestContext, what: string, params: Array<[string, string]>, sent: SentQuery[]): Promise<TimeSeries[]> {
        const record: SentQuery = { what, path: this.path, params, pages: 0 };
        sent.push(record);
        const series: TimeSeries[] = [];
        const seen = new Set<string>();
        let token: string | undefined;
        for (;;) {
            if (record.pages >= MAX_PAGES) throw new GcpApiError("bad-response", `${API} gave more than ${MAX_PAGES} pages for ${what}: stopped reading`);
            const query = new URLSearchParams(params);
            if (token) query.set("pageToken", token);
            const url = `${this.baseUrl.replace(/\/+$/, "")}${this.path}?${query.toString()}`;
            let page: ListTimeSeriesResponse;
            try {
                page = await this.client.json<ListTimeSeriesResponse>(ctx, API, what, "GET", url);
            } catch (error) {
                // A role is the remedy only for a permission denial, not for a disabled API or a token's scope.
                if (error instanceof GcpApiError && error.kind === "forbidden" && (error.reason === undefined || error.reason === "IAM_PERMISSION_DENIED")) {
                    throw new GcpApiError("forbidden", `${error.message}; reading metrics needs roles/monitoring.viewer`, error.status, error.reason);
                }
                throw error;
            }
            record.pages++;
            if (Array.isArray(page.executionErrors) && page.executionErrors.length > 0) {
                const first = page.executionErrors[0];
                const message = typeof first?.message === "string" ? excerpt(first.message, 160, this.redactor) : "no message";
                throw new GcpApiError("bad-response", `${API} reported executionErrors for ${what} (the data may be incomplete): ${message}`);
            }
            if (page.timeSeries !== undefined && !Array.isArray(page.timeSeries)) throw new GcpApiError("bad-response", `${API} answered ${what} with timeSeries that is not a list`);
            series.push(...(page.timeSeries ?? []));
            const next = page.nextPageToken;
            if (next === undefined || next === "") return series;
            if (typeof next !== "string" || seen.has(next)) throw new GcpApiError("bad-response", `${API} repeated a page token for ${what}: stopped reading`);
            seen.add(next);
            token = next;
        }
    }
}

/** An int64 of the proto3 JSON mapping (a decimal string, or a number): a non-negative integer, else an error. */
export function int64(value: unknown, what: string): number {
    const n = typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : typeof value === "number" ? value : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new GcpApiError("bad-response", `${API} answered ${what} with a count that is not a non-negative integer: ${JSON.stringify(value)?.slice(0, 40)}`);
    return n;
}

function revisionOf(series: TimeSeries, what: string): string {
    const revision = series.resource?.labels?.revision_name;
    if (typeof revision !== "string" || revision === "") throw new GcpApiError("bad-response", `${API} answered ${what} with a series without resource.labels.revision_name`);
    return revision;
}

export interface RequestCounts {
    requests: number;
    errors: number;
}

/** request_count series grouped by revision and response_code_class: every point of every series summed. */
export function requestCountsByRevision(series: readonly TimeSeries[]): Map<string, RequestCounts> {
    const out = new Map<string, RequestCounts>();
    const what = "request_count";
    for (const s of series) {
        const revision = revisionOf(s, what);
        const codeClass = s.metric?.labels?.response_code_class;
        if (!Array.isArray(s.points)) throw new GcpApiError("bad-response", `${API} answered ${what} with a series without points`);
        let sum = 0;
        for (const p of s.points) sum += int64(p.value?.int64Value, what);
        const entry = out.get(revision) ?? { requests: 0, errors: 0 };
        entry.requests += sum;
        if (codeClass === "5xx") entry.errors += sum;
        out.set(revision, entry);
    }
    return out;
}

/** request_latencies series grouped by revision: every point's distribution merged into one histogram per revision. */
export function latencyHistogramsByRevision(series: readonly TimeSeries[]): Map<string, Histogram> {
    const parts = new Map<string, Histogram[]>();
    const what = "request_latencies";
    for (const s of series) {
        const revision = revisionOf(s, what);
        if (!Array.isArray(s.points)) throw new GcpApiError("bad-response", `${API} answered ${what} with a series without points`);
        for (const p of s.points) {
            const d = p.value?.distributionValue;
            if (!d || typeof d !== "object") throw new GcpApiError("bad-response", `${API} answered ${what} with a point that is not a distribution`);
            const count = int64(d.count ?? "0", what);
            if (count === 0) continue;
            const bounds = bucketBounds(d.bucketOptions);
            if (!bounds) throw new GcpApiError("bad-response", `${API} answered ${what} with bucketOptions that are not exponential, linear or explicit buckets`);
            const raw = Array.isArray(d.bucketCounts) ? d.bucketCounts : [];
            if (raw.length > bounds.length + 1) throw new GcpApiError("bad-response", `${API} answered ${what} with more bucketCounts (${raw.length}) than buckets (${bounds.length + 1})`);
            const counts = new Array<number>(bounds.length + 1).fill(0);
            raw.forEach((c, i) => (counts[i] = int64(c, what)));
            if (counts.reduce((a, b) => a + b, 0) !== count) throw new GcpApiError("bad-response", `${API} answered ${what} with bucketCounts that do not add up to its count ${count}`);
            const list = parts.get(revision) ?? [];
            list.push({ bounds, counts, count });
            parts.set(revision, list);
        }
    }
    const out = new Map<string, Histogram>();
    for (const [revision, list] of parts) {
        const merged = mergeHistograms(list);
        if (!merged) throw new GcpApiError("bad-response", `${API} answered ${what} for ${revision} with histograms of different bucket layouts`);
        out.set(revision, merged);
    }
    return out;
}

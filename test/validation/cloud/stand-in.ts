// A loopback stand-in for the Cloud Run Admin API v2 and Cloud Logging v2 endpoints the gate
// reads. It serves a scripted state (services, revisions, jobs, executions, log entries), checks
// the bearer token, answers unknown resources with Google's 404 body, and can be told to fail a
// route: any status with Google's error body, 429 with Retry-After, a body that is not JSON, or a
// reset connection. Every request is recorded so tests can assert what the gate asked.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudRunExecution, CloudRunJob, CloudRunRevision, CloudRunService, LogEntry } from "../../../validation/gcp/types";

export interface CloudState {
    project: string;
    region: string;
    /** By short service name. */
    services: Record<string, CloudRunService>;
    /** By short revision name (the service is taken from the path). */
    revisions: Record<string, CloudRunRevision>;
    jobs: Record<string, CloudRunJob>;
    /** By job name. */
    executions: Record<string, CloudRunExecution[]>;
    /** By service name. */
    logs: Record<string, LogEntry[]>;
}

export interface Fault {
    /** Status to answer (with Google's error body unless `body` is given). */
    status?: number;
    retryAfter?: string;
    body?: string;
    /** Destroy the socket instead of answering. */
    reset?: boolean;
    /** Apply this many times, then serve normally (default: always). */
    times?: number;
}

export interface RecordedRequest {
    method: string;
    /** Path and query. */
    path: string;
    authorization?: string;
    body?: unknown;
}

const STATUS_NAMES: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
};

const SEVERITY_RANK: Record<string, number> = { DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800 };

export function googleErrorBody(code: number, message: string): string {
    return JSON.stringify({ error: { code, status: STATUS_NAMES[code] ?? "UNKNOWN", message } });
}

export class CloudStandIn {
    readonly requests: RecordedRequest[] = [];
    private readonly faults: { match: RegExp; fault: Fault; used: number }[] = [];
    private server?: http.Server;

    constructor(
        public state: CloudState,
        /** The bearer token to accept; undefined accepts any. */
        readonly token?: string,
    ) {}

    /** Base URL, e.g. http://127.0.0.1:40123 (both APIs are served from it). */
    url = "";

    /** Every answer comes this long after its request (the bench's slow APIs). */
    delayMs = 0;

    /** Logging answers this many empty pages (with a nextPageToken) before the entries, as it does while it searches. */
    emptyLogPagesFirst = 0;

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async close(): Promise<void> {
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    /** Fails every request whose method and path ("GET /v2/projects/...") match. */
    fail(match: RegExp, fault: Fault): this {
        this.faults.push({ match, fault, used: 0 });
        return this;
    }

    /** Requests whose "METHOD path" matches. */
    requestsTo(match: RegExp): RecordedRequest[] {
        return this.requests.filter((r) => match.test(`${r.method} ${r.path}`));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            if (this.delayMs > 0) setTimeout(() => this.answer(req, res, raw), this.delayMs);
            else this.answer(req, res, raw);
        });
    }

    private answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
        let body: unknown;
        try {
            body = raw ? JSON.parse(raw) : undefined;
        } catch {
            body = raw;
        }
        const path = req.url ?? "/";
        this.requests.push({ method: req.method ?? "GET", path, authorization: req.headers.authorization, body });
        const line = `${req.method} ${path}`;
        const fault = this.faults.find((f) => f.match.test(line) && (f.fault.times === undefined || f.used < f.fault.times));
        if (fault) {
            fault.used++;
            return this.answerFault(res, fault.fault);
        }
        if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
            return send(res, 401, googleErrorBody(401, "Request had invalid authentication credentials. Expected OAuth 2 access token."));
        }
        this.route(req.method ?? "GET", path, body, res);
    }

    private answerFault(res: http.ServerResponse, fault: Fault): void {
        if (fault.reset) {
            res.socket?.destroy();
            return;
        }
        const status = fault.status ?? 500;
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {};
        send(res, status, fault.body ?? googleErrorBody(status, `stand-in fault ${status}`), headers);
    }

    private route(method: string, path: string, body: unknown, res: http.ServerResponse): void {
        const url = new URL(path, "http://stand-in");
        if (method === "POST" && url.pathname === "/v2/entries:list") return this.listEntries(body, res);
        const m = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/(services|jobs)\/([^/]+)(?:\/(revisions|executions)(?:\/([^/]+))?)?$/.exec(url.pathname);
        if (method !== "GET" || !m) return send(res, 404, googleErrorBody(404, `no route ${method} ${url.pathname}`));
        const [, project, region, collection, name, sub, subName] = m.map((p) => (p === undefined ? p : decodeURIComponent(p)));
        const kind = collection === "services" ? "SERVICE" : "JOB";
        if (project !== this.state.project || region !== this.state.region) {
            return send(res, 403, googleErrorBody(403, `Permission denied on resource project ${project}.`));
        }
        const parent = collection === "services" ? this.state.services[name] : this.state.jobs[name];
        if (!parent) return send(res, 404, googleErrorBody(404, `Resource '${name}' of kind '${kind}' in region '${region}' in project '${project}' does not exist.`));
        if (!sub) return send(res, 200, JSON.stringify(parent));
        if (sub === "revisions" && subName) {
            const revision = this.state.revisions[subName];
            if (!revision) return send(res, 404, googleErrorBody(404, `Resource '${subName}' of kind 'REVISION' in region '${region}' in project '${project}' does not exist.`));
            return send(res, 200, JSON.stringify(revision));
        }
        if (sub === "executions" && !subName) {
            const executions = this.state.executions[name] ?? [];
            return send(res, 200, JSON.stringify(executions.length ? { executions } : {}));
        }
        return send(res, 404, googleErrorBody(404, `no route ${method} ${url.pathname}`));
    }

    /** Honours the parts of the filter the gate sends: service_name, severity>=, timestamp>=. */
    private listEntries(body: unknown, res: http.ServerResponse): void {
        const request = (body ?? {}) as { resourceNames?: string[]; filter?: string; pageSize?: number; pageToken?: string };
        if (!request.resourceNames?.includes(`projects/${this.state.project}`)) {
            return send(res, 403, googleErrorBody(403, `The caller does not have permission on ${String(request.resourceNames)}`));
        }
        const filter = request.filter ?? "";
        const service = /resource\.labels\.service_name="([^"]*)"/.exec(filter)?.[1];
        const minSeverity = /severity>=([A-Z]+)/.exec(filter)?.[1];
        const since = /timestamp>="([^"]+)"/.exec(filter)?.[1];
        let entries = service === undefined ? Object.values(this.state.logs).flat() : this.state.logs[service] ?? [];
        // A severity clause ORed with JSON level fields and a text regex matches any of them (Logging query language: OR, =, =~, :).
        const jsonLevels = [...filter.matchAll(/jsonPayload\.(level|severity)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const);
        const textRegex = /textPayload=~("(?:[^"\\]|\\.)*")/.exec(filter)?.[1];
        const textHas = [...filter.matchAll(/textPayload:("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string);
        const matchesLevel = (e: LogEntry): boolean =>
            (SEVERITY_RANK[e.severity ?? "DEFAULT"] ?? 0) >= (SEVERITY_RANK[minSeverity ?? "DEFAULT"] ?? 0) ||
            jsonLevels.some(([k, v]) => e.jsonPayload?.[k] === v) ||
            (textRegex !== undefined && typeof e.textPayload === "string" && new RegExp(JSON.parse(textRegex) as string).test(e.textPayload)) ||
            textHas.some((t) => typeof e.textPayload === "string" && e.textPayload.toLowerCase().includes(t.toLowerCase()));
        if (minSeverity) entries = entries.filter(matchesLevel);
        if (since) entries = entries.filter((e) => (e.timestamp ?? "") >= since);
        entries = [...entries].sort((a, b) => (b.timestamp ?? "").localeCompare(a.timestamp ?? ""));
        // Tokens are opaque to the gate: here "empty:<pages served>" or "offset:<n>".
        const token = request.pageToken ?? "";
        const emptyServed = /^empty:(\d+)$/.exec(token) ? Number(/^empty:(\d+)$/.exec(token)![1]) : token === "" ? 0 : this.emptyLogPagesFirst;
        if (emptyServed < this.emptyLogPagesFirst) return send(res, 200, JSON.stringify({ nextPageToken: `empty:${emptyServed + 1}` }));
        const offset = /^offset:(\d+)$/.exec(token) ? Number(/^offset:(\d+)$/.exec(token)![1]) : 0;
        const pageSize = request.pageSize ?? 50;
        const page = entries.slice(offset, offset + pageSize);
        const answer: Record<string, unknown> = page.length ? { entries: page } : {};
        if (entries.length > offset + pageSize) answer.nextPageToken = `offset:${offset + pageSize}`;
        send(res, 200, JSON.stringify(answer));
    }
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(body);
}

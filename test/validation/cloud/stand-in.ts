// A loopback stand-in for the Cloud Run Admin API v2 and Cloud Logging v2 endpoints the gate
// reads. It serves a scripted state (services, revisions, jobs, executions, log entries), checks
// the bearer token, answers unknown resources with Google's 404 body, and can be told to fail a
// route: any status with Google's error body, 429 with Retry-After, a body that is not JSON, or a
// reset connection. Every request is recorded so tests can assert what the gate asked.
//
// As strict as Google for what the gate sends (googleapis/googleapis at f8291d2b):
// - Cloud Run paths name the project and region (service.proto:50-98, `projects/*/locations/*`):
//   another project is refused (403), another region holds nothing (404), and a revision is only
//   found under its own service (revision.proto:174, `projects/{project}/locations/{location}/services/{service}/revisions/{revision}`).
// - ListExecutions honours page_size (execution.proto:111) and says when more remain.
// - entries:list (logging.proto:253-297): resource_names required, each `projects/<id>`; page_size
//   default 50, negative or over 1000 refused; order_by only "timestamp asc" (the default) or
//   "timestamp desc"; a filter of at most 20,000 characters. The filter is evaluated clause by
//   clause; a clause this stand-in cannot evaluate is refused, never ignored.
// - Every 2xx answer is checked against the official client libraries' protos (test/google-oracle.ts):
//   an answer Google could not give (an unknown field, an empty list, a default value written out)
//   is answered 400 "stand-in answer is not Google's" and recorded, so the test fails where it is.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudRunExecution, CloudRunJob, CloudRunRevision, CloudRunService, LogEntry } from "../../../io/gcp/types";
import { notGoogleShaped } from "../../google-oracle";

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
    /** Answers this stand-in would have given that Google could not (should stay empty). */
    readonly notGoogle: string[] = [];
    private readonly faults: { match: RegExp; fault: Fault; used: number }[] = [];
    private server?: http.Server;

    constructor(
        public state: CloudState,
        /** The bearer token to accept; undefined accepts any. */
        readonly token?: string,
    ) {}

    /** Base URL, e.g. http://127.0.0.1:40123 (both APIs are served from it). */
    url = "";

    /** Which bearer tokens are valid now (e.g. unexpired on a test's clock); overrides `token`. */
    acceptsToken?: (token: string) => boolean;

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
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        if (this.acceptsToken ? !this.acceptsToken(bearer) : this.token !== undefined && bearer !== this.token) {
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

    /** A 2xx answer of proto type `type`, checked to be one Google could give. */
    private ok(res: http.ServerResponse, type: string, answer: unknown): void {
        const problem = notGoogleShaped(type, answer);
        if (problem) {
            this.notGoogle.push(problem);
            return send(res, 400, googleErrorBody(400, `stand-in answer is not Google's: ${problem}`));
        }
        send(res, 200, JSON.stringify(answer));
    }

    private route(method: string, path: string, body: unknown, res: http.ServerResponse): void {
        const url = new URL(path, "http://stand-in");
        if (method === "POST" && url.pathname === "/v2/entries:list") return this.listEntries(body, res);
        const m = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/(services|jobs)\/([^/]+)(?:\/(revisions|executions)(?:\/([^/]+))?)?$/.exec(url.pathname);
        if (method !== "GET" || !m) return send(res, 404, googleErrorBody(404, `no route ${method} ${url.pathname}`));
        const [, project, region, collection, name, sub, subName] = m.map((p) => (p === undefined ? p : decodeURIComponent(p)));
        const kind = collection === "services" ? "SERVICE" : "JOB";
        if (project !== this.state.project) {
            return send(res, 403, googleErrorBody(403, `Permission denied on resource project ${project}.`));
        }
        // Another region is another place: nothing of this state is there.
        const parent = region !== this.state.region ? undefined : collection === "services" ? this.state.services[name] : this.state.jobs[name];
        if (!parent) return send(res, 404, googleErrorBody(404, `Resource '${name}' of kind '${kind}' in region '${region}' in project '${project}' does not exist.`));
        if (!sub) return this.ok(res, collection === "services" ? "google.cloud.run.v2.Service" : "google.cloud.run.v2.Job", parent);
        if (sub === "revisions" && subName && collection === "services") {
            const revision = this.state.revisions[subName];
            // A revision's name carries its service: asked under another service, it is not there.
            const owner = /\/services\/([^/]+)\/revisions\//.exec(revision?.name ?? "")?.[1];
            if (!revision || (owner !== undefined && owner !== name)) {
                return send(res, 404, googleErrorBody(404, `Resource '${subName}' of kind 'REVISION' in region '${region}' in project '${project}' does not exist.`));
            }
            return this.ok(res, "google.cloud.run.v2.Revision", revision);
        }
        if (sub === "executions" && !subName && collection === "jobs") {
            const pageSize = Number(url.searchParams.get("pageSize") ?? "0");
            if (!Number.isInteger(pageSize) || pageSize < 0) return send(res, 400, googleErrorBody(400, `Invalid value at 'page_size' (TYPE_INT32), "${url.searchParams.get("pageSize")}"`));
            const executions = this.state.executions[name] ?? [];
            const offset = Number(/^offset:(\d+)$/.exec(url.searchParams.get("pageToken") ?? "")?.[1] ?? 0);
            const size = pageSize === 0 ? 100 : pageSize;
            const page = executions.slice(offset, offset + size);
            return this.ok(res, "google.cloud.run.v2.ListExecutionsResponse", {
                ...(page.length ? { executions: page } : {}),
                ...(executions.length > offset + size ? { nextPageToken: `offset:${offset + size}` } : {}),
            });
        }
        return send(res, 404, googleErrorBody(404, `no route ${method} ${url.pathname}`));
    }

    /** entries:list as logging.proto:253-297 defines it, with the filter clauses the gate sends evaluated. */
    private listEntries(body: unknown, res: http.ServerResponse): void {
        const request = (body ?? {}) as { resourceNames?: unknown; filter?: unknown; pageSize?: unknown; pageToken?: unknown; orderBy?: unknown };
        const invalid = (message: string): void => send(res, 400, googleErrorBody(400, message));
        if (!Array.isArray(request.resourceNames) || request.resourceNames.length === 0) return invalid("resource_names: at least one resource name is required");
        for (const r of request.resourceNames)
            if (typeof r !== "string" || !/^(projects|organizations|folders|billingAccounts)\/[^/]+/.test(r)) return invalid(`resource_names: invalid resource name ${JSON.stringify(r)}`);
        if (!request.resourceNames.includes(`projects/${this.state.project}`)) {
            return send(res, 403, googleErrorBody(403, `The caller does not have permission on ${String(request.resourceNames)}`));
        }
        const pageSize = request.pageSize === undefined ? 0 : request.pageSize;
        if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 0 || pageSize > 1000) return invalid(`page_size must be between 0 and 1000, got ${JSON.stringify(pageSize)}`);
        const orderBy = request.orderBy ?? "";
        if (orderBy !== "" && orderBy !== "timestamp asc" && orderBy !== "timestamp desc")
            return invalid(`order_by: only "timestamp asc" and "timestamp desc" are supported, got ${JSON.stringify(orderBy)}`);
        const filter = typeof request.filter === "string" ? request.filter : "";
        if (filter.length > 20_000) return invalid("filter: longer than 20000 characters");
        const matches = compileLogFilter(filter);
        if (typeof matches === "string") return invalid(`stand-in cannot evaluate the filter clause ${JSON.stringify(matches)}: refused rather than ignored`);
        let entries = Object.values(this.state.logs).flat().filter(matches);
        entries = [...entries].sort((a, b) => (a.timestamp ?? "").localeCompare(b.timestamp ?? "") * (orderBy === "timestamp desc" ? -1 : 1));
        // Tokens are opaque to the gate: here "empty:<pages served>" or "offset:<n>".
        const token = typeof request.pageToken === "string" ? request.pageToken : "";
        const emptyServed = /^empty:(\d+)$/.exec(token) ? Number(/^empty:(\d+)$/.exec(token)![1]) : token === "" ? 0 : this.emptyLogPagesFirst;
        if (emptyServed < this.emptyLogPagesFirst) return this.ok(res, "google.logging.v2.ListLogEntriesResponse", { nextPageToken: `empty:${emptyServed + 1}` });
        const offset = /^offset:(\d+)$/.exec(token) ? Number(/^offset:(\d+)$/.exec(token)![1]) : 0;
        const size = pageSize === 0 ? 50 : pageSize;
        const page = entries.slice(offset, offset + size);
        const answer: Record<string, unknown> = page.length ? { entries: page } : {};
        if (entries.length > offset + size) answer.nextPageToken = `offset:${offset + size}`;
        this.ok(res, "google.logging.v2.ListLogEntriesResponse", answer);
    }
}

/**
 * A Logging filter of clauses joined by AND (the query language's implicit and explicit AND), each
 * clause one comparison or a parenthesised group of comparisons joined by OR:
 * `resource.type="..."`, `resource.labels.<key>="..."`, `logName="..."`, `severity>=LEVEL`,
 * `timestamp>="RFC3339"`, `jsonPayload.<field>="..."`, `textPayload=~"RE2"` and `textPayload:"..."`
 * (cloud.google.com/logging/docs/view/logging-query-language: `:` is "has", case-insensitive).
 * Anything else is returned as the clause it could not evaluate.
 */
export function compileLogFilter(filter: string): ((entry: LogEntry) => boolean) | string {
    const tests: ((entry: LogEntry) => boolean)[] = [];
    for (const clause of splitOutsideQuotes(filter.trim(), "AND")) {
        let c = clause.trim();
        if (c.startsWith("(") && c.endsWith(")")) c = c.slice(1, -1).trim();
        const alternatives: ((entry: LogEntry) => boolean)[] = [];
        for (const part of splitOutsideQuotes(c, "OR")) {
            const test = compileComparison(part.trim());
            if (test === undefined) return part.trim();
            alternatives.push(test);
        }
        tests.push((e) => alternatives.some((t) => t(e)));
    }
    return (entry) => tests.every((t) => t(entry));
}

function compileComparison(c: string): ((entry: LogEntry) => boolean) | undefined {
    let m: RegExpExecArray | null;
    if ((m = /^resource\.type="([^"\\]*)"$/.exec(c))) {
        const want = m[1];
        return (e) => e.resource?.type === want;
    }
    if ((m = /^resource\.labels\.([a-z_]+)="([^"\\]*)"$/.exec(c))) {
        const [key, want] = [m[1], m[2]];
        return (e) => e.resource?.labels?.[key] === want;
    }
    if ((m = /^logName="([^"\\]*)"$/.exec(c))) {
        const want = m[1];
        return (e) => e.logName === want;
    }
    if ((m = /^severity>=([A-Z]+)$/.exec(c)) && SEVERITY_RANK[m[1]] !== undefined) {
        const min = SEVERITY_RANK[m[1]];
        return (e) => (SEVERITY_RANK[e.severity ?? "DEFAULT"] ?? 0) >= min;
    }
    if ((m = /^timestamp>="([^"]+)"$/.exec(c)) && !Number.isNaN(Date.parse(m[1]))) {
        const since = Date.parse(m[1]);
        return (e) => Date.parse(e.timestamp ?? "") >= since;
    }
    if ((m = /^jsonPayload\.([A-Za-z_.]+)=("(?:[^"\\]|\\.)*")$/.exec(c))) {
        const [key, want] = [m[1], JSON.parse(m[2]) as string];
        return (e) => e.jsonPayload?.[key] === want;
    }
    if ((m = /^textPayload=~("(?:[^"\\]|\\.)*")$/.exec(c))) {
        const re = new RegExp(JSON.parse(m[1]) as string);
        return (e) => typeof e.textPayload === "string" && re.test(e.textPayload);
    }
    if ((m = /^textPayload:("(?:[^"\\]|\\.)*")$/.exec(c))) {
        const want = (JSON.parse(m[1]) as string).toLowerCase();
        return (e) => typeof e.textPayload === "string" && e.textPayload.toLowerCase().includes(want);
    }
    return undefined;
}

/** The filter's parts between top-level `AND`s (or `OR`s), never splitting inside quotes or parentheses. */
function splitOutsideQuotes(text: string, operator: "AND" | "OR"): string[] {
    if (text === "") return [];
    const parts: string[] = [];
    let depth = 0;
    let quoted = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quoted) {
            if (ch === "\\") i++;
            else if (ch === '"') quoted = false;
        } else if (ch === '"') quoted = true;
        else if (ch === "(") depth++;
        else if (ch === ")") depth--;
        else if (depth === 0 && /\s/.test(ch) && text.startsWith(`${operator} `, i + 1)) {
            parts.push(text.slice(start, i));
            i += operator.length + 1;
            start = i + 1;
        }
    }
    parts.push(text.slice(start));
    return parts;
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
    res.end(body);
}

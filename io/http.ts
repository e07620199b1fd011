// The one HTTP client of the gate and the canary. Every request (the gate's HTTP smoke checks, the
// Cloud Run, Logging and Monitoring API calls) goes through it so the same rules hold everywhere: a timeout per request, the check's abort
// signal, a cap on response bodies, no automatic redirects (same-host ones are followed here, by
// hand, up to a bound; never one to another host), and failures returned as data, classified,
// never thrown.

import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import axios, { AxiosError } from "axios";
import type { Readable } from "node:stream";
import { isLoopbackHost } from "./endpoints";

export type HttpFailureKind =
    "refused" | "dns" | "tls" | "timeout" | "reset" | "too-large" | "redirect-off-host" | "too-many-redirects" | "http-status" | "aborted" | "invalid-url" | "insecure" | "other";

export interface HttpResponse {
    status: number;
    /** Header names lowercased; repeated headers (set-cookie) joined by ", " except set-cookie, kept as a list. */
    headers: Record<string, string>;
    setCookies: string[];
    body: Buffer;
    /** Final URL after same-host redirects. */
    url: string;
    /** URLs redirected through, in order (empty when none). */
    redirects: string[];
    durationMs: number;
    /**
     * Set when the answer carried more secret-looking values than one answer may teach the
     * redactor (learnSecrets): its body must not be shown, not even its head.
     */
    secretsUnlearned?: boolean;
}

export interface HttpFailure {
    kind: HttpFailureKind;
    /** One line saying what happened, for logs and causes. */
    message: string;
    url: string;
    /** Node/axios error code when there was one (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...). */
    code?: string;
    /** Set for kind "http-status" and for redirect failures. */
    status?: number;
    /** The response when there was one (kind "http-status"). */
    response?: HttpResponse;
    durationMs: number;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; failure: HttpFailure };

export interface HttpRequest {
    url: string;
    method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
    headers?: Record<string, string>;
    /** Sent as JSON with content-type application/json. */
    json?: unknown;
    /** Raw body (ignored when json is set). */
    body?: string | Buffer;
    /** Total time for this request including the body, per hop. Default: the client's. */
    timeoutMs?: number;
    signal?: AbortSignal;
    maxBodyBytes?: number;
    /** false: return a 3xx as it is (e.g. to read its set-cookie). Default true (same host only). */
    followRedirects?: boolean;
    /** Receives one summary line per hop (the runner redacts it). */
    log?: (line: string) => void;
}

export interface HttpClientOptions {
    /** Default per-request timeout. */
    timeoutMs?: number;
    /** Default cap on a response body; the stream is aborted past it. */
    maxBodyBytes?: number;
    /** Bound on same-host redirects followed by hand. */
    maxRedirects?: number;
    /** Name resolution used by the sockets; tests inject one that fails without a DNS query. */
    lookup?: LookupFunction;
    /** Extra trusted CA certificates (PEM) for HTTPS, e.g. a test's self-signed certificate. */
    ca?: string | Buffer | Array<string | Buffer>;
    userAgent?: string;
    /** true only under --allow-insecure-tls: certificates are not verified. Else they are, whatever the environment says. */
    insecureTls?: boolean;
    /** Receives every secret an answer hands out (see learnSecrets): the redactor masks it from then on. */
    onSecret?: (secret: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

const TLS_CODES = new Set([
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "CERT_REVOKED",
    "CERT_UNTRUSTED",
    "CERT_REJECTED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "EPROTO",
]);

export class HttpClient {
    readonly timeoutMs: number;
    readonly maxBodyBytes: number;
    readonly maxRedirects: number;
    private readonly httpAgent: http.Agent;
    private readonly httpsAgent: https.Agent;
    private readonly userAgent: string;
    private readonly onSecret?: (secret: string) => void;

    constructor(options: HttpClientOptions = {}) {
        this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
        this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
        this.userAgent = options.userAgent ?? "openagents-post-deploy-gate";
        this.onSecret = options.onSecret;
        // keepAlive off: a check's sockets close with it, and an interrupted run leaves nothing open.
        const agentOptions = { keepAlive: false, ...(options.lookup ? { lookup: options.lookup } : {}) };
        this.httpAgent = new http.Agent(agentOptions);
        // Explicit: NODE_TLS_REJECT_UNAUTHORIZED=0 only changes the default, never this.
        this.httpsAgent = new https.Agent({ ...agentOptions, rejectUnauthorized: options.insecureTls !== true, ...(options.ca ? { ca: options.ca } : {}) });
    }

    /** Sends a request; never throws. Follows same-host redirects (unless told not to). */
    async request(req: HttpRequest): Promise<HttpOutcome> {
        const started = Date.now();
        const redirects: string[] = [];
        let current: URL;
        try {
            current = new URL(req.url);
        } catch {
            return fail("invalid-url", `invalid URL '${req.url}'`, req.url, started);
        }
        if (current.protocol !== "http:" && current.protocol !== "https:") {
            return fail("invalid-url", `unsupported protocol in '${req.url}'`, req.url, started);
        }
        const credentialed = Object.keys(req.headers ?? {}).some((name) => /^(authorization|cookie)$/i.test(name));
        if (credentialed && current.protocol === "http:" && !isLoopbackHost(current.hostname)) {
            // A bearer token or cookie over plain http can be read by anyone on the path.
            return fail("insecure", `refused to send credentials over plain http to ${current.host} (https required off loopback)`, req.url, started);
        }
        let method = req.method ?? "GET";
        let sendBody = true;
        for (;;) {
            const outcome = await this.once(current.toString(), method, req, sendBody);
            if (!outcome.ok) return { ok: false, failure: { ...outcome.failure, durationMs: Date.now() - started } };
            const response = outcome.response;
            response.redirects = redirects.slice();
            response.durationMs = Date.now() - started;
            const location = response.headers["location"];
            if (req.followRedirects === false || !isRedirect(response.status) || !location) return outcome;
            let next: URL;
            try {
                next = new URL(location, current);
            } catch {
                return fail("redirect-off-host", `redirect ${response.status} to an invalid location`, current.toString(), started, { status: response.status });
            }
            if (!sameHost(current, next)) {
                // Never follow: the request may carry credentials, and another host is not the target.
                return fail("redirect-off-host", `redirect ${response.status} from ${current.host} to another host ${next.protocol}//${next.host} (not followed)`, current.toString(), started, {
                    status: response.status,
                    response,
                });
            }
            if (redirects.length >= this.maxRedirects) {
                return fail("too-many-redirects", `more than ${this.maxRedirects} redirects`, current.toString(), started, { status: response.status });
            }
            redirects.push(current.toString());
            if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
                method = "GET";
                sendBody = false;
            }
            current = next;
        }
    }

    /** Frees the agents' sockets. */
    close(): void {
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }

    private async once(url: string, method: string, req: HttpRequest, sendBody: boolean): Promise<HttpOutcome> {
        const started = Date.now();
        const timeoutMs = req.timeoutMs ?? this.timeoutMs;
        const maxBody = req.maxBodyBytes ?? this.maxBodyBytes;
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
        }, timeoutMs);
        const onOuterAbort = (): void => controller.abort();
        if (req.signal?.aborted) controller.abort();
        req.signal?.addEventListener("abort", onOuterAbort, { once: true });
        const headers: Record<string, string> = { "user-agent": this.userAgent, ...(req.headers ?? {}) };
        let data: string | Buffer | undefined;
        if (sendBody && req.json !== undefined) {
            data = JSON.stringify(req.json);
            headers["content-type"] = "application/json";
        } else if (sendBody && req.body !== undefined) {
            data = req.body;
        }
        const log = req.log;
        try {
            const res = await axios.request<Readable>({
                url,
                method,
                headers,
                data,
                signal: controller.signal,
                maxRedirects: 0,
                responseType: "stream",
                validateStatus: () => true,
                proxy: false,
                httpAgent: this.httpAgent,
                httpsAgent: this.httpsAgent,
                transitional: { clarifyTimeoutError: true },
            });
            const responseHeaders = flattenHeaders(res.headers);
            const setCookies = listHeader((res.headers as Record<string, unknown>)["set-cookie"]);
            const declared = Number(responseHeaders["content-length"]);
            if (Number.isFinite(declared) && declared > maxBody) {
                res.data.destroy();
                const message = `${method} ${url} -> ${res.status} with a ${declared}-byte body, over the ${maxBody}-byte cap (not read)`;
                log?.(message);
                return fail("too-large", message, url, started, { status: res.status });
            }
            const body = await readCapped(res.data, maxBody, controller.signal);
            const response: HttpResponse = {
                status: res.status,
                headers: responseHeaders,
                setCookies,
                body,
                url,
                redirects: [],
                durationMs: Date.now() - started,
            };
            // Learned before anything (a log line, a check's cause) can show the answer.
            if (this.onSecret && !learnSecrets(response, this.onSecret)) response.secretsUnlearned = true;
            log?.(`${method} ${url} -> ${res.status} (${response.durationMs} ms, ${body.length} B)`);
            return { ok: true, response };
        } catch (error) {
            const failure = classify(error, url, method, timedOut, timeoutMs, maxBody, started);
            log?.(`${method} ${url} -> ${failure.kind}: ${failure.message}`);
            return { ok: false, failure };
        } finally {
            clearTimeout(timer);
            req.signal?.removeEventListener("abort", onOuterAbort);
        }
    }
}

class BodyTooLarge extends Error {
    constructor(readonly limit: number) {
        super(`body over the ${limit}-byte cap`);
    }
}

function readCapped(stream: Readable, limit: number, signal: AbortSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const finish = (err: Error | undefined, value?: Buffer): void => {
            if (settled) return;
            settled = true;
            signal.removeEventListener("abort", onAbort);
            if (err) reject(err);
            else resolve(value ?? Buffer.alloc(0));
        };
        const onAbort = (): void => {
            stream.destroy();
            finish(Object.assign(new Error("aborted while reading the body"), { code: "ERR_CANCELED" }));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        stream.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
                stream.destroy();
                finish(new BodyTooLarge(limit));
                return;
            }
            chunks.push(chunk);
        });
        stream.on("end", () => finish(undefined, Buffer.concat(chunks)));
        stream.on("error", (err) => finish(err));
        stream.on("close", () => {
            if (!settled && !(stream as Readable & { readableEnded?: boolean }).readableEnded) {
                finish(Object.assign(new Error("connection closed before the body ended"), { code: "ECONNRESET" }));
            }
        });
    });
}

function classify(error: unknown, url: string, method: string, timedOut: boolean, timeoutMs: number, maxBody: number, started: number): HttpFailure {
    const durationMs = Date.now() - started;
    const base = { url, durationMs };
    if (error instanceof BodyTooLarge) {
        return { ...base, kind: "too-large", message: `${method} ${url}: response body over the ${maxBody}-byte cap (aborted)` };
    }
    if (timedOut) {
        return { ...base, kind: "timeout", code: "ETIMEDOUT", message: `${method} ${url}: no complete answer within ${timeoutMs} ms` };
    }
    const code = errorCode(error);
    const text = errorMessage(error);
    if (code === "ERR_CANCELED" || (error instanceof AxiosError && axios.isCancel(error))) {
        return { ...base, kind: "aborted", code, message: `${method} ${url}: aborted (check deadline or interrupt)` };
    }
    if (code === "ECONNREFUSED") return { ...base, kind: "refused", code, message: `${method} ${url}: connection refused` };
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") {
        return { ...base, kind: "dns", code, message: `${method} ${url}: name resolution failed (${code})` };
    }
    if (code && (TLS_CODES.has(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || code.startsWith("CERT_"))) {
        return { ...base, kind: "tls", code, message: `${method} ${url}: TLS failure ${code}: ${text}` };
    }
    if (code === "ETIMEDOUT" || code === "ECONNABORTED") {
        return { ...base, kind: "timeout", code, message: `${method} ${url}: timed out (${code})` };
    }
    if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up|aborted/i.test(text)) {
        return { ...base, kind: "reset", code: code ?? "ECONNRESET", message: `${method} ${url}: connection reset by the server (${text})` };
    }
    return { ...base, kind: "other", code, message: `${method} ${url}: ${code ? `${code}: ` : ""}${text}` };
}

function errorCode(error: unknown): string | undefined {
    const seen = new Set<unknown>();
    let e: unknown = error;
    while (e && typeof e === "object" && !seen.has(e)) {
        seen.add(e);
        const code = (e as { code?: unknown }).code;
        if (typeof code === "string" && code !== "ERR_BAD_RESPONSE" && code !== "ERR_BAD_REQUEST") {
            // axios wraps a cancel as ERR_CANCELED; TLS and socket codes come from Node directly.
            return code;
        }
        e = (e as { cause?: unknown }).cause;
    }
    return undefined;
}

function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function fail(kind: HttpFailureKind, message: string, url: string, started: number, extra: Partial<HttpFailure> = {}): { ok: false; failure: HttpFailure } {
    return { ok: false, failure: { kind, message, url, durationMs: Date.now() - started, ...extra } };
}

function isRedirect(status: number): boolean {
    return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Same host and port; https -> http is a downgrade and counts as another host. */
export function sameHost(from: URL, to: URL): boolean {
    if (from.host.toLowerCase() !== to.host.toLowerCase()) return false;
    return !(from.protocol === "https:" && to.protocol !== "https:");
}

function flattenHeaders(raw: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[name.toLowerCase()] = String(value);
        else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(", ");
    }
    return out;
}

function listHeader(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    return typeof value === "string" ? [value] : [];
}

/** Turns a non-matching status into an "http-status" failure; passes everything else through. */
export function expectStatus(outcome: HttpOutcome, accepted: (status: number) => boolean, what?: string): HttpOutcome {
    if (!outcome.ok || accepted(outcome.response.status)) return outcome;
    const r = outcome.response;
    return {
        ok: false,
        failure: {
            kind: "http-status",
            status: r.status,
            url: r.url,
            response: r,
            durationMs: r.durationMs,
            message: `${what ?? r.url} answered ${r.status}`,
        },
    };
}

// ---- retries (for API calls and readiness waits) ----

export interface RetryOptions {
    /** Total attempts including the first. */
    attempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Epoch ms: no attempt starts (and no wait runs) past it. */
    deadline?: number;
    signal?: AbortSignal;
    /** Which outcomes to retry. Default: transient transport failures and 429/502/503/504. */
    retryable?: (outcome: HttpOutcome) => boolean;
    log?: (line: string) => void;
    /** The wait between attempts; resolves false when the signal stopped it. Default: `sleep`, a real timer. */
    wait?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
}

export function isTransient(outcome: HttpOutcome): boolean {
    if (outcome.ok) return [429, 502, 503, 504].includes(outcome.response.status);
    const f = outcome.failure;
    if (f.kind === "http-status") return f.status !== undefined && [429, 502, 503, 504].includes(f.status);
    return f.kind === "refused" || f.kind === "timeout" || f.kind === "reset" || f.kind === "dns";
}

/** Retry-After (seconds or an HTTP date) of a 429/503 answer, in ms; undefined when absent. */
export function retryAfterMs(outcome: HttpOutcome, now = Date.now()): number | undefined {
    const response = outcome.ok ? outcome.response : outcome.failure.response;
    if (!response || (response.status !== 429 && response.status !== 503)) return undefined;
    const value = response.headers["retry-after"];
    if (!value) return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Calls send until it gives a non-retryable outcome, attempts run out, or the deadline or signal
 * stops it; returns the last outcome. Backoff doubles from baseDelayMs (with jitter) up to
 * maxDelayMs; a 429/503 Retry-After replaces the backoff (still bounded by the deadline).
 */
export async function withRetry(send: (attempt: number) => Promise<HttpOutcome>, options: RetryOptions = {}): Promise<HttpOutcome> {
    const attempts = options.attempts ?? 4;
    const base = options.baseDelayMs ?? 500;
    const max = options.maxDelayMs ?? 10_000;
    const retryable = options.retryable ?? isTransient;
    let outcome = await send(1);
    for (let attempt = 2; attempt <= attempts; attempt++) {
        if (!retryable(outcome) || options.signal?.aborted) return outcome;
        const backoff = Math.min(max, base * 2 ** (attempt - 2)) * (0.8 + Math.random() * 0.4);
        const hinted = retryAfterMs(outcome);
        let delay = hinted ?? backoff;
        if (options.deadline !== undefined) {
            const left = options.deadline - Date.now();
            if (left <= 0 || delay >= left) return outcome;
        }
        delay = Math.max(0, Math.round(delay));
        options.log?.(`retry ${attempt}/${attempts} in ${delay} ms${hinted !== undefined ? " (Retry-After)" : ""}`);
        if (!(await (options.wait ?? sleep)(delay, options.signal))) return outcome;
        outcome = await send(attempt);
    }
    return outcome;
}

/** Waits ms; resolves false early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
        if (signal?.aborted) return resolve(false);
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve(true);
        }, ms);
        const onAbort = (): void => {
            clearTimeout(timer);
            resolve(false);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/**
 * A JSON key whose value is a credential wherever it sits (`data.token`, `session.cookie`,
 * `bypass_token`, `password`), compared without case or separators. A page token is not one.
 */
export function isSecretKey(key: string): boolean {
    const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (/pagetoken$/.test(k)) return false;
    return /(token|secret|password|passwd|apikey|accesskey|privatekey|credentials?|cookie|bypass|sessionid|signature|jwt|dburl|databaseurl|connectionstring)$/.test(k);
}

/** The deepest a JSON answer is searched for secrets. */
const SECRET_SEARCH_DEPTH = 32;
/**
 * The most secret text learned from one answer: a real service hands out a few tokens; an
 * answer with megabytes of them would cost the redactor memory by the hundred megabytes.
 */
export const MAX_LEARNED_CHARS = 256 * 1024;

/**
 * Every secret an answer hands out: each Set-Cookie value (the maintenance bypass cookie, a
 * session), each header named like a credential, and each string under a secret-looking key at
 * any JSON path. False when the budget ran out before every one was learned (the walk follows
 * the parsed object's key order, not the text's, so any part of the body may hold one unlearned).
 */
export function learnSecrets(response: HttpResponse, sink: (secret: string) => void): boolean {
    let budget = MAX_LEARNED_CHARS;
    let all = true;
    const learn = (secret: string): void => {
        if (budget <= 0) {
            all = false;
            return;
        }
        budget -= secret.length;
        sink(secret);
    };
    // A header named like a credential (x-sync-token, x-csrf-token); set-cookie is read below.
    for (const [name, value] of Object.entries(response.headers)) if (name !== "set-cookie" && isSecretKey(name)) learn(value);
    for (const cookie of response.setCookies) {
        const pair = cookie.split(";", 1)[0];
        const eq = pair.indexOf("=");
        if (eq > 0)
            learn(
                pair
                    .slice(eq + 1)
                    .trim()
                    .replace(/^"|"$/g, ""),
            );
    }
    // Whatever comes before the JSON (a byte-order mark, a run of whitespace of any length): the
    // gate may judge such a body "not JSON", but the secrets in it still reach the body excerpt.
    const text = response.body.toString("utf8");
    const start = text.search(/[^\s\ufeff]/);
    if (start < 0 || (text[start] !== "{" && text[start] !== "[")) return all;
    let value: unknown;
    try {
        value = JSON.parse(text.slice(start));
    } catch {
        return all;
    }
    const walk = (node: unknown, depth: number, secretKey: boolean): void => {
        if (depth > SECRET_SEARCH_DEPTH) {
            // Deeper than the search goes: whatever is down there was not learned.
            if (node !== null && typeof node === "object") all = false;
            return;
        }
        if (typeof node === "string") {
            if (secretKey) learn(node);
        } else if (typeof node === "number") {
            // A numeric credential ({"api_key": 4815162342}) as JSON writes it (exact below 2^53).
            if (secretKey) learn(String(node));
        } else if (Array.isArray(node)) {
            for (const item of node) walk(item, depth + 1, secretKey);
        } else if (node !== null && typeof node === "object") {
            const record = node as Record<string, unknown>;
            // An env entry ({name: "DB_PASSWORD", value: "..."}): the name says what the value is.
            const named = typeof record["name"] === "string" && isSecretKey(record["name"]);
            // Under a secret-looking key every string is the secret's (a credentials object: {"credentials": {"value": ...}}).
            for (const [k, v] of Object.entries(record)) walk(v, depth + 1, secretKey || isSecretKey(k) || (named && k === "value"));
        }
    };
    walk(value, 0, false);
    return all;
}

/** A short description of an outcome for logs and causes. */
export function describeOutcome(outcome: HttpOutcome): string {
    if (outcome.ok) return `${outcome.response.status} (${outcome.response.body.length} B)`;
    return `${outcome.failure.kind}: ${outcome.failure.message}`;
}

/** Parses a response body as JSON; undefined when it is not JSON. */
export function parseJson(response: HttpResponse): unknown {
    try {
        return JSON.parse(response.body.toString("utf8"));
    } catch {
        return undefined;
    }
}

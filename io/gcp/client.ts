// A small JSON client for the Google APIs the gate and the canary read (Cloud Run Admin v2, Cloud
// Logging v2, Cloud Monitoring v3) on top of the shared HTTP client (io/http.ts): a bearer token, retries of 429/5xx honouring Retry-After
// within the check's deadline, one retry with a fresh token after a 401, and every failure turned into a GcpApiError whose message names
// the API, the resource and the cause.

import type { RequestContext } from "../request";
import { isTransient, withRetry, type HttpClient, type HttpOutcome, type RetryOptions } from "../http";
import { Redactor } from "../redact";
import { excerpt } from "../text";
import type { AccessTokenSource } from "./credentials";
import { GcpApiError, errorForStatus } from "./errors";

export const DEFAULT_CLOUD_RUN_API_URL = "https://run.googleapis.com";
export const DEFAULT_CLOUD_LOGGING_API_URL = "https://logging.googleapis.com";

/** API answers are small; a bigger one is a wrong endpoint, not data to parse. */
const MAX_API_BODY_BYTES = 4 * 1024 * 1024;

export interface GcpClientOptions {
    http: HttpClient;
    tokens: AccessTokenSource;
    /** Attempts for 429, 5xx and transient transport failures, the first included. Default 3. */
    attempts?: number;
    /** First backoff when no Retry-After is given. Default 500 ms. */
    baseDelayMs?: number;
    /** Longest wait between attempts. Default 10 s. */
    maxDelayMs?: number;
    /** Answers may echo a credential: what errors quote of them is redacted before it is cut. */
    redactor?: Redactor;
    /** The wait between attempts. Default: a real timer. */
    wait?: RetryOptions["wait"];
}

/** 429 and every 5xx (Google's APIs answer 500 for transient trouble too), plus transport hiccups. */
function retryable(outcome: HttpOutcome): boolean {
    if (outcome.ok) return outcome.response.status === 429 || outcome.response.status >= 500;
    return isTransient(outcome);
}

export class GcpClient {
    private readonly redactor: Redactor;

    constructor(private readonly options: GcpClientOptions) {
        this.redactor = options.redactor ?? new Redactor();
    }

    /**
     * Calls a JSON API and returns the parsed object; throws GcpApiError for every failure.
     * `api` and `what` name the call in errors ("Cloud Run Admin API", "job 'runtime-migrate'").
     */
    async json<T>(ctx: RequestContext, api: string, what: string, method: "GET" | "POST", url: string, body?: unknown): Promise<T> {
        const tokens = this.options.tokens;
        let token = await tokens.token((line) => ctx.log(`  warning: ${line}`));
        let { outcome, attempts } = await this.send(ctx, method, url, body, token);
        // A token expires while a run goes on (they live at most an hour): one retry with a fresh one.
        if (outcome.ok && outcome.response.status === 401) {
            const fresh = await tokens.renew(token);
            if (fresh !== undefined) {
                ctx.log(`  ${api} refused the access token (401): retrying once with a fresh one from ${tokens.origin}`);
                token = fresh;
                const again = await this.send(ctx, method, url, body, token);
                outcome = again.outcome;
                attempts += again.attempts;
            }
        }
        if (!outcome.ok) {
            const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
            throw new GcpApiError("transport", `${api} could not be reached for ${what}${tries}: ${outcome.failure.message}`);
        }
        const response = outcome.response;
        const text = response.body.toString("utf8");
        if (response.status < 200 || response.status >= 300) {
            const hint = response.status === 401 ? tokens.refusal?.() : undefined;
            throw errorForStatus(api, what, response.status, text, attempts, this.redactor, hint);
        }
        return parseObject<T>(api, what, text, this.redactor);
    }

    /** One request with retries of 429/5xx and transport hiccups; how many attempts it took. */
    private async send(ctx: RequestContext, method: "GET" | "POST", url: string, body: unknown, token: string): Promise<{ outcome: HttpOutcome; attempts: number }> {
        let attempts = 0;
        const outcome = await withRetry(
            (attempt) => {
                attempts = attempt;
                return this.options.http.request({
                    url,
                    method,
                    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
                    json: body,
                    signal: ctx.signal,
                    maxBodyBytes: MAX_API_BODY_BYTES,
                    // An API never redirects a client that is doing the right thing.
                    followRedirects: false,
                    log: (line) => ctx.log(line),
                });
            },
            {
                attempts: this.options.attempts ?? 3,
                baseDelayMs: this.options.baseDelayMs ?? 500,
                maxDelayMs: this.options.maxDelayMs ?? 10_000,
                deadline: ctx.deadline,
                signal: ctx.signal,
                retryable,
                log: (line) => ctx.log(`  ${line}`),
                wait: this.options.wait,
            },
        );
        return { outcome, attempts };
    }
}

function parseObject<T>(api: string, what: string, body: string, redactor: Redactor): T {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        throw new GcpApiError("bad-response", `${api} answered ${what} with a body that is not JSON: ${excerpt(body, 120, redactor) || "<empty>"}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new GcpApiError("bad-response", `${api} answered ${what} with JSON that is not an object: ${excerpt(body, 120, redactor)}`);
    }
    return parsed as T;
}

// Every way a Google API call can fail, as one error type whose message is the check's cause.
// Checks catch it and fail with that message; nothing here ever escapes as a crash.

import { Redactor } from "../redact";
import { excerpt } from "../text";
import type { GoogleApiErrorBody } from "./types";

export type GcpFailureKind =
    | "credentials" // no token could be had
    | "unauthenticated" // 401
    | "forbidden" // 403
    | "not-found" // 404
    | "rate-limited" // 429 after the retries
    | "server" // 5xx after the retries
    | "http" // any other non-2xx
    | "bad-response" // 2xx that is not the JSON we expect
    | "transport"; // refused, reset, DNS, TLS, timeout, aborted

export class GcpApiError extends Error {
    constructor(
        readonly kind: GcpFailureKind,
        message: string,
        readonly status?: number,
        /** google.rpc.ErrorInfo's reason when the answer carried one (SERVICE_DISABLED, IAM_PERMISSION_DENIED, ...). */
        readonly reason?: string,
    ) {
        super(message);
        this.name = "GcpApiError";
    }
}

const HINTS: Partial<Record<GcpFailureKind, string>> = {
    unauthenticated: "the access token was refused: refresh CLOUDSDK_AUTH_ACCESS_TOKEN or the application default credentials",
    forbidden: "the caller lacks permission (roles/run.viewer for Cloud Run, roles/logging.viewer for Logging, roles/monitoring.viewer for Monitoring)",
    "rate-limited": "quota exhausted even after honouring Retry-After",
    server: "the API failed on its side",
};

export interface ErrorInfo {
    reason: string;
    domain?: string;
    metadata: Record<string, string>;
}

const ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo";

/**
 * The google.rpc.ErrorInfo among an error's details (google/rpc/error_details.proto:51-77@f8291d2b;
 * in JSON an Any carries its type in "@type"); undefined when there is none.
 */
export function errorInfoOf(details: unknown): ErrorInfo | undefined {
    if (!Array.isArray(details)) return undefined;
    for (const d of details as unknown[]) {
        if (!d || typeof d !== "object") continue;
        const detail = d as Record<string, unknown>;
        if (detail["@type"] !== ERROR_INFO_TYPE || typeof detail.reason !== "string" || detail.reason === "") continue;
        const raw = detail.metadata && typeof detail.metadata === "object" ? (detail.metadata as Record<string, unknown>) : {};
        const metadata = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
        return { reason: detail.reason, domain: typeof detail.domain === "string" ? detail.domain : undefined, metadata };
    }
    return undefined;
}

/**
 * What each ErrorInfo reason the reads can meet means for the caller (google/api/error_reason.proto@f8291d2b:
 * SERVICE_DISABLED :54, ACCESS_TOKEN_EXPIRED :340, ACCESS_TOKEN_SCOPE_INSUFFICIENT :359,
 * IAM_PERMISSION_DENIED :706). Metadata values are server text: cut before they are quoted.
 */
const REASON_HINTS: Record<string, (m: Record<string, string>, cut: (s: string) => string) => string> = {
    SERVICE_DISABLED: (m, cut) =>
        `${m.service ? cut(m.service) : "the API"} is not enabled in ${m.consumer ? cut(m.consumer) : "the project"}: enable it (gcloud services enable ${m.service ? cut(m.service) : "<api>"}); no role grant fixes this`,
    ACCESS_TOKEN_SCOPE_INSUFFICIENT: () => "the access token was minted without the OAuth scope this API needs: mint it with https://www.googleapis.com/auth/cloud-platform; no role grant fixes this",
    ACCESS_TOKEN_EXPIRED: () => "the access token has expired: give a fresh one or let application default credentials refresh",
    IAM_PERMISSION_DENIED: (m, cut) => `the caller lacks IAM permission ${m.permission ? cut(m.permission) : "for this call"}${m.resource ? ` on ${cut(m.resource)}` : ""}`,
};

/** Reads Google's {"error":{code,status,message,details}} body; undefined when the body is not that. */
export function parseGoogleError(body: string): { code?: number; status?: string; message?: string; details?: unknown } | undefined {
    try {
        const parsed = JSON.parse(body) as GoogleApiErrorBody;
        if (parsed && typeof parsed === "object" && parsed.error && typeof parsed.error === "object") return parsed.error;
    } catch {
        // not JSON: the caller falls back to the raw status
    }
    return undefined;
}

export function kindOfStatus(status: number): GcpFailureKind {
    if (status === 401) return "unauthenticated";
    if (status === 403) return "forbidden";
    if (status === 404) return "not-found";
    if (status === 429) return "rate-limited";
    if (status >= 500) return "server";
    return "http";
}

/** The error for a non-2xx answer: "<api> answered 403 PERMISSION_DENIED for <what>: <message> (<hint>)". */
export function errorForStatus(api: string, what: string, status: number, body: string, attempts = 1, redactor: Redactor = new Redactor(), hint?: string): GcpApiError {
    const kind = kindOfStatus(status);
    const google = parseGoogleError(body);
    const googleStatus = typeof google?.status === "string" ? excerpt(google.status, 40, redactor) : undefined;
    const statusText = googleStatus ? `${status} ${googleStatus}` : `${status}`;
    const message = typeof google?.message === "string" ? google.message : undefined;
    const detail = message ? `: ${excerpt(message, 300, redactor)}` : body.trim() ? `: ${excerpt(body, 200, redactor)}` : "";
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    const info = errorInfoOf(google?.details);
    const reason = info ? excerpt(info.reason, 63, redactor) : undefined;
    const reasonHint = info && REASON_HINTS[info.reason] ? REASON_HINTS[info.reason](info.metadata, (s) => excerpt(s, 120, redactor)) : undefined;
    // The named reason wins over the status's generic hint: a disabled API is not a missing role.
    const why = hint ?? (reasonHint ? `${reason}: ${reasonHint}` : reason ? `${reason}; ${HINTS[kind] ?? "see the message"}` : HINTS[kind]);
    return new GcpApiError(kind, `${api} answered ${statusText} for ${what}${tries}${detail}${why ? ` (${why})` : ""}`, status, info?.reason);
}

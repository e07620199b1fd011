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
    ) {
        super(message);
        this.name = "GcpApiError";
    }
}

const HINTS: Partial<Record<GcpFailureKind, string>> = {
    unauthenticated: "the access token was refused: refresh CLOUDSDK_AUTH_ACCESS_TOKEN or the application default credentials",
    forbidden: "the caller lacks permission (roles/run.viewer for Cloud Run, roles/logging.viewer for Logging)",
    "rate-limited": "quota exhausted even after honouring Retry-After",
    server: "the API failed on its side",
};

/** Reads Google's {"error":{code,status,message}} body; undefined when the body is not that. */
export function parseGoogleError(body: string): { code?: number; status?: string; message?: string } | undefined {
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
    const why = hint ?? HINTS[kind];
    return new GcpApiError(kind, `${api} answered ${statusText} for ${what}${tries}${detail}${why ? ` (${why})` : ""}`, status);
}

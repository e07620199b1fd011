// Shared pieces of the HTTP checks: is the target a legacy lane, did a legacy or foreign
// service answer, is a 404 Google's front end.

import { CLOUD_RUN_LANES, LEGACY_HTTP, legacyNameReason, legacyUrlReason } from "../../catalog";
import { type HttpResponse, parseJson } from "../../io/http";

/** Why a target URL (or the service name behind it) is a legacy lane; undefined when it is not. */
export function legacyTargetReason(url: string, serviceName?: string): string | undefined {
    const byUrl = legacyUrlReason(url);
    if (byUrl) return byUrl;
    if (serviceName) {
        const byName = legacyNameReason(serviceName);
        if (byName) return `target service ${byName}`;
    }
    return undefined;
}

/**
 * Why an answer is not from the expected Rust service: Laravel/PHP traits (headers and cookies on
 * any answer, body markers on HTML pages only), or a JSON body
 * naming another service. expectedService: the `service` field the Rust binary reports; when
 * undefined, only legacy traits, legacy names and the other Rust lanes' names are judged.
 */
export function impostorReason(response: HttpResponse, expectedService?: string): string | undefined {
    const poweredBy = response.headers["x-powered-by"];
    if (poweredBy && LEGACY_HTTP.poweredByPattern.test(poweredBy)) return `answered by PHP (x-powered-by: ${poweredBy}), not the Rust service`;
    for (const cookie of response.setCookies) {
        if (LEGACY_HTTP.laravelCookiePattern.test(cookie)) return `answered by Laravel (sets ${cookie.split("=")[0]}), not the Rust service`;
    }
    // Only HTML pages: a JS bundle or JSON may mention "laravel" or "phoenix" (a library name, a comment).
    if (/^\s*text\/html\b/i.test(response.headers["content-type"] ?? "")) {
        const text = response.body.toString("utf8", 0, Math.min(response.body.length, 64 * 1024));
        for (const pattern of LEGACY_HTTP.bodyPatterns) {
            if (pattern.test(text)) return `answered by a legacy stack (body matches ${pattern}), not the Rust service`;
        }
    }
    const json = parseJson(response) as { service?: unknown } | undefined;
    if (json && typeof json === "object" && typeof json.service === "string") {
        const service = json.service;
        if (service === expectedService) return undefined;
        // The Rust binaries' own names are not legacy, even where a legacy stem is part of them
        // ("openagents-runtime-service" contains "openagents-runtime").
        const rust = RUST_BINARIES.includes(service);
        if (!rust) {
            const legacy = legacyNameReason(service);
            if (legacy) return `answered by service '${service}' (${legacy})`;
        }
        if (expectedService) return `answered by service '${service}', not ${expectedService}`;
        if (rust) return undefined;
    }
    return undefined;
}

/** The service names the Rust lanes report. */
const RUST_BINARIES: readonly string[] = CLOUD_RUN_LANES.map((l) => l.binary);

/** For the runtime, whose `service` value is not pinned: another Rust lane answering is still wrong. */
export function otherLaneReason(response: HttpResponse, ownBinary: string): string | undefined {
    const json = parseJson(response) as { service?: unknown } | undefined;
    if (json && typeof json === "object" && typeof json.service === "string" && json.service !== ownBinary && RUST_BINARIES.includes(json.service)) {
        return `answered by service '${json.service}', another Rust lane`;
    }
    return undefined;
}

/** Google's front end answering /healthz itself on run.app and mapped domains (never the container). */
export function isFrontEnd404(response: HttpResponse): boolean {
    if (response.status !== 404) return false;
    const text = response.body.toString("utf8", 0, Math.min(response.body.length, 16 * 1024));
    return /Error 404 \(Not Found\)!!1/.test(text) || (/That(’|&#8217;|')s an error\./.test(text) && /google/i.test(text));
}

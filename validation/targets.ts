// One identity per target, not per spelling. Every target URL is normalised before any refusal
// (the WHATWG parser lowercases the host, maps IDNA to ASCII, decodes a percent-encoded host and
// drops the default port; here trailing dots go too, and the path's percent-encoding of
// unreserved characters, repeated and trailing slashes). Then two environments' targets must be
// two different services, caught before anything is sent, and after the run starts each
// environment's run.app URL is tied to its Cloud Run service by the service's own `uri`/`urls`
// (Google's front end swallows /healthz on run.app, so the service's answer cannot say).

import { CONTROL, type Environment, RUNTIME, legacyUrlReason, serviceFromRunAppUrl } from "../catalog";

export interface TargetUrls {
    environment: Environment;
    controlBaseUrl: string;
    runtimeBaseUrl: string;
}

const LANES = [
    { key: "controlBaseUrl", lane: "control", names: CONTROL.names },
    { key: "runtimeBaseUrl", lane: "runtime", names: RUNTIME.names },
] as const;

/** RFC 3986 2.3: unreserved characters mean the same percent-encoded or not. */
const UNRESERVED = /%(2[DdEe]|3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|5[Ff]|6[1-9A-Fa-f]|7[0-9Aa]|7[Ee])/g;

/**
 * The one spelling of a target URL: scheme, host (lowercase, ASCII, no trailing dot), a port
 * only when not the scheme's default, and the path with unreserved characters decoded, other
 * escapes uppercased, repeated slashes folded and no trailing slash. Query and fragment are not
 * part of a base URL and are dropped. A text that is not a URL is returned as it is.
 */
export function normalizeTargetUrl(text: string): string {
    let u: URL;
    try {
        u = new URL(text.trim());
    } catch {
        return text;
    }
    const host = u.hostname.toLowerCase().replace(/\.+$/, "");
    const port = u.port && !((u.protocol === "https:" && u.port === "443") || (u.protocol === "http:" && u.port === "80")) ? `:${u.port}` : "";
    const auth = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ""}@` : "";
    const pathname = u.pathname
        .replace(UNRESERVED, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
        .replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase())
        .replace(/\/{2,}/g, "/")
        .replace(/\/+$/, "");
    return `${u.protocol}//${auth}${host}${port}${pathname}`;
}

/** A URL reduced to what identifies a target. */
function identity(url: string): string {
    return normalizeTargetUrl(url);
}

/** The host of a URL as it identifies a target (lowercase, no trailing dot); undefined for a non-URL. */
export function targetHost(url: string): string | undefined {
    try {
        return new URL(url).hostname.toLowerCase().replace(/\.+$/, "");
    } catch {
        return undefined;
    }
}

/** Why a run.app URL names another service than the stack's own for that lane; undefined when it does not. */
export function stackNameProblem(what: string, url: string, stackService: string | undefined): string | undefined {
    if (!url || !stackService) return undefined;
    const named = serviceFromRunAppUrl(url)?.replace(/^.*---/, "");
    if (!named || named === stackService) return undefined;
    return `${what} ${url} addresses ${named}, but the stack outputs say this environment's service is ${stackService}: each environment's targets must be its own services`;
}

function isRunAppHost(host: string): boolean {
    return host === "run.app" || host.endsWith(".run.app");
}

/**
 * Why a target URL is not the Cloud Run service's own: a run.app URL must be one of the URLs
 * Cloud Run reports for that service (`uri`, `urls`, a traffic tag's `uri`). Undefined when it
 * is, or when the target is not a run.app URL (a custom domain is tied by the service's answers).
 */
export function runAppTieProblem(baseUrl: string, service: { name?: string; uri?: string; urls?: string[]; trafficStatuses?: { uri?: string }[] }, what: string): string | undefined {
    const host = targetHost(baseUrl);
    if (!host || !isRunAppHost(host)) return undefined;
    const own = [service.uri, ...(service.urls ?? []), ...(service.trafficStatuses ?? []).map((t) => t.uri)].filter((u): u is string => typeof u === "string" && u !== "");
    if (own.length === 0) return `${what} ${baseUrl} cannot be tied to service '${shortService(service.name)}': Cloud Run reports no URL for it`;
    const hosts = new Set(own.map(targetHost));
    if (hosts.has(host)) return undefined;
    return `${what} ${baseUrl} is not a URL of service '${shortService(service.name)}' (Cloud Run reports ${own.join(", ")}): the target is another service`;
}

function shortService(name: string | undefined): string {
    return (name ?? "?").split("/").pop() ?? "?";
}

/** The (lane, environment) a canonical Cloud Run service name belongs to. */
function ownerOf(service: string): { lane: string; environment: Environment } | undefined {
    for (const { lane, names } of LANES) {
        for (const environment of Object.keys(names) as Environment[]) if (names[environment] === service) return { lane, environment };
    }
    return undefined;
}

/**
 * Why the targets of the gated environments are not distinct services; undefined when they are.
 * `gated`: the environments whose HTTP checks are part of the run.
 */
export function targetClashProblem(targets: readonly TargetUrls[], gated: readonly Environment[]): string | undefined {
    const seen = new Map<string, string>();
    for (const t of targets.filter((x) => gated.includes(x.environment))) {
        for (const { key, lane } of LANES) {
            const url = t[key];
            if (url === "") continue;
            const what = `${t.environment} ${lane} URL`;
            // A tagged URL (canary---svc-hash-uc.a.run.app) addresses the service after the tag.
            const service = serviceFromRunAppUrl(url)?.replace(/^.*---/, "");
            const owner = service ? ownerOf(service) : undefined;
            if (owner && (owner.environment !== t.environment || owner.lane !== lane)) {
                return `${what} ${url} addresses ${service}, the ${owner.environment} ${owner.lane} service: each environment's targets must be its own services`;
            }
            // A legacy URL fails every check it feeds with that reason, which says more than a clash.
            if (legacyUrlReason(url)) continue;
            const id = identity(url);
            const earlier = seen.get(id);
            if (earlier) return `${what} and ${earlier} are the same URL ${url}: each environment's targets must be its own services`;
            seen.set(id, what);
        }
    }
    return undefined;
}

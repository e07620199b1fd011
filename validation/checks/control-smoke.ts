// control-<env>-smoke: the old smoke-control.sh steps, in order (lanes.md): maintenance bypass
// cookie (with a bypass token), /readyz, /healthz best effort, the status route, the manifest
// version and cache headers, the hashed asset's immutability, and with an access token the
// session and sync-token routes. Every answer is also checked for a legacy or foreign service.

import { CONTROL, MAINTENANCE } from "../../catalog";
import type { Check, CheckContext, CheckVerdict } from "../check";
import { type HttpOutcome, type HttpResponse } from "../http";
import type { EnvironmentTargets, GateOptions } from "../options";
import { controlLiveness, controlReadiness } from "./control-health";
import type { CheckDeps } from "./index";
import { bodySnippet, impostorReason, joinUrl, legacyTargetReason, outcomeCause } from "./probe";

const MANIFEST_VERSION = /"manifestVersion"\s*:\s*"openagents\.webshell\.v2"/;
const FIRST_JS = /"js"\s*:\s*"([^"]+)"/;
const CONTENT_HASH = /[0-9a-f]{8,}/i;
const SYNC_TOKEN_BODY = { scopes: ["runtime.codex_worker_events"] };

export function controlSmokeCheck(t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.controlBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_CONTROL_BASE_URL`;
    const steps = ["/readyz", "/api/v1/control/status", "/manifest.json", "/sw.js", "<manifest js asset>"];
    if (t.controlAccessToken) steps.push("/api/auth/session", "/api/v1/auth/session", "POST /api/sync/token", "POST /api/v1/sync/token");
    return {
        id: `control-${t.environment}-smoke`,
        required: true,
        description: `${t.environment} control smoke: readiness, status route, manifest and cache headers${t.controlAccessToken ? ", authenticated routes" : ""}`,
        command: `smoke ${base}: ${t.maintenanceBypassToken ? "maintenance bypass, " : ""}${steps.join(", ")}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: (ctx) => runControlSmoke(base, t, options, deps, ctx),
    };
}

type Step = CheckVerdict | undefined;

async function runControlSmoke(base: string, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps, ctx: CheckContext): Promise<CheckVerdict> {
    const legacy = legacyTargetReason(base, t.outputs?.controlServiceName);
    if (legacy) {
        ctx.log(`legacy target: ${legacy}`);
        return { status: "failed", cause: `legacy target: ${legacy}`, action: `point ${t.environment} at the Rust control service ${CONTROL.names[t.environment]}` };
    }
    const warnings: string[] = [];
    const headers: Record<string, string> = {};

    // 1. Maintenance bypass: get the cookie first, then send it everywhere.
    if (t.maintenanceBypassToken) {
        const cookie = await bypassCookie(base, t.maintenanceBypassToken, deps, ctx, warnings);
        if (cookie && "status" in cookie) return { ...cookie, warnings };
        if (cookie) headers.cookie = cookie.cookie;
    }

    // 2. Readiness, then liveness best effort.
    const ready = await controlReadiness(base, headers, options, deps, ctx);
    if (ready) return { ...ready, warnings };
    const live = await controlLiveness(base, headers, deps, ctx, warnings);
    if (live) return { ...live, warnings };

    const get = (path: string, extra: Record<string, string> = {}): Promise<HttpOutcome> =>
        deps.http.request({ url: joinUrl(base, path), headers: { ...headers, ...extra }, signal: ctx.signal, log: ctx.log });
    const auth: Record<string, string> = t.controlAccessToken ? { authorization: `Bearer ${t.controlAccessToken}` } : {};

    // 3. Status route: 2xx with a token; 200 or 401 without.
    const statusPath = "/api/v1/control/status";
    const status = await get(statusPath, auth);
    const statusStep = judge(statusPath, status, (s) => (t.controlAccessToken ? s >= 200 && s < 300 : s === 200 || s === 401), t.controlAccessToken ? "2xx with the access token" : "200 or 401 without a token", ctx);
    if (statusStep) return { ...statusStep, warnings };

    // 4. Manifest version and no-cache; the service worker no-cache.
    const manifest = await get("/manifest.json");
    const manifestStep = judge("/manifest.json", manifest, (s) => s >= 200 && s < 300, "2xx", ctx);
    if (manifestStep) return { ...manifestStep, warnings };
    const manifestResponse = (manifest as { ok: true; response: HttpResponse }).response;
    const manifestText = manifestResponse.body.toString("utf8");
    if (!MANIFEST_VERSION.test(manifestText)) {
        ctx.log(`body: ${bodySnippet(manifestResponse)}`);
        return { status: "failed", cause: "/manifest.json lacks \"manifestVersion\":\"openagents.webshell.v2\"", action: "deploy the Rust control image with the current web shell", warnings };
    }
    const noCache = cacheStep("/manifest.json", manifestResponse, "no-cache");
    if (noCache) return { ...noCache, warnings };
    const sw = await get("/sw.js");
    const swStep = judge("/sw.js", sw, (s) => s >= 200 && s < 300, "2xx", ctx) ?? cacheStep("/sw.js", (sw as { ok: true; response: HttpResponse }).response, "no-cache");
    if (swStep) return { ...swStep, warnings };

    // 5. The manifest's first JS asset: immutable when its name carries a content hash, else max-age.
    const js = FIRST_JS.exec(manifestText)?.[1];
    if (!js) {
        warnings.push("/manifest.json names no \"js\" asset: asset cache headers not checked");
    } else {
        const assetStep = await assetCacheStep(base, js, headers, deps, ctx, warnings);
        if (assetStep) return { ...assetStep, warnings };
    }

    // 6. With a token only: session and sync-token routes.
    if (!t.controlAccessToken) {
        ctx.log("no access token: session and sync-token routes skipped (as the old smoke did)");
        return { status: "passed", cause: "smoke passed (unauthenticated steps)", warnings };
    }
    for (const path of ["/api/auth/session", "/api/v1/auth/session"]) {
        const step = judge(path, await get(path, auth), (s) => s >= 200 && s < 300, "2xx with the access token", ctx);
        if (step) return { ...step, warnings };
    }
    for (const path of ["/api/sync/token", "/api/v1/sync/token"]) {
        const outcome = await deps.http.request({ url: joinUrl(base, path), method: "POST", json: SYNC_TOKEN_BODY, headers: { ...headers, ...auth }, signal: ctx.signal, log: ctx.log });
        const step = judge(`POST ${path}`, outcome, (s) => s >= 200 && s < 300, "2xx with the access token", ctx);
        if (step) return { ...step, warnings };
    }
    return { status: "passed", cause: "smoke passed (with authenticated steps)", warnings };
}

/** undefined when the step passed; else the failing verdict (impostor answers first). */
function judge(what: string, outcome: HttpOutcome, accepted: (status: number) => boolean, expected: string, ctx: CheckContext): Step {
    if (!outcome.ok) return { status: "failed", cause: outcomeCause(what, outcome), action: "check that the control service is reachable at this URL" };
    const r = outcome.response;
    const impostor = impostorReason(r, CONTROL.binary);
    if (impostor) {
        ctx.log(`body: ${bodySnippet(r)}`);
        return { status: "failed", cause: `${what} ${impostor}`, action: `point the target at the Rust control service` };
    }
    if (!accepted(r.status)) {
        ctx.log(`body: ${bodySnippet(r)}`);
        return { status: "failed", cause: `${what} answered ${r.status}, expected ${expected}`, action: actionFor(r.status) };
    }
    return undefined;
}

function actionFor(status: number): string {
    if (status === 401 || status === 403) return "check the access token (it may be expired or for another environment)";
    if (status === 404) return "the route is missing: is this the Rust control service at the expected version?";
    if (status === 503) return "the service is unavailable or in maintenance mode: pass the maintenance bypass token or disable maintenance";
    if (status >= 500) return "the control service errors: read its logs";
    return "check the control service's routes";
}

function cacheStep(what: string, response: HttpResponse, needle: string): Step {
    const cc = response.headers["cache-control"] ?? "";
    if (cc.toLowerCase().includes(needle)) return undefined;
    return { status: "failed", cause: `${what} cache-control '${cc || "<none>"}' lacks ${needle}`, action: "serve the web shell with the control service's cache headers" };
}

async function assetCacheStep(base: string, js: string, headers: Record<string, string>, deps: CheckDeps, ctx: CheckContext, warnings: string[]): Promise<Step> {
    let url: string;
    try {
        url = new URL(js, `${base}/`).toString();
    } catch {
        return { status: "failed", cause: `manifest js entry '${js}' is not a URL path`, action: "fix the web shell manifest" };
    }
    if (new URL(url).host !== new URL(base).host) {
        // Not fetched (the bypass cookie must not go to another host), so not judged: say so.
        warnings.push(`manifest js asset ${url} is on another host: its cache headers were not checked`);
        return undefined;
    }
    const outcome = await deps.http.request({ url, headers, signal: ctx.signal, log: ctx.log });
    const name = js.split("/").pop() ?? js;
    const step = judge(`asset ${name}`, outcome, (s) => s >= 200 && s < 300, "2xx", ctx);
    if (step) return step;
    const response = (outcome as { ok: true; response: HttpResponse }).response;
    return CONTENT_HASH.test(name) ? cacheStep(`hashed asset ${name}`, response, "immutable") : cacheStep(`asset ${name}`, response, "max-age=");
}

/** The bypass cookie as a cookie header value, a failing verdict, or undefined when none was set. */
async function bypassCookie(base: string, token: string, deps: CheckDeps, ctx: CheckContext, warnings: string[]): Promise<{ cookie: string } | CheckVerdict | undefined> {
    const url = `${base}/?maintenance_bypass=${encodeURIComponent(token)}`;
    const outcome = await deps.http.request({ url, followRedirects: false, signal: ctx.signal, log: ctx.log });
    if (!outcome.ok) return { status: "failed", cause: outcomeCause("maintenance bypass", outcome), action: "check that the control service is reachable at this URL" };
    const r = outcome.response;
    const impostor = impostorReason(r, CONTROL.binary);
    if (impostor) return { status: "failed", cause: `maintenance bypass ${impostor}`, action: "point the target at the Rust control service" };
    const pairs = r.setCookies.map((c) => c.split(";")[0].trim()).filter((c) => c.includes("="));
    const bypass = pairs.find((c) => c.startsWith(`${MAINTENANCE.defaultCookieName}=`));
    if (r.status >= 300 && r.status < 400 && pairs.length > 0) {
        ctx.log(`maintenance bypass: ${r.status}, ${bypass ? `cookie ${MAINTENANCE.defaultCookieName} set` : `${pairs.length} cookie(s) set`}`);
        return { cookie: pairs.join("; ") };
    }
    warnings.push(`maintenance bypass answered ${r.status} without setting a cookie (maintenance mode off?); continuing without it`);
    return undefined;
}

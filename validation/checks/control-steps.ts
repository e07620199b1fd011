// The control service's steps (lanes.md "Health contracts" and the old smoke-control.sh), each
// judged on its body: the maintenance bypass cookie, readiness, liveness, the status route, the
// manifest and its cache headers, the service worker, the manifest's JS asset, and with an access
// token the session and sync-token routes.

import { CONTROL, type Environment, MAINTENANCE } from "../../catalog";
import { type HttpResponse, parseJson } from "../http";
import type { Redactor } from "../redact";
import type { BodyVerdict, Step } from "../steps";
import { type FieldRule, type Json, contentTypeOf, describeRules, fieldAt, fieldProblem, isJavaScriptContentType, jsonWith } from "./answers";
import { isFrontEnd404 } from "./probe";

const READY_RULES: readonly FieldRule[] = [{ path: "status", equals: "ready" }, { path: "static_dir", type: "string" }];
const HEALTH_RULES: readonly FieldRule[] = [
    { path: "status", equals: "ok" },
    { path: "service", equals: CONTROL.binary },
    { path: "version", type: "string" },
    { path: "uptime_seconds", type: "number" },
    { path: "auth_provider", oneOf: ["mock", "workos"] },
];
const MANIFEST_VERSION = "openagents.webshell.v2";
const CONTENT_HASH = /[0-9a-f]{8,}/i;
const SYNC_TOKEN_BODY = { scopes: ["runtime.codex_worker_events"] };

/** Keys of the runtime's readiness JSON that the control service's never has. */
const RUNTIME_READINESS_KEYS = ["authority_ready", "projector_ready", "workers_ready"] as const;

const is2xx = (s: number): boolean => s >= 200 && s < 300;

function runtimeReadiness(json: Json): string | undefined {
    const keys = RUNTIME_READINESS_KEYS.filter((k) => k in json);
    return keys.length > 0 ? `from the runtime service (its readiness JSON has ${keys.join(", ")}), not ${CONTROL.binary}` : undefined;
}

function cacheProblem(response: HttpResponse, needle: string): string | undefined {
    const cc = response.headers["cache-control"] ?? "";
    return cc.toLowerCase().includes(needle) ? undefined : `with cache-control '${cc || "<none>"}', which lacks ${needle}`;
}

/** The first string under a "js" key, in document order: the web shell's entry script. */
function firstJsEntry(value: unknown): string | undefined {
    if (value === null || typeof value !== "object") return undefined;
    for (const [key, v] of Object.entries(value as Json)) {
        if (key === "js" && typeof v === "string" && v !== "") return v;
        const inner = firstJsEntry(v);
        if (inner) return inner;
    }
    return undefined;
}

export interface ControlStepOptions {
    environment: Environment;
    base: string;
    accessToken?: string;
    bypassToken?: string;
    /** Secrets handed out by the service (sync tokens) are registered here the moment they arrive. */
    redactor: Redactor;
    /** Every other step waits for readiness (--wait-ready). */
    waitForReady: boolean;
}

export function controlReadinessStep(): Step {
    return {
        id: "readyz",
        method: "GET",
        path: CONTROL.health.readiness,
        auth: "none",
        accepts: "200",
        expects: `JSON ${describeRules(READY_RULES)}`,
        waitsForReady: true,
        request: () => ({ path: CONTROL.health.readiness }),
        status: (s) => s === 200,
        explainStatus: (s) => (s === 503 ? "not ready: is OA_CONTROL_STATIC_DIR a directory?" : undefined),
        body: (r) =>
            jsonWith(r, [], (json): BodyVerdict => {
                const runtime = runtimeReadiness(json);
                if (runtime) return { ok: false, problem: runtime, action: `point the target at the Rust control service (${CONTROL.names.prod} / ${CONTROL.names.staging})` };
                const problem = fieldProblem(json, READY_RULES);
                return problem ? { ok: false, problem: `JSON ${problem}: not the control service's ready JSON ({"status":"ready","static_dir":"..."})` } : { ok: true };
            }),
    };
}

export function controlLivenessStep(environment: Environment): Step {
    return {
        id: "healthz",
        method: "GET",
        path: CONTROL.health.liveness,
        auth: "none",
        accepts: "200",
        expects: `Google's front-end 404 (a warning), else JSON ${describeRules(HEALTH_RULES)}${environment === "prod" ? "; auth_provider not mock in prod" : ""}`,
        request: () => ({ path: CONTROL.health.liveness }),
        tolerate: (r) => (isFrontEnd404(r) ? `${CONTROL.health.liveness} answered by Google's front end (404): expected on run.app and mapped domains; /readyz is the external probe` : undefined),
        status: (s) => s === 200,
        body: (r) =>
            jsonWith(r, HEALTH_RULES, (json): BodyVerdict => {
                if (environment === "prod" && json.auth_provider === "mock") {
                    return { ok: false, problem: "with auth_provider \"mock\": production's control service would let anyone in", action: "set OA_AUTH_PROVIDER_MODE=workos on the production control service" };
                }
                return { ok: true, note: `${CONTROL.binary} ${String(json.version)}` };
            }),
    };
}

function withNeeds(step: Step, needs: readonly string[]): Step {
    const all = [...new Set([...(step.needs ?? []), ...needs])];
    return all.length > 0 ? { ...step, needs: all } : step;
}

/** control-<env>-health: readiness and liveness. */
export function controlHealthSteps(o: Pick<ControlStepOptions, "environment" | "waitForReady">): Step[] {
    return [controlReadinessStep(), withNeeds(controlLivenessStep(o.environment), o.waitForReady ? ["readyz"] : [])];
}

/** control-<env>-smoke: the old smoke's steps, independent ones at once. */
export function controlSmokeSteps(o: ControlStepOptions): Step[] {
    const authed = o.accessToken !== undefined;
    const bearer = authed ? { authorization: `Bearer ${o.accessToken}` } : undefined;
    const steps: Step[] = [controlReadinessStep(), controlLivenessStep(o.environment)];
    steps.push({
        id: "status",
        method: "GET",
        path: "/api/v1/control/status",
        auth: authed ? "access token" : "none",
        accepts: authed ? "2xx with the access token" : "200 or 401 without a token",
        expects: authed ? "JSON data (object)" : "200: JSON data (object); 401: any body",
        request: () => ({ path: "/api/v1/control/status", headers: bearer }),
        status: (s) => (authed ? is2xx(s) : s === 200 || s === 401),
        body: (r) => (r.status === 401 ? { ok: true, note: "401 without a token" } : jsonWith(r, [{ path: "data", type: "object" }])),
    });
    steps.push({
        id: "manifest",
        method: "GET",
        path: "/manifest.json",
        auth: "none",
        accepts: "2xx",
        expects: `JSON manifestVersion = "${MANIFEST_VERSION}"; cache-control no-cache`,
        provides: "the first js asset",
        request: () => ({ path: "/manifest.json" }),
        status: is2xx,
        body: (r) =>
            jsonWith(r, [{ path: "manifestVersion", equals: MANIFEST_VERSION }], (json): BodyVerdict => {
                const cache = cacheProblem(r, "no-cache");
                if (cache) return { ok: false, problem: cache, action: "serve the web shell with the control service's cache headers" };
                const js = firstJsEntry(json);
                return js ? { ok: true, provides: { asset: js } } : { ok: true, warning: "/manifest.json names no \"js\" asset: asset cache headers not checked" };
            }),
    });
    steps.push({
        id: "sw",
        method: "GET",
        path: "/sw.js",
        auth: "none",
        accepts: "2xx",
        expects: "JavaScript; cache-control no-cache",
        request: () => ({ path: "/sw.js" }),
        status: is2xx,
        body: (r) => {
            if (!isJavaScriptContentType(r)) return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not JavaScript (an HTML fallback page?)` };
            const cache = cacheProblem(r, "no-cache");
            return cache ? { ok: false, problem: cache, action: "serve the web shell with the control service's cache headers" } : { ok: true };
        },
    });
    steps.push({
        id: "asset",
        method: "GET",
        path: "<manifest js asset>",
        auth: "none",
        accepts: "2xx",
        expects: "JavaScript; cache-control immutable when the name has a content hash, else max-age=",
        needs: ["manifest"],
        skip: (got) => {
            if (!got.asset) return "/manifest.json names no \"js\" asset: asset cache headers not checked";
            const url = assetUrl(o.base, got.asset);
            if (!url) return undefined;
            // Not fetched (the bypass cookie must not go to another host), so not judged: say so.
            return new URL(url).host !== new URL(o.base).host ? `manifest js asset ${url} is on another host: its cache headers were not checked` : undefined;
        },
        request: (got) => {
            const url = assetUrl(o.base, got.asset ?? "") ?? o.base;
            return { path: new URL(url).pathname, url };
        },
        status: is2xx,
        body: (r, got) => {
            const name = (got.asset ?? "").split("/").pop() ?? "";
            if (!isJavaScriptContentType(r)) return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not JavaScript` };
            const cache = CONTENT_HASH.test(name) ? cacheProblem(r, "immutable") : cacheProblem(r, "max-age=");
            return cache ? { ok: false, problem: `(${CONTENT_HASH.test(name) ? "hashed " : ""}asset ${name}) ${cache}`, action: "serve the web shell with the control service's cache headers" } : { ok: true };
        },
    });
    if (authed) {
        for (const path of ["/api/auth/session", "/api/v1/auth/session"]) {
            steps.push({
                id: path.includes("/v1/") ? "session-v1" : "session",
                method: "GET",
                path,
                auth: "access token",
                accepts: "2xx with the access token",
                expects: "a JSON object",
                request: () => ({ path, headers: bearer }),
                status: is2xx,
                body: (r) => jsonWith(r, []),
            });
        }
        for (const path of ["/api/sync/token", "/api/v1/sync/token"]) {
            steps.push({
                id: path.includes("/v1/") ? "sync-token-v1" : "sync-token",
                method: "POST",
                path,
                auth: "access token",
                accepts: "2xx with the access token",
                expects: "JSON data.token (string, a secret: masked from here on)",
                request: () => ({ path, json: SYNC_TOKEN_BODY, headers: bearer }),
                status: is2xx,
                body: (r) => {
                    const token = fieldAt(parseJson(r), "data.token");
                    // The service hands out a credential: it never reaches a log, whatever else is wrong.
                    if (typeof token === "string") o.redactor.add(token);
                    return jsonWith(r, [{ path: "data.token", type: "string", nonEmpty: true }]);
                },
            });
        }
    }
    const needs = [...(o.bypassToken ? ["bypass"] : []), ...(o.waitForReady ? ["readyz"] : [])];
    const table = steps.map((s) => (s.id === "readyz" ? withNeeds(s, o.bypassToken ? ["bypass"] : []) : withNeeds(s, needs)));
    return o.bypassToken ? [bypassStep(o.bypassToken), ...table] : table;
}

function assetUrl(base: string, js: string): string | undefined {
    try {
        return new URL(js, `${base}/`).toString();
    } catch {
        return undefined;
    }
}

/** The maintenance bypass: a 3xx that sets the cookie every later step sends. */
function bypassStep(token: string): Step {
    return {
        id: "bypass",
        method: "GET",
        path: "/?maintenance_bypass=<token>",
        auth: "bypass token",
        accepts: "3xx that sets a cookie (else a warning: maintenance off?)",
        expects: `set-cookie ${MAINTENANCE.defaultCookieName}`,
        provides: "the bypass cookie",
        request: () => ({ path: `/?maintenance_bypass=${encodeURIComponent(token)}`, followRedirects: false }),
        status: () => true,
        body: (r): BodyVerdict => {
            const pairs = r.setCookies.map((c) => c.split(";")[0].trim()).filter((c) => c.includes("="));
            if (r.status >= 300 && r.status < 400 && pairs.length > 0) {
                const named = pairs.some((c) => c.startsWith(`${MAINTENANCE.defaultCookieName}=`));
                return { ok: true, provides: { cookie: pairs.join("; ") }, note: named ? `cookie ${MAINTENANCE.defaultCookieName} set` : `${pairs.length} cookie(s) set` };
            }
            return { ok: true, warning: `maintenance bypass answered ${r.status} without setting a cookie (maintenance mode off?); continuing without it` };
        },
    };
}

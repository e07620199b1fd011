// The control service's steps, each request as the service reads it and each answer judged as its
// own rules produce it (service/src/lib.rs and friends at c41c3629; every step cites its lines):
// the maintenance bypass, readiness, liveness, the pages users load, the web shell's manifest,
// service worker and entry script with their cache rules, the start of sign-in (without sending an
// email), a sign-in on the new revision itself where the source allows one without side effects
// in production (staging, mock provider), and the session, status and sync-token routes.
//
// Sessions, access tokens and personal access tokens live in each instance's memory
// (service/src/auth.rs:338-345): a token minted before the deploy is unknown to the new revision.
// So authenticated routes are verified with a session the gate opens on the revision it judges,
// and a token given to the gate is reported for what it is, never the silent basis of a verdict.

import { CONTROL, type Environment, MAINTENANCE } from "../../catalog";
import { type HttpResponse, parseJson } from "../../io/http";
import type { Redactor } from "../../io/redact";
import type { BodyVerdict, Provided, Step } from "../steps";
import { bodyExcerpt, excerpt } from "../../io/text";
import { type FieldRule, type Json, contentTypeOf, describeRules, fieldAt, fieldProblem, isJavaScriptContentType, jsonObject, jsonWith } from "./answers";
import { DEFAULT_MOCK_MAGIC_CODE } from "../option-table";
import { cacheControlProblem } from "./cache-control";
import { isFrontEnd404 } from "./probe";
import { LATER_COMMIT, cite } from "./sources";

/** The static-file rules' Cache-Control values (lib.rs:110-113) and the maintenance page's (lib.rs:139). */
export const CACHE = {
    apiNoStore: "no-store",
    immutable: "public, max-age=31536000, immutable",
    shortLived: "public, max-age=60",
    manifest: "no-cache, no-store, must-revalidate",
    maintenance: "no-store, no-cache, must-revalidate",
} as const;

const READY_RULES: readonly FieldRule[] = [
    { path: "status", equals: "ready" },
    { path: "static_dir", type: "string" },
];
const HEALTH_RULES: readonly FieldRule[] = [
    { path: "status", equals: "ok" },
    { path: "service", equals: CONTROL.binary },
    { path: "version", type: "string" },
    { path: "uptime_seconds", type: "number" },
    { path: "auth_provider", oneOf: ["mock", "workos"] },
];
const MANIFEST_VERSION = "openagents.webshell.v2";
/** The compatibility handshake the web shell itself sends (web-shell/src/lib.rs:190-192, 1320-1322): what users' clients present. */
export const WEB_SHELL_HANDSHAKE = { "x-oa-client-build-id": "20260221T130000Z", "x-oa-protocol-version": "openagents.control.v1", "x-oa-schema-version": "1" } as const;
/** The scope the old smoke asked for, the service's default (config.rs:41). */
const SYNC_SCOPE = "runtime.codex_worker_events";
/**
 * The sign-in probe's address: one the service accepts (it only asks for an '@', auth.rs:1934-1944)
 * and WorkOS refuses, having no domain: the provider answers 4xx, which the service maps to 422
 * (auth.rs:2428-2433), before any challenge is stored (auth.rs:442-447). No email can be sent to it.
 */
export const SIGN_IN_PROBE_EMAIL = "openagents-gate-probe@";
/** The unauthenticated answer of every session-gated route (lib.rs:1874-1885, api_envelope.rs:131-137). */
const UNAUTHENTICATED = { message: "Unauthenticated.", error: { code: "unauthorized", message: "Unauthenticated." } };
/** The unavailable provider's message when WorkOS is not configured (auth.rs:1915-1931). */
const WORKOS_UNCONFIGURED = "WorkOS identity provider is required";
/** The WorkOS provider's message when it cannot reach WorkOS (auth.rs:2419-2422). */
const WORKOS_UNREACHABLE = "Unable to contact WorkOS";
/** Auth state per instance: why a token may be unknown to the instance that answers. */
const PER_INSTANCE = `sessions live in each instance's memory (${cite("service/src/auth.rs", "338-345,418-432")})`;
/** The pages users load, served by the web shell entry (lib.rs:1354-1355,1067,2366-2425). */
export const PAGES = ["/", "/login", "/feed"] as const;

/** Keys of the runtime's readiness JSON that the control service's never has. */
const RUNTIME_READINESS_KEYS = ["authority_ready", "projector_ready", "workers_ready"] as const;

function runtimeReadiness(json: Json): string | undefined {
    const keys = RUNTIME_READINESS_KEYS.filter((k) => k in json);
    return keys.length > 0 ? `from the runtime service (its readiness JSON has ${keys.join(", ")}), not ${CONTROL.binary}` : undefined;
}

/** Is the object exactly the service's unauthenticated envelope? */
function isUnauthenticated(r: HttpResponse): boolean {
    const parsed = jsonObject(r);
    return parsed.ok && JSON.stringify(parsed.json) === JSON.stringify(UNAUTHENTICATED);
}

/** The service's error envelope (api_envelope.rs:66-72): its code and message, or undefined. */
function errorEnvelope(r: HttpResponse): { code: string; message: string; fields: string[] } | undefined {
    const json = parseJson(r) as Json | undefined;
    if (!json || typeof json !== "object") return undefined;
    const code = fieldAt(json, "error.code");
    const message = fieldAt(json, "error.message");
    if (typeof code !== "string" || typeof message !== "string") return undefined;
    const errors = json.errors;
    return { code, message, fields: errors && typeof errors === "object" && !Array.isArray(errors) ? Object.keys(errors) : [] };
}

/** Is this the maintenance page (lib.rs:12321-12420)? */
function isMaintenancePage(r: HttpResponse): boolean {
    return r.status === 503 && contentTypeOf(r) === "text/html" && r.body.toString("utf8", 0, 4096).includes("<title>We'll be right back | OpenAgents</title>");
}

/** Why an answer that did not pass is the front door failing users, in words: maintenance, a legacy route, a missing file. */
function frontDoorMeaning(r: HttpResponse, redactor: Redactor): string | undefined {
    if (isMaintenancePage(r)) return "the maintenance page: maintenance mode is on and no bypass cookie was sent (OA_MAINTENANCE_MODE_ENABLED)";
    const e = errorEnvelope(r);
    if (e?.code === "legacy_route_unavailable") {
        return "routed to the legacy target, and OA_ROUTE_SPLIT_LEGACY_BASE_URL is unset (route split: OA_ROUTE_SPLIT_ENABLED=false, a path outside OA_ROUTE_SPLIT_RUST_ROUTES, mode legacy or cohort, or OA_ROUTE_SPLIT_FORCE_LEGACY)";
    }
    if (e?.code === "not_found" && r.status === 404) return `not found: ${bodyExcerpt(Buffer.from(e.message), 100, redactor)}`;
    if (e?.code === "static_asset_error") return "the service could not read its static file";
    return undefined;
}

export interface ControlStepOptions {
    environment: Environment;
    base: string;
    /** A token given to the gate (<ENV>_CONTROL_ACCESS_TOKEN): used where the gate has no session of its own, and reported as such. */
    accessToken?: string;
    bypassToken?: string;
    /** The mock provider's code for the staging sign-in (OA_AUTH_MOCK_MAGIC_CODE). */
    mockMagicCode?: string;
    /** Secrets handed out by the service (session and sync tokens) are registered here the moment they arrive. */
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
        source: [cite("service/src/lib.rs", "1357,1477-1497,400-403,12422-12440"), cite("service/src/config.rs", "73")],
        waitsForReady: true,
        request: () => ({ path: CONTROL.health.readiness }),
        // A 503 is the not_ready JSON (no static dir), or the maintenance page when /readyz is not an allowed path.
        status: (s) => s === 200 || s === 503,
        body: (r) => {
            if (r.status === 503) {
                if (isMaintenancePage(r))
                    return {
                        ok: false,
                        problem: "(the maintenance page: /readyz is not in OA_MAINTENANCE_ALLOWED_PATHS)",
                        action: "keep /healthz and /readyz in OA_MAINTENANCE_ALLOWED_PATHS (the default)",
                    };
                return jsonWith(r, [{ path: "status", equals: "not_ready" }], (json) => ({
                    ok: false,
                    problem: `(not ready: OA_CONTROL_STATIC_DIR ${JSON.stringify(typeof json.static_dir === "string" ? json.static_dir : "").slice(0, 80)} is not a directory)`,
                    action: "point OA_CONTROL_STATIC_DIR at the image's web shell (/app/web-shell/dist), or re-run with --wait-ready",
                }));
            }
            return jsonWith(r, [], (json): BodyVerdict => {
                const runtime = runtimeReadiness(json);
                if (runtime) return { ok: false, problem: runtime, action: `point the target at the Rust control service (${CONTROL.names.prod} / ${CONTROL.names.staging})` };
                const problem = fieldProblem(json, READY_RULES);
                return problem ? { ok: false, problem: `JSON ${problem}: not the control service's ready JSON ({"status":"ready","static_dir":"..."})` } : { ok: true };
            });
        },
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
        source: [cite("service/src/lib.rs", "1356,1462-1475,391-397"), cite("service/src/auth.rs", "1905-1913,2387,2470,2585")],
        request: () => ({ path: CONTROL.health.liveness }),
        tolerate: (r) => (isFrontEnd404(r) ? `${CONTROL.health.liveness} answered by Google's front end (404): expected on run.app and mapped domains; /readyz is the external probe` : undefined),
        status: (s) => s === 200,
        body: (r) =>
            jsonWith(r, HEALTH_RULES, (json): BodyVerdict => {
                if (environment === "prod" && json.auth_provider === "mock") {
                    return {
                        ok: false,
                        problem: 'with auth_provider "mock": production\'s control service lets anyone sign in with the mock code',
                        action: "set OA_AUTH_PROVIDER_MODE=workos with WORKOS_CLIENT_ID and WORKOS_API_KEY on the production control service",
                    };
                }
                // "workos" is also what the unavailable provider reports (auth.rs:2470): the sign-in step tells them apart.
                return { ok: true, note: `${CONTROL.binary} ${String(json.version)}, auth_provider ${String(json.auth_provider)}` };
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

/** A page users load: the web shell's index.html (lib.rs:2408-2414), or what the route split and maintenance make of it. */
function pageStep(path: (typeof PAGES)[number], redactor: Redactor): Step {
    const id = path === "/" ? "page-root" : `page-${path.slice(1)}`;
    const own =
        path === "/login" ? cite("service/src/lib.rs", "1067,3003-3015") : path === "/feed" ? cite("service/src/lib.rs", "1355,6181-6191") : cite("service/src/lib.rs", "1354,2383-2395,12683-12686");
    return {
        id,
        method: "GET",
        path,
        auth: "none",
        accepts: "200 (a redirect is not followed)",
        expects: `HTML of the web shell (its canvas element); cache-control ${CACHE.manifest}`,
        source: [own, cite("service/src/lib.rs", "2366-2425,113"), cite("service/src/route_split.rs", "97-235,299-305"), cite("web-shell/build-dist.sh", "94-116")],
        request: () => ({ path, followRedirects: false }),
        status: () => true,
        body: (r): BodyVerdict => {
            if (r.status >= 300 && r.status < 400) {
                const location = excerpt(r.headers.location ?? "", 120, redactor);
                return {
                    ok: false,
                    problem: `(a ${r.status} redirect to ${location || "nowhere"}): the route split sends this page to the legacy target, so users land on the legacy stack`,
                    action: `route ${path} to the Rust shell (OA_ROUTE_SPLIT_ENABLED=true, OA_ROUTE_SPLIT_MODE=rust, OA_ROUTE_SPLIT_RUST_ROUTES covering it, OA_ROUTE_SPLIT_FORCE_LEGACY off)`,
                };
            }
            if (r.status !== 200) {
                const meaning = frontDoorMeaning(r, redactor);
                const action = meaning?.startsWith("routed")
                    ? "set OA_ROUTE_SPLIT_ENABLED=true and OA_ROUTE_SPLIT_MODE=rust (the staging runbook's settings), or a legacy base URL"
                    : meaning?.startsWith("the maintenance page")
                      ? "pass the maintenance bypass token (<ENV>_MAINTENANCE_BYPASS_TOKEN) to judge behind it, or turn maintenance mode off"
                      : "check the control service: users cannot load this page";
                return { ok: false, problem: `(${meaning ?? "users cannot load this page"})`, action };
            }
            if (contentTypeOf(r) !== "text/html") return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not text/html` };
            const cache = cacheControlProblem(r.headers["cache-control"], CACHE.manifest);
            if (cache) return { ok: false, problem: cache, action: "serve the web shell with the control service's cache headers" };
            // build-dist.sh writes index.html with the shell's canvas; any other HTML is another page.
            if (!r.body.toString("utf8", 0, 64 * 1024).includes("openagents-web-shell-canvas"))
                return { ok: false, problem: "with HTML that is not the web shell's index.html (no openagents-web-shell-canvas)" };
            return { ok: true };
        },
    };
}

/** Which credential an authenticated step sends: the session the gate opened, else the token given, else none. */
function credential(got: Provided, given: string | undefined): { token?: string; kind: "session" | "given" | "none" } {
    if (got.sessionToken) return { token: got.sessionToken, kind: "session" };
    if (given) return { token: given, kind: "given" };
    return { kind: "none" };
}

/**
 * A session-gated route: 200 with the contract's body when the gate holds a session; without one,
 * the service's exact 401 (the route exists and its session gate works). A token given to the gate
 * that the new revision does not know (401) is reported, never failed on or passed on silently.
 */
function sessionRoute(o: {
    id: string;
    environment: Environment;
    method: "GET" | "POST";
    path: string;
    given?: string;
    json?: unknown;
    compat?: boolean;
    rules: readonly FieldRule[];
    expects: string;
    source: string[];
    then?: (json: Json, r: HttpResponse) => BodyVerdict;
    redactor: Redactor;
    /** Secrets in the answer to register before anything else looks at it. */
    secrets?: (json: unknown) => unknown[];
}): Step {
    return {
        id: o.id,
        method: o.method,
        path: o.path,
        auth: `the gate's session, else the given token, else none${o.compat ? "; the web shell's compatibility headers" : ""}`,
        accepts: "with a session: 200; without one: 401",
        expects: `200: JSON ${o.expects}; 401: exactly ${JSON.stringify(UNAUTHENTICATED)}`,
        // Only staging may sign in: there the session routes wait for it; production never has a session.
        needs: o.environment === "staging" ? ["sign-in-verify"] : [],
        source: o.source,
        request: (got) => {
            const c = credential(got, o.given);
            return { path: o.path, json: o.json, headers: { ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...(o.compat ? WEB_SHELL_HANDSHAKE : {}) } };
        },
        status: (s) => s === 200 || s === 401 || s === 426 || s === 503,
        explainStatus: (s) => (s === 404 || s === 405 ? "the route is missing" : undefined),
        body: (r, got): BodyVerdict => {
            for (const s of o.secrets?.(parseJson(r)) ?? []) if (typeof s === "string" && s !== "") o.redactor.add(s);
            const c = credential(got, o.given);
            if (r.status === 426) return compatibilityRefusal(r);
            if (r.status === 503) {
                const e = errorEnvelope(r);
                if (isMaintenancePage(r)) return { ok: false, problem: "(the maintenance page: maintenance mode is on and no bypass cookie was sent)" };
                return {
                    ok: false,
                    problem: `(${e ? `${e.code}: ${bodyExcerpt(Buffer.from(e.message), 120, o.redactor)}` : "unavailable"})`,
                    action: "configure what the route needs (a sync token needs OA_SYNC_TOKEN_SIGNING_KEY)",
                };
            }
            if (r.status === 401) {
                if (!isUnauthenticated(r)) return { ok: false, problem: `with a body other than the service's unauthenticated envelope ${JSON.stringify(UNAUTHENTICATED)}` };
                if (c.kind === "session")
                    return {
                        ok: false,
                        problem: `to the session the gate opened on this revision moments ago: ${PER_INSTANCE}, so the request reached an instance that never saw the sign-in`,
                        action: "gate with one instance serving, or keep auth state where every instance reads it",
                    };
                if (c.kind === "given")
                    return {
                        ok: true,
                        warning: `${o.path}: the access token given to the gate was refused (401): ${PER_INSTANCE}, so a token minted before this deploy is unknown to the new revision; this route was verified only as far as its 401`,
                    };
                return { ok: true, note: "401 without a session, as the service answers" };
            }
            if (c.kind === "none") return { ok: false, problem: "without any credential: the route is not behind the session gate" };
            return jsonWith(r, o.rules, (json) => {
                const more = o.then?.(json, r) ?? { ok: true };
                if (!more.ok) return more;
                return c.kind === "given" ? { ...more, warning: `${o.path}: verified with the access token given to the gate, not a session opened on this revision` } : more;
            });
        },
    };
}

/** A 426 from the compatibility gate (lib.rs:2037-2082, 2144-2200): the web shell's own handshake refused. */
function compatibilityRefusal(r: HttpResponse): BodyVerdict {
    const h = r.headers;
    const window = `protocol ${h["x-oa-compatibility-protocol-version"] ?? "?"}, builds from ${h["x-oa-compatibility-min-client-build-id"] ?? "?"}${h["x-oa-compatibility-max-client-build-id"] ? ` to ${h["x-oa-compatibility-max-client-build-id"]}` : ""}, schema ${h["x-oa-compatibility-min-schema-version"] ?? "?"}..${h["x-oa-compatibility-max-schema-version"] ?? "?"}`;
    return {
        ok: false,
        problem: `(${h["x-oa-compatibility-code"] ?? "upgrade required"}): the compatibility gate refuses the web shell's own handshake (build ${WEB_SHELL_HANDSHAKE["x-oa-client-build-id"]}, protocol ${WEB_SHELL_HANDSHAKE["x-oa-protocol-version"]}, schema ${WEB_SHELL_HANDSHAKE["x-oa-schema-version"]}); the window is ${window}`,
        action: "widen OA_COMPAT_CONTROL_* to admit the clients users run, or turn OA_COMPAT_CONTROL_ENFORCED off",
    };
}

/** control-<env>-smoke: the front door as users see it, then the API behind it. */
export function controlSmokeSteps(o: ControlStepOptions): Step[] {
    const steps: Step[] = [controlReadinessStep(), controlLivenessStep(o.environment)];
    for (const page of PAGES) steps.push(pageStep(page, o.redactor));
    steps.push(...webShellSteps(o));
    steps.push(signInStartStep(o), signInVerifyStep(o));
    const sessionRules: readonly FieldRule[] = [
        { path: "data.session.sessionId", type: "string" },
        { path: "data.session.userId", type: "string" },
        { path: "data.user.id", type: "string" },
        { path: "data.user.email", type: "string" },
        { path: "data.memberships", type: "array" },
    ];
    for (const [id, path, route] of [
        ["session", "/api/auth/session", "1129"],
        ["session-v1", "/api/v1/auth/session", "1312"],
    ] as const) {
        steps.push(
            sessionRoute({
                environment: o.environment,
                id,
                method: "GET",
                path,
                given: o.accessToken,
                rules: sessionRules,
                expects: describeRules(sessionRules),
                source: [cite("service/src/lib.rs", `${route},1344-1351,3498-3512,12291-12319`), cite("service/src/api_envelope.rs", "131-137")],
                redactor: o.redactor,
            }),
        );
    }
    const statusRules: readonly FieldRule[] = [
        { path: "data.service", equals: CONTROL.binary },
        { path: "data.authProvider", oneOf: ["mock", "workos"] },
        { path: "data.compatibility.protocolVersion", type: "string" },
        { path: "data.routeSplit", type: "object" },
        { path: "data.runtimeRouting", type: "object" },
    ];
    steps.push(
        sessionRoute({
            environment: o.environment,
            id: "status",
            method: "GET",
            path: "/api/v1/control/status",
            given: o.accessToken,
            compat: true,
            rules: statusRules,
            expects: describeRules(statusRules),
            source: [cite("service/src/lib.rs", "1315,12065-12097,2084-2098"), cite("web-shell/src/lib.rs", "190-192")],
            redactor: o.redactor,
        }),
    );
    const syncRules: readonly FieldRule[] = [
        { path: "data.token", type: "string", nonEmpty: true },
        { path: "data.token_type", equals: "Bearer" },
        { path: "data.expires_in", type: "number" },
        { path: "data.scopes", type: "array" },
    ];
    for (const [id, path, route, compat] of [
        ["sync-token", "/api/sync/token", "1190", false],
        ["sync-token-v1", "/api/v1/sync/token", "1343", true],
    ] as const) {
        steps.push(
            sessionRoute({
                environment: o.environment,
                id,
                method: "POST",
                path,
                given: o.accessToken,
                compat,
                json: { scopes: [SYNC_SCOPE] },
                rules: syncRules,
                expects: `${describeRules(syncRules)} (data.token a secret: masked from here on), scopes include ${SYNC_SCOPE}`,
                source: [cite("service/src/lib.rs", `${route},835-845,6890-6969,12200-12218`), cite("service/src/sync_token.rs", "57-75,94-190")],
                redactor: o.redactor,
                // The service hands out a credential: it never reaches a log, whatever else is wrong.
                secrets: (json) => [fieldAt(json, "data.token")],
                then: (json) => ((fieldAt(json, "data.scopes") as unknown[]).includes(SYNC_SCOPE) ? { ok: true } : { ok: false, problem: `with data.scopes without ${SYNC_SCOPE}` }),
            }),
        );
    }
    const needs = [...(o.bypassToken ? ["bypass"] : []), ...(o.waitForReady ? ["readyz"] : [])];
    const table = steps.map((s) => (s.id === "readyz" ? withNeeds(s, o.bypassToken ? ["bypass"] : []) : withNeeds(s, needs)));
    return o.bypassToken ? [bypassStep(o.bypassToken, o.redactor), ...table] : table;
}

/** The manifest, the service worker and the manifest's entry script, with the static-file cache rules. */
function webShellSteps(o: ControlStepOptions): Step[] {
    const later = `(${LATER_COMMIT} removed the web shell routes: is the image from a later commit?)`;
    return [
        {
            id: "manifest",
            method: "GET",
            path: "/manifest.json",
            auth: "none",
            accepts: "200",
            expects: `JSON manifestVersion = "${MANIFEST_VERSION}", buildId (string), entry.js, entry.wasm, entry.hostShim (strings); cache-control ${CACHE.manifest}`,
            provides: "entry.js, entry.wasm, entry.hostShim",
            source: [cite("service/src/lib.rs", "1363,2309-2318,2785-2850,113"), cite("web-shell/build-dist.sh", "142-166")],
            request: () => ({ path: "/manifest.json" }),
            status: (s) => s === 200,
            explainStatus: (s) => (s === 404 ? later : undefined),
            body: (r) =>
                jsonWith(
                    r,
                    [
                        { path: "manifestVersion", equals: MANIFEST_VERSION },
                        { path: "buildId", type: "string" },
                        { path: "entry.js", type: "string", nonEmpty: true },
                        { path: "entry.wasm", type: "string", nonEmpty: true },
                        { path: "entry.hostShim", type: "string", nonEmpty: true },
                    ],
                    (json): BodyVerdict => {
                        const cache = cacheControlProblem(r.headers["cache-control"], CACHE.manifest);
                        if (cache) return { ok: false, problem: cache, action: "serve the web shell with the control service's cache headers" };
                        return {
                            ok: true,
                            provides: { js: String(fieldAt(json, "entry.js")), wasm: String(fieldAt(json, "entry.wasm")), hostShim: String(fieldAt(json, "entry.hostShim")) },
                            note: `build ${String(json.buildId).slice(0, 40)}`,
                        };
                    },
                ),
        },
        {
            id: "sw",
            method: "GET",
            path: "/sw.js",
            auth: "none",
            accepts: "200",
            expects: `JavaScript; cache-control ${CACHE.manifest}`,
            source: [cite("service/src/lib.rs", "1362,2320-2329,113"), cite("web-shell/build-dist.sh", "75-91")],
            request: () => ({ path: "/sw.js" }),
            status: (s) => s === 200,
            explainStatus: (s) => (s === 404 ? later : undefined),
            body: (r) => {
                if (!isJavaScriptContentType(r)) return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not JavaScript (an HTML fallback page?)` };
                const cache = cacheControlProblem(r.headers["cache-control"], CACHE.manifest);
                return cache ? { ok: false, problem: cache, action: "serve the web shell with the control service's cache headers" } : { ok: true };
            },
        },
        assetStep(o, "asset", "js"),
        assetStep(o, "host-shim", "hostShim"),
        assetStep(o, "wasm", "wasm"),
        ...HOST_SHIM_IMPORTS.map((file) => assetStep(o, file.replace(/\.js$/, ""), "hostShim", file)),
    ];
}

/** What the host shim imports beside itself besides the entry script (web-shell/host/host-shim.js:1-6@c41c3629). */
const HOST_SHIM_IMPORTS = ["update-policy.js", "capability-policy.js"] as const;

/**
 * A file of the web shell that users' browsers load, named by the manifest (build-dist.sh:142-166):
 * the entry script, the host shim index.html loads (build-dist.sh:113), the WebAssembly module
 * the entry script instantiates. Served by the asset route with the name rule's cache header.
 */
function assetStep(o: ControlStepOptions, id: string, field: "js" | "wasm" | "hostShim", besideIt?: string): Step {
    const wasm = field === "wasm";
    const what = besideIt ? `${besideIt} beside manifest entry.${field}` : `manifest entry.${field}`;
    // A file the host shim imports sits beside it (its imports are relative, host-shim.js:1-6).
    const located = (got: Provided): string => {
        if (!besideIt) return got[field] ?? "";
        const shim = assetUrl(o.base, got[field] ?? "");
        return shim ? new URL(besideIt, shim).toString() : "";
    };
    return {
        id,
        method: "GET",
        path: `<${what}>`,
        auth: "none",
        accepts: "200",
        expects: `${wasm ? "application/wasm starting with the WebAssembly magic (\\0asm)" : "JavaScript"}; cache-control ${CACHE.immutable} when the file name's last '-' part is 8+ letters or digits (a content hash), else ${CACHE.shortLived}`,
        needs: ["manifest"],
        source: [
            cite("service/src/lib.rs", "1364,2331-2364,2984-3001,111-112"),
            cite("web-shell/build-dist.sh", besideIt ? "72-73" : field === "js" ? "142-166" : field === "wasm" ? "30-34,142-166" : "60-70,113,142-166"),
            ...(besideIt ? [cite("web-shell/host/host-shim.js", "1-6")] : []),
        ],
        skip: (got) => {
            const url = assetUrl(o.base, located(got));
            if (!url) return `${what} ${JSON.stringify(located(got).slice(0, 80))} is not a URL: its cache headers were not checked`;
            // Not fetched (the bypass cookie must not go to another host), so not judged: say so.
            return new URL(url).host !== new URL(o.base).host ? `${what} ${url} is on another host: its cache headers were not checked` : undefined;
        },
        request: (got) => {
            const url = assetUrl(o.base, located(got)) ?? o.base;
            return { path: new URL(url).pathname, url };
        },
        status: (s) => s === 200,
        body: (r, got) => {
            const name = new URL(assetUrl(o.base, located(got)) ?? o.base).pathname.split("/").pop() ?? "";
            if (wasm) {
                if (contentTypeOf(r) !== "application/wasm") return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not application/wasm` };
                // Browsers refuse to instantiate anything else (WebAssembly core spec 5.5.16: magic 0x00 0x61 0x73 0x6d).
                if (!r.body.subarray(0, 4).equals(Buffer.from([0x00, 0x61, 0x73, 0x6d]))) return { ok: false, problem: "with a body that is not a WebAssembly module (no \\0asm magic)" };
            } else if (!isJavaScriptContentType(r)) return { ok: false, problem: `with ${contentTypeOf(r) || "no content type"}, not JavaScript` };
            const hashed = isHashedAssetName(name);
            const cache = cacheControlProblem(r.headers["cache-control"], hashed ? CACHE.immutable : CACHE.shortLived);
            return cache ? { ok: false, problem: `(${hashed ? "hashed " : ""}asset ${name}) ${cache}`, action: "serve the web shell with the control service's cache headers" } : { ok: true };
        },
    };
}

/** The service's rule for a content-hashed file name (lib.rs:2984-3001): the stem's last '-' part is 8+ ASCII letters or digits. */
export function isHashedAssetName(fileName: string): boolean {
    const dot = fileName.lastIndexOf(".");
    if (dot < 0) return false;
    const stem = fileName.slice(0, dot);
    const dash = stem.lastIndexOf("-");
    if (dash < 0) return false;
    const hash = stem.slice(dash + 1);
    return hash.length >= 8 && /^[A-Za-z0-9]+$/.test(hash);
}

function assetUrl(base: string, js: string): string | undefined {
    if (js === "") return undefined;
    try {
        // build-dist.sh writes it relative to the dist root ("assets/openagents_web_shell.js").
        return new URL(js, `${base}/`).toString();
    } catch {
        return undefined;
    }
}

/**
 * The start of sign-in as the web shell sends it (POST /api/auth/email), with an address WorkOS
 * refuses: a configured WorkOS provider answers 422 (nothing stored, no email), the provider that
 * stands in when WorkOS is not configured answers 503, and the mock provider answers 200 with a
 * challenge (held in memory only).
 */
function signInStartStep(o: ControlStepOptions): Step {
    return {
        id: "sign-in-start",
        method: "POST",
        path: "/api/auth/email",
        auth: "none",
        accepts: "422 from WorkOS's refusal; 200 code-sent (the mock provider, staging only)",
        expects: `{"email":"${SIGN_IN_PROBE_EMAIL}"}: 422 JSON error.code "invalid_request" on the field "code" (WorkOS reached); 200 JSON ok = true, status "code-sent", challengeId (string); 503 is sign-in unavailable`,
        provides: "the provider, a challenge",
        source: [
            cite("service/src/lib.rs", "1107-1113,3228-3270,418-421,12153-12167"),
            cite("service/src/auth.rs", "442-470,1905-1944,2350-2360,2402-2433,2450-2473"),
            cite("app-state/src/command_bus.rs", "131-137"),
        ],
        request: () => ({ path: "/api/auth/email", json: { email: SIGN_IN_PROBE_EMAIL } }),
        status: () => true,
        body: (r): BodyVerdict => {
            const e = errorEnvelope(r);
            if (r.status === 422 && e?.code === "invalid_request" && e.fields.includes("code")) {
                return { ok: true, provides: { provider: "workos" }, note: "WorkOS reached: it refused the probe address (no email sent)" };
            }
            if (r.status === 422 && e?.fields.includes("email"))
                return { ok: false, problem: "(the service itself refused the probe address: its email rule is not the one at the contract's commit)" };
            if (r.status === 200) {
                const parsed = jsonObject(r);
                if (!parsed.ok) return { ok: false, problem: parsed.problem };
                const problem = fieldProblem(parsed.json, [
                    { path: "ok", equals: true },
                    { path: "status", equals: "code-sent" },
                    { path: "challengeId", type: "string", nonEmpty: true },
                ]);
                if (problem) return { ok: false, problem: `JSON ${problem}` };
                if (o.environment === "prod") {
                    return {
                        ok: false,
                        problem: "(a challenge for an address without a domain, which WorkOS refuses: production runs the mock identity provider, so anyone can sign in with the mock code)",
                        action: "set OA_AUTH_PROVIDER_MODE=workos with WORKOS_CLIENT_ID and WORKOS_API_KEY on the production control service",
                    };
                }
                return { ok: true, provides: { provider: "mock", challengeId: String(parsed.json.challengeId) }, note: "the mock provider issued a challenge (no email: mock)" };
            }
            if (r.status === 503) {
                if (isMaintenancePage(r)) return { ok: false, problem: "(the maintenance page: maintenance mode is on and no bypass cookie was sent)" };
                const message = e?.message ?? "";
                if (message.includes(WORKOS_UNCONFIGURED)) {
                    return {
                        ok: false,
                        problem: '(sign-in unavailable: WorkOS is not configured, so the service runs the provider that refuses every sign-in while /healthz still says auth_provider "workos")',
                        action: "set WORKOS_CLIENT_ID and WORKOS_API_KEY on the control service",
                    };
                }
                if (message.startsWith(WORKOS_UNREACHABLE))
                    return { ok: false, problem: "(sign-in unavailable: the service cannot reach WorkOS)", action: "check the control service's egress to the WorkOS API (OA_WORKOS_API_BASE_URL)" };
                return {
                    ok: false,
                    problem: `(sign-in unavailable${e ? `: ${e.code}: ${bodyExcerpt(Buffer.from(message), 120, o.redactor)}` : ""})`,
                    action: "read the control service's logs: users cannot sign in",
                };
            }
            if (r.status === 429) return { ok: false, problem: "(throttled: more than 30 sign-in starts a minute from the gate's address)", action: "re-run in a minute" };
            if (r.status === 404 || r.status === 405)
                return { ok: false, problem: "(the sign-in route is missing)", action: "check that the image is the Rust control service at the contract's commit" };
            return { ok: false, problem: `(not an answer the sign-in route gives${e ? `: ${e.code}` : ""})` };
        },
    };
}

/** The sign-in's second half, on the revision judged: staging with the mock provider only (in production nothing is written, and WorkOS needs a real user's code). */
function signInVerifyStep(o: ControlStepOptions): Step {
    const code = o.mockMagicCode ?? DEFAULT_MOCK_MAGIC_CODE;
    return {
        id: "sign-in-verify",
        method: "POST",
        path: "/api/auth/verify",
        auth: "the challenge",
        accepts: "200 (staging, mock provider; otherwise not sent)",
        expects: '{"code": the mock code, "challenge_id"}: JSON ok = true, status "authenticated", token (string, a secret: masked from here on)',
        needs: ["sign-in-start"],
        provides: "a session on this revision",
        source: [
            cite("service/src/lib.rs", "1121,3411-3495,428-435"),
            cite("service/src/auth.rs", "472-520,2362-2385"),
            cite("service/src/config.rs", "12,234-237"),
            cite("app-state/src/command_bus.rs", "138-151"),
        ],
        skip: (got) => {
            if (o.environment === "prod") return "no sign-in in production (nothing is written there): the session, status and sync-token routes are verified as far as their 401";
            if (got.provider !== "mock") return "the provider is WorkOS: a session needs a real user's emailed code, so the session, status and sync-token routes are verified as far as their 401";
            return undefined;
        },
        // As the web shell sends it: the code, the challenge id, and its client name (command_bus.rs:138-151).
        request: (got) => ({ path: "/api/auth/verify", json: { code, challenge_id: got.challengeId }, headers: { "x-client": "openagents-web-shell" } }),
        status: () => true,
        body: (r): BodyVerdict => {
            const token = fieldAt(parseJson(r), "token");
            if (typeof token === "string" && token !== "") o.redactor.add(token);
            const refresh = fieldAt(parseJson(r), "refreshToken");
            if (typeof refresh === "string" && refresh !== "") o.redactor.add(refresh);
            if (r.status === 422) {
                const e = errorEnvelope(r);
                // auth.rs:489-506: an unknown or lapsed challenge; a wrong code says "invalid or expired" (auth.rs:2370-2375).
                if (e?.message.startsWith("Your sign-in code expired"))
                    return {
                        ok: false,
                        problem: `(the challenge is unknown to the instance that answered: ${PER_INSTANCE})`,
                        action: "gate with one instance serving, or keep auth state where every instance reads it",
                    };
                return { ok: false, problem: "(the mock code was refused)", action: "set OA_AUTH_MOCK_MAGIC_CODE for the gate to the service's code" };
            }
            if (r.status !== 200) return { ok: false, problem: `(sign-in did not complete${errorEnvelope(r) ? `: ${errorEnvelope(r)!.code}` : ""})` };
            return jsonWith(
                r,
                [
                    { path: "ok", equals: true },
                    { path: "status", equals: "authenticated" },
                    { path: "token", type: "string", nonEmpty: true },
                ],
                (json) => ({
                    ok: true,
                    provides: { sessionToken: String(json.token) },
                    note: "signed in on this revision (mock provider)",
                }),
            );
        },
    };
}

/** The maintenance bypass (lib.rs:1985-2035): a 307 that sets the signed cookie every later step sends. */
function bypassStep(token: string, redactor: Redactor): Step {
    // The service compares the raw query value, never percent-decoded (lib.rs:12442-12453).
    const raw = /^[A-Za-z0-9\-._~!$'()*+,;:@/?]+$/.test(token);
    return {
        id: "bypass",
        method: "GET",
        path: "/?maintenance_bypass=<token>",
        auth: "bypass token (sent as is: the service compares the raw query value)",
        accepts: "307 that sets the bypass cookie; 200 when maintenance is off (a warning)",
        expects: `set-cookie NAME=EXPIRY.SIGNATURE; Path=/ (NAME: OA_MAINTENANCE_BYPASS_COOKIE_NAME, default ${MAINTENANCE.defaultCookieName})`,
        provides: "the bypass cookie",
        source: [cite("service/src/lib.rs", "1985-2035,12442-12453,12507-12535,12568-12576"), cite("service/src/config.rs", "71-72,666-693")],
        request: () => ({ path: `/?maintenance_bypass=${raw ? token : encodeURIComponent(token)}`, followRedirects: false }),
        status: () => true,
        body: (r): BodyVerdict => {
            if (!raw)
                return {
                    ok: false,
                    problem: "(not judged: the bypass token has characters a URL query must encode, and the service compares the raw query value, so it can never match)",
                    action: "use a bypass token of letters, digits and -._~",
                };
            if (r.status === 307) {
                const cookie = r.setCookies.map((c) => c.split(";")[0].trim()).find((c) => /^[^=\s]+=\d+\.[A-Za-z0-9_-]+$/.test(c));
                if (!cookie) return { ok: false, problem: "(a 307 without the signed bypass cookie)" };
                const value = cookie.slice(cookie.indexOf("=") + 1);
                redactor.add(value);
                const named = cookie.startsWith(`${MAINTENANCE.defaultCookieName}=`);
                return {
                    ok: true,
                    provides: { cookie },
                    note: `maintenance on: cookie ${named ? MAINTENANCE.defaultCookieName : cookie.split("=")[0]} set`,
                    warning: "maintenance mode is on: users see the maintenance page; the gate judged the service behind the bypass",
                };
            }
            if (isMaintenancePage(r))
                return {
                    ok: false,
                    problem: "(the maintenance page: maintenance is on and the bypass token was refused, or OA_MAINTENANCE_BYPASS_TOKEN is unset)",
                    action: "pass the token the service holds (openagents-control-maintenance-bypass-token)",
                };
            if (r.status === 200) return { ok: true, warning: "maintenance mode is off (GET / answered 200 without a bypass cookie): continuing without one" };
            return { ok: false, problem: `(neither the bypass redirect nor the page: ${frontDoorMeaning(r, redactor) ?? "unexpected"})` };
        },
    };
}

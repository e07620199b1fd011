// The HTTP checks against the stand-ins rebuilt from the services' source (c41c3629): GO on a
// healthy service in every configuration the source has, and NO-GO with a named cause for each
// way the source lets a service break in a way users see. Nothing the gate sends in production
// writes anything or sends an email.

import * as assert from "node:assert/strict";
import { type ControlServiceConfig, controlConfig, controlService, webShellDist } from "./fixtures/control-service";
import { runInProcess } from "./fixtures/gate";
import { type RuntimeServiceConfig, runtimeConfig, runtimeService } from "./fixtures/runtime-service";
import { type Handler, type TestServer, closeAll, sendJson, serve } from "./fixtures/server";

const BYPASS = "bypassTokenAbc123";

describe("validation: the HTTP checks against stand-ins built from the services' source", () => {
    const servers: TestServer[] = [];
    after(() => closeAll(servers));
    const start = async (handler: Handler): Promise<TestServer> => {
        const s = await serve(handler);
        servers.push(s);
        return s;
    };

    /** Runs one environment's control checks against a control stand-in. */
    async function control(environment: "staging" | "prod", config: Partial<ControlServiceConfig>, env: Record<string, string> = {}) {
        const service = controlService(controlConfig(config));
        const s = await start(service.handler);
        const run = await runInProcess(["--environment", environment, "--only", `control-${environment}-health,control-${environment}-smoke`, `--${environment}-control-url`, s.url], env);
        return { run, service, server: s, smoke: run.result(`control-${environment}-smoke`), health: run.result(`control-${environment}-health`), log: run.log(`control-${environment}-smoke`) };
    }

    /** The control service with one route answered otherwise. */
    async function controlWith(environment: "staging" | "prod", config: Partial<ControlServiceConfig>, path: string, answer: Handler) {
        const service = controlService(controlConfig(config));
        const s = await start((req, res, body) => (new URL(req.url ?? "/", "http://x").pathname === path ? answer(req, res, body) : service.handler(req, res, body)));
        const run = await runInProcess(["--environment", environment, "--only", `control-${environment}-smoke`, `--${environment}-control-url`, s.url]);
        return run.result(`control-${environment}-smoke`);
    }

    async function runtime(environment: "staging" | "prod", config: Partial<RuntimeServiceConfig>, mutate?: (h: Handler) => Handler) {
        const serviceName = environment === "staging" ? "runtime-staging" : "runtime";
        const service = runtimeService(runtimeConfig({ serviceName, requiredToken: "id-token-1", ...config }));
        const s = await start(mutate ? mutate(service.handler) : service.handler);
        const env = { [`${environment.toUpperCase()}_RUNTIME_ID_TOKEN`]: "id-token-1" };
        const run = await runInProcess(["--environment", environment, "--only", `runtime-${environment}-smoke`, `--${environment}-runtime-url`, s.url], env);
        return { run, service, result: run.result(`runtime-${environment}-smoke`), log: run.log(`runtime-${environment}-smoke`) };
    }

    describe("control service: GO in every healthy configuration", () => {
        it("staging with the mock provider: signs in on the revision itself and verifies the session, status and sync-token routes", async () => {
            const c = await control("staging", { authProviderMode: "mock" });
            assert.equal(c.smoke.status, "passed", c.log);
            assert.equal(c.health.status, "passed");
            assert.match(c.smoke.cause!, /signed in on this revision/);
            const paths = c.server.requests.map((r) => `${r.method} ${r.path}`);
            for (const p of [
                "GET /",
                "GET /login",
                "GET /feed",
                "GET /assets/openagents_web_shell.js",
                "POST /api/auth/email",
                "POST /api/auth/verify",
                "GET /api/v1/control/status",
                "POST /api/v1/sync/token",
                "POST /api/sync/token",
            ])
                assert.ok(paths.includes(p), p);
            const verify = c.server.requests.find((r) => r.path === "/api/auth/verify")!;
            assert.deepEqual(Object.keys(JSON.parse(verify.body)).sort(), ["challenge_id", "code"]);
            // The session token and the sync tokens never reach the evidence.
            assert.doesNotMatch(c.log, /oa_at_[0-9a-f]{8}/);
            assert.doesNotMatch(c.log, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
            assert.equal(c.service.emailsSent.length, 0);
        });

        it("staging with WorkOS: the sign-in probe reaches WorkOS and sends no email; the authenticated routes answer their exact 401", async () => {
            const c = await control("staging", {});
            assert.equal(c.smoke.status, "passed", c.log);
            assert.match(c.smoke.cause!, /no session: authenticated routes verified as far as their 401/);
            assert.equal(c.service.emailsSent.length, 0);
            assert.equal(c.service.usersCreated(), 0);
            assert.ok(!c.server.requests.some((r) => r.path === "/api/auth/verify"));
        });

        it("prod with WorkOS: GO without writing anything or sending an email", async () => {
            const c = await control("prod", {});
            assert.equal(c.smoke.status, "passed", c.log);
            assert.equal(c.service.emailsSent.length, 0);
            assert.equal(c.service.usersCreated(), 0);
            assert.ok(c.run.decision.go);
        });

        it("maintenance on with the bypass token: the raw token in the query, the signed cookie on every later request, a warning", async () => {
            const c = await control(
                "staging",
                { authProviderMode: "mock", maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: BYPASS } },
                { STAGING_MAINTENANCE_BYPASS_TOKEN: BYPASS },
            );
            assert.equal(c.smoke.status, "passed", c.log);
            assert.ok(c.server.requests.some((r) => r.path === `/?maintenance_bypass=${BYPASS}`));
            const status = c.server.requests.find((r) => r.path === "/api/v1/control/status")!;
            assert.match(String(status.headers.cookie), /^oa_maintenance_bypass=\d+\.[A-Za-z0-9_-]+$/);
            assert.ok(c.smoke.warnings.some((w) => /maintenance mode is on/.test(w)));
        });

        it("maintenance off with a bypass token given: a warning, then GO", async () => {
            const c = await control("staging", {}, { STAGING_MAINTENANCE_BYPASS_TOKEN: BYPASS });
            assert.equal(c.smoke.status, "passed", c.log);
            assert.ok(c.smoke.warnings.some((w) => /maintenance mode is off/.test(w)));
        });

        it("compatibility gate enforced: the gate presents the web shell's own handshake on the compatibility surfaces", async () => {
            const c = await control("staging", { authProviderMode: "mock", compat: { ...controlConfig().compat, enforced: true } });
            assert.equal(c.smoke.status, "passed", c.log);
            const v1 = c.server.requests.find((r) => r.path === "/api/v1/sync/token")!;
            assert.equal(v1.headers["x-oa-client-build-id"], "20260221T130000Z");
            assert.equal(v1.headers["x-oa-protocol-version"], "openagents.control.v1");
        });

        it("route split in cohort mode at 100 %, and the staging runbook's settings", async () => {
            for (const routeSplit of [
                { ...controlConfig().routeSplit, mode: "cohort", cohortPercentage: 100 },
                { ...controlConfig().routeSplit, enabled: true, mode: "rust", rustRoutes: ["/"] },
            ]) {
                const c = await control("staging", { routeSplit });
                assert.equal(c.smoke.status, "passed", c.log);
            }
        });

        it("GO in every combination: maintenance on/off, compatibility gate on/off, each provider the environment may run", async () => {
            for (const environment of ["staging", "prod"] as const) {
                for (const provider of environment === "staging" ? ["mock", "workos"] : ["workos"]) {
                    for (const maintenanceOn of [false, true]) {
                        for (const enforced of [false, true]) {
                            const c = await control(
                                environment,
                                {
                                    authProviderMode: provider,
                                    maintenance: { ...controlConfig().maintenance, enabled: maintenanceOn, bypassToken: BYPASS },
                                    compat: { ...controlConfig().compat, enforced },
                                },
                                { [`${environment.toUpperCase()}_MAINTENANCE_BYPASS_TOKEN`]: BYPASS },
                            );
                            const label = `${environment} ${provider} maintenance ${maintenanceOn ? "on" : "off"} compat ${enforced ? "on" : "off"}`;
                            assert.equal(c.smoke.status, "passed", `${label}: ${c.log}`);
                            assert.equal(c.health.status, "passed", label);
                            assert.equal(c.service.emailsSent.length, 0, label);
                            if (environment === "prod") assert.equal(c.service.usersCreated(), 0, label);
                        }
                    }
                }
            }
        });

        it("a hashed entry script must be immutable, an unhashed one short-lived (the service's name rule, not a hex search)", async () => {
            const dist = webShellDist();
            const manifest = JSON.parse(dist.files["manifest.json"]) as { entry: { js: string } };
            manifest.entry.js = "assets/openagents_web_shell-Ab12Cd34Ef.js";
            dist.files["manifest.json"] = JSON.stringify(manifest);
            dist.files["assets/openagents_web_shell-Ab12Cd34Ef.js"] = "export {}\n";
            const c = await control("staging", { staticDir: dist });
            assert.equal(c.smoke.status, "passed", c.log);
        });
    });

    describe("control service: NO-GO with the cause users would see", () => {
        it("prod whose WorkOS is not configured: sign-in unavailable, though /healthz says workos", async () => {
            const c = await control("prod", { workosConfigured: false });
            assert.equal(c.health.status, "passed");
            assert.equal(c.smoke.status, "failed");
            assert.match(c.smoke.cause!, /POST \/api\/auth\/email answered 503 \(sign-in unavailable: WorkOS is not configured/);
            assert.match(c.smoke.action!, /WORKOS_CLIENT_ID and WORKOS_API_KEY/);
            assert.ok(!c.run.decision.go);
        });

        it("the service cannot reach WorkOS", async () => {
            const c = await control("prod", { workosApi: "unreachable" });
            assert.match(c.smoke.cause!, /sign-in unavailable: the service cannot reach WorkOS/);
        });

        it("prod running the mock provider", async () => {
            const c = await control("prod", { authProviderMode: "mock" });
            assert.equal(c.smoke.status, "failed");
            assert.match(c.health.cause!, /auth_provider "mock"/);
            assert.equal(c.service.usersCreated(), 0);
        });

        it("pages answer 503 while health passes: route split off and no legacy base URL", async () => {
            const c = await control("staging", { routeSplit: { ...controlConfig().routeSplit, enabled: false } });
            assert.equal(c.health.status, "passed");
            assert.equal(c.smoke.status, "failed");
            assert.match(c.smoke.cause!, /GET \/login answered 503 \(routed to the legacy target, and OA_ROUTE_SPLIT_LEGACY_BASE_URL is unset/);
        });

        it("a page routed to the legacy stack (a redirect off the service) is named", async () => {
            const c = await control("staging", { routeSplit: { ...controlConfig().routeSplit, rustRoutes: ["/chat"], legacyBaseUrl: "https://legacy.example" } });
            assert.match(c.smoke.cause!, /GET \/login answered 307 \(a 307 redirect to https:\/\/legacy\.example\/login\): the route split sends this page to the legacy target/);
        });

        it("maintenance on and no bypass token: the maintenance page", async () => {
            const c = await control("staging", { maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: BYPASS } });
            assert.equal(c.health.status, "passed");
            assert.match(c.smoke.cause!, /GET \/ answered 503 \(the maintenance page: maintenance mode is on/);
        });

        it("maintenance on and a wrong bypass token", async () => {
            const c = await control("staging", { maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: BYPASS } }, { STAGING_MAINTENANCE_BYPASS_TOKEN: "notTheToken" });
            assert.match(c.smoke.cause!, /bypass token was refused/);
        });

        it("a bypass token the service could never match (it compares the raw query value) fails, saying so", async () => {
            const c = await control("staging", { maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "Zq9 x&Kp7Wm" } }, { STAGING_MAINTENANCE_BYPASS_TOKEN: "Zq9 x&Kp7Wm" });
            assert.match(c.smoke.cause!, /the bypass token has characters a URL query must encode, and the service compares the raw query value/);
        });

        it("a compatibility window that refuses the web shell's own build", async () => {
            const c = await control("staging", { compat: { ...controlConfig().compat, enforced: true, minClientBuildId: "20260301T000000Z" } });
            assert.match(c.smoke.cause!, /answered 426 \(upgrade_required\): the compatibility gate refuses the web shell's own handshake .* builds from 20260301T000000Z/);
        });

        it("sync tokens unavailable (no signing key), seen through the gate's own session", async () => {
            const c = await control("staging", { authProviderMode: "mock", syncTokenSigningKey: undefined });
            assert.match(c.smoke.cause!, /POST \/api\/sync\/token answered 503 \(sync_token_unavailable: sync token signing key is not configured\)/);
        });

        it("a static dir that is not a directory fails readiness", async () => {
            const c = await control("staging", { staticDir: null });
            assert.match(c.health.cause!, /GET \/readyz answered 503 \(not ready: OA_CONTROL_STATIC_DIR "\/app\/web-shell\/dist" is not a directory\)/);
        });

        it("maintenance that does not let /readyz through is named, not taken for a missing static dir", async () => {
            const c = await control("staging", { maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: BYPASS, allowedPaths: ["/healthz"] } });
            assert.match(c.health.cause!, /GET \/readyz answered 503 \(the maintenance page: \/readyz is not in OA_MAINTENANCE_ALLOWED_PATHS\)/);
        });

        it("a web shell without its service worker: the route answers the service's 404", async () => {
            const dist = webShellDist();
            delete dist.files["sw.js"];
            const c = await control("staging", { staticDir: dist });
            assert.match(c.smoke.cause!, /GET \/sw\.js answered 404/);
        });

        it("a web shell without the script its page loads (index.html's host shim): users get a dead page", async () => {
            const dist = webShellDist();
            delete dist.files["assets/host-shim.js"];
            const c = await control("prod", { staticDir: dist });
            assert.equal(c.smoke.status, "failed");
            assert.match(c.smoke.cause!, /GET \/assets\/host-shim\.js answered 404/);
        });

        for (const file of ["update-policy.js", "capability-policy.js"]) {
            it(`a web shell without ${file}, which the host shim imports: users get a dead page`, async () => {
                const dist = webShellDist();
                delete dist.files[`assets/${file}`];
                const c = await control("prod", { staticDir: dist });
                assert.equal(c.smoke.status, "failed");
                assert.match(c.smoke.cause!, new RegExp(`GET /assets/${file.replace(".", "\\.")} answered 404`));
            });
        }

        it("a web shell without its WebAssembly module: users get a dead page", async () => {
            const dist = webShellDist();
            delete dist.files["assets/openagents_web_shell_bg.wasm"];
            const c = await control("prod", { staticDir: dist });
            assert.equal(c.smoke.status, "failed");
            assert.match(c.smoke.cause!, /GET \/assets\/openagents_web_shell_bg\.wasm answered 404/);
        });

        it("two instances: the session opened on one is unknown to the other, and the cause says so", async () => {
            const c = await control("staging", { authProviderMode: "mock", instances: 2 });
            assert.equal(c.smoke.status, "failed");
            assert.match(c.smoke.cause!, /sessions live in each instance's memory/);
        });

        it("the mock provider with another code than the gate's", async () => {
            const c = await control("staging", { authProviderMode: "mock", mockMagicCode: "999999" });
            assert.match(c.smoke.cause!, /the mock code was refused/);
            assert.match(c.smoke.action!, /OA_AUTH_MOCK_MAGIC_CODE/);
        });

        it("a route missing (an image without it answers the fallback's 404)", async () => {
            const r = await controlWith("prod", {}, "/api/v1/auth/session", (_q, res) =>
                sendJson(res, 404, { message: "Route '/api/v1/auth/session' was not found.", error: { code: "not_found", message: "Route '/api/v1/auth/session' was not found." } }),
            );
            assert.match(r.cause!, /GET \/api\/v1\/auth\/session answered 404 \(the route is missing\)/);
        });

        it("a 401 that is not the service's envelope is a wrong body (what a guessed stand-in answered)", async () => {
            const r = await controlWith("prod", {}, "/api/v1/control/status", (_q, res) => sendJson(res, 401, { error: "unauthorized" }));
            assert.match(r.cause!, /GET \/api\/v1\/control\/status answered 401 with a body other than the service's unauthenticated envelope/);
        });

        it("a status answer naming another service is a wrong body, seen through the gate's session", async () => {
            const r = await controlWith("staging", { authProviderMode: "mock" }, "/api/v1/control/status", (_q, res) =>
                sendJson(res, 200, { data: { service: "openagents-web", authProvider: "mock", compatibility: { protocolVersion: "x" }, routeSplit: {}, runtimeRouting: {} } }),
            );
            assert.match(r.cause!, /GET \/api\/v1\/control\/status answered 200 JSON with data\.service "openagents-web", not "openagents-control-service"/);
        });

        it("a token given to the gate that the new revision does not know is a warning, never the basis of the verdict", async () => {
            const c = await control("prod", {}, { PROD_CONTROL_ACCESS_TOKEN: "tokenMintedBeforeTheDeploy1" });
            assert.equal(c.smoke.status, "passed", c.log);
            assert.ok(c.smoke.warnings.some((w) => /access token given to the gate was refused \(401\).*minted before this deploy/.test(w)));
            assert.doesNotMatch(c.log, /tokenMintedBeforeTheDeploy1/);
        });
    });

    describe("runtime: GO and NO-GO", () => {
        for (const environment of ["staging", "prod"] as const) {
            it(`${environment}: GO against the runtime as its source answers (append answers {"run": …})`, async () => {
                const r = await runtime(environment, {});
                assert.equal(r.result.status, "passed", r.log);
                assert.equal(r.service.runs().length, 1);
                assert.equal(r.service.runs()[0].events.length, 2);
            });
        }

        it("writes frozen (shadow_only): NO-GO naming the mode", async () => {
            const r = await runtime("staging", { writeMode: "shadow_only" });
            assert.match(r.result.cause!, /POST \/internal\/v1\/runs answered 503.*authority_write_mode=shadow_only: writes are off/);
        });

        it("not ready: the flag that is false is named", async () => {
            const r = await runtime("staging", { projectorReady: false });
            assert.match(r.result.cause!, /GET \/readyz answered 503 \(not ready: projector_ready false\)/);
        });

        it("two instances: the run is unknown to the instance the append reaches", async () => {
            const r = await runtime("staging", { instances: 2 });
            assert.match(r.result.cause!, /run not found: runs live in the memory of the instance that created them/);
        });

        it("an append that answers an event object instead of the run is a wrong body", async () => {
            const r = await runtime(
                "staging",
                {},
                (h) => (req, res, body) => (req.method === "POST" && /\/events$/.test(req.url ?? "") ? sendJson(res, 200, { event: { seq: 2 } }) : h(req, res, body)),
            );
            assert.match(r.result.cause!, /POST \/internal\/v1\/runs\/[0-9a-f-]+\/events answered 200 JSON without run\.id/);
        });

        it("a route missing: the runtime's empty 404", async () => {
            const r = await runtime(
                "staging",
                {},
                (h) => (req, res, body) =>
                    (req.url ?? "").startsWith("/internal/v1/runs") && req.method === "POST" && !(req.url ?? "").includes("/events") ? void (res.writeHead(404), res.end()) : h(req, res, body),
            );
            assert.match(r.result.cause!, /POST \/internal\/v1\/runs answered 404/);
        });
    });
});

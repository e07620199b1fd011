// The HTTP checks (control health and smoke, runtime smoke) against real loopback servers: the
// stand-ins rebuilt from the services' source, and every impostor and fault a target can show.

import * as assert from "node:assert/strict";
import { type ControlServiceConfig, controlConfig, controlService, webShellDist } from "./fixtures/control-service";
import { failingLookup } from "./fixtures/dns";
import { frontEnd404Everywhere, hanging, hugeBody, laravelImpostor, redirectTo, refusedUrl, resetServer } from "./fixtures/faults";
import { ambientIdTokenSource } from "../../validation/id-token";
import { runInProcess } from "./fixtures/gate";
import { behindFrontEnd, frontEnd404Response } from "./fixtures/google-front-end";
import { type RuntimeServiceConfig, runtimeConfig, runtimeService } from "./fixtures/runtime-service";
import { type Handler, type TestServer, closeAll, sendJson, serve } from "./fixtures/server";

const CONTROL_STAGING = "control-staging-health,control-staging-smoke";
const RUNTIME_STAGING = "runtime-staging-smoke";
const ENTRY_JS = "/assets/openagents_web_shell.js";
/** The runtime smoke's steps in table order (healthz, readyz and the create go out at once). */
const order = (path: string): number => (path === "/healthz" ? 0 : path === "/readyz" ? 1 : path === "/internal/v1/runs" ? 2 : path.endsWith("/events") ? 3 : 4);

/** The control service as its source answers, in a configuration. */
const controlContract = (o: Partial<ControlServiceConfig> = {}): Handler => controlService(controlConfig(o)).handler;
/** The staging runtime as its source answers, in a configuration. */
const runtimeContract = (o: Partial<RuntimeServiceConfig> = {}): Handler => runtimeService(runtimeConfig({ serviceName: "runtime-staging", ...o })).handler;
/** A web shell whose manifest's entry script is `js` (and, when on this host, whose file is `body`). */
function shellWithEntry(js: string, body = "export {}\n"): ControlServiceConfig["staticDir"] {
    const dist = webShellDist();
    const manifest = JSON.parse(dist.files["manifest.json"]) as { entry: { js: string } };
    manifest.entry.js = js;
    dist.files["manifest.json"] = JSON.stringify(manifest);
    if (!/^https?:/.test(js)) dist.files[js.replace(/^\//, "")] = body;
    return dist;
}
/** One route answered otherwise (what a proxy or another server in front would do). */
const withRoute =
    (handler: Handler, path: string, answer: Handler): Handler =>
    (req, res, body) =>
        new URL(req.url ?? "/", "http://x").pathname === path ? answer(req, res, body) : handler(req, res, body);
/** The route as the service answers it, with another cache-control. */
const recached = (handler: Handler, path: string, cacheControl: string): Handler =>
    withRoute(handler, path, (req, res, body) => {
        const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string>) => unknown;
        res.writeHead = ((status: number, headers?: Record<string, string>) => writeHead(status, { ...(headers ?? {}), "cache-control": cacheControl })) as typeof res.writeHead;
        return handler(req, res, body);
    });

describe("validation/checks: HTTP checks against loopback services", () => {
    const servers: TestServer[] = [];
    const start = async (...args: Parameters<typeof serve>): Promise<TestServer> => {
        const s = await serve(...args);
        servers.push(s);
        return s;
    };
    after(() => closeAll(servers));

    describe("control", () => {
        it("passes health and smoke against the control service as its source answers (no session: the 401s)", async () => {
            const s = await start(controlContract());
            const run = await runInProcess(["--only", CONTROL_STAGING, "--staging-control-url", `${s.url}/`]);
            assert.equal(run.result("control-staging-health").status, "passed");
            assert.equal(run.result("control-staging-smoke").status, "passed", run.log("control-staging-smoke"));
            assert.ok(run.decision.go);
            assert.equal(run.exitCode, 0);
            const paths = s.requests.map((r) => `${r.method} ${r.path}`);
            for (const p of ["GET /readyz", "GET /healthz", "GET /api/v1/control/status", "GET /manifest.json", "GET /sw.js", `GET ${ENTRY_JS}`, "GET /login"]) assert.ok(paths.includes(p), p);
            // Without a session the authenticated routes are called without a credential and judged on their 401.
            for (const r of s.requests.filter((q) => /session|sync|status/.test(q.path))) assert.equal(r.headers.authorization, undefined);
            assert.match(run.log("control-staging-smoke"), /401 without a session, as the service answers/);
        });

        it("with an access token and no session of its own, sends the token on the session and sync-token routes", async () => {
            const s = await start(controlContract());
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url], { STAGING_CONTROL_ACCESS_TOKEN: "staging-access-token-1" });
            assert.equal(run.result("control-staging-smoke").status, "passed", run.log("control-staging-smoke"));
            const sync = s.requests.filter((r) => r.path === "/api/v1/sync/token" || r.path === "/api/sync/token");
            assert.equal(sync.length, 2);
            for (const r of sync) {
                assert.equal(r.method, "POST");
                assert.deepEqual(JSON.parse(r.body), { scopes: ["runtime.codex_worker_events"] });
                assert.equal(r.headers.authorization, "Bearer staging-access-token-1");
            }
        });

        it("a token the new revision does not know (401) is a warning that says why, not a failure and not a pass on its basis", async () => {
            const s = await start(controlContract());
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url], { STAGING_CONTROL_ACCESS_TOKEN: "a-token-from-before" });
            const r = run.result("control-staging-smoke");
            assert.equal(r.status, "passed", r.cause);
            assert.ok(
                r.warnings.some((w) => /\/api\/v1\/control\/status: the access token given to the gate was refused \(401\)/.test(w)),
                r.warnings.join("\n"),
            );
        });

        it("gets the maintenance bypass cookie first and sends it", async () => {
            const s = await start(controlContract({ maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "bypass-token-xyz" } }));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url], { STAGING_MAINTENANCE_BYPASS_TOKEN: "bypass-token-xyz" });
            assert.equal(run.result("control-staging-smoke").status, "passed", run.log("control-staging-smoke"));
            assert.equal(s.requests[0].path, "/?maintenance_bypass=bypass-token-xyz");
            const manifest = s.requests.find((r) => r.path === "/manifest.json")!;
            assert.match(String(manifest.headers.cookie), /^oa_maintenance_bypass=\d+\.[A-Za-z0-9_-]+$/);
        });

        it("without the bypass token, maintenance mode fails the smoke with the cause", async () => {
            const s = await start(controlContract({ maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "bypass-token-xyz" } }));
            const run = await runInProcess(["--only", CONTROL_STAGING, "--staging-control-url", s.url]);
            assert.equal(run.result("control-staging-health").status, "passed");
            const r = run.result("control-staging-smoke");
            assert.equal(r.status, "failed");
            assert.match(r.cause!, /GET \/ answered 503 \(the maintenance page/);
            assert.match(r.action!, /maintenance/);
        });

        it("a Google front-end 404 on /healthz is a warning, not a failure", async () => {
            const s = await start(behindFrontEnd(controlContract()));
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            const r = run.result("control-staging-health");
            assert.equal(r.status, "passed");
            assert.equal(r.warnings.length, 1);
            assert.match(r.warnings[0], /Google's front end \(404\)/);
        });

        it("a Laravel impostor fails, saying what answered", async () => {
            const s = await start(laravelImpostor());
            const run = await runInProcess(["--only", CONTROL_STAGING, "--staging-control-url", s.url]);
            for (const id of ["control-staging-health", "control-staging-smoke"]) {
                const r = run.result(id);
                assert.equal(r.status, "failed");
                assert.match(r.cause!, /answered by PHP \(x-powered-by: PHP\/8\.3\.4\)/);
            }
            assert.equal(run.decision.go, false);
        });

        it("another service answering /healthz fails even when /readyz looks ready", async () => {
            const s = await start(
                withRoute(controlContract(), "/healthz", (_q, res) => sendJson(res, 200, { status: "ok", service: "openagents-web", version: "1", uptime_seconds: 1, auth_provider: "workos" })),
            );
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            const r = run.result("control-staging-health");
            assert.equal(r.status, "failed");
            assert.match(r.cause!, /answered by service 'openagents-web'/);
        });

        it("the runtime answering (its /readyz also says ready; /healthz swallowed by the front end) fails, saying so", async () => {
            const s = await start(behindFrontEnd(runtimeContract()));
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            const r = run.result("control-staging-health");
            assert.equal(r.status, "failed");
            assert.match(r.cause!, /\/readyz answered 200 from the runtime service \(its readiness JSON has authority_ready, projector_ready, workers_ready\), not openagents-control-service/);
        });

        it('a bare {"status":"ready"} without static_dir is not the control service\'s ready JSON', async () => {
            const s = await start((req, res) => (req.url === "/readyz" ? sendJson(res, 200, { status: "ready" }) : frontEnd404Response(res)));
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            const r = run.result("control-staging-health");
            assert.equal(r.status, "failed");
            assert.match(r.cause!, /\/readyz answered 200 JSON without static_dir: not the control service's ready JSON/);
        });

        it("a legacy run.app URL never passes, and no request is sent to it", async () => {
            // The failing lookup proves no connection was even attempted: a request would fail with "dns".
            const run = await runInProcess(["--only", CONTROL_STAGING, "--staging-control-url", "https://openagents-web-staging-ezxz4mgdsq-uc.a.run.app"], {}, { http: { lookup: failingLookup() } });
            for (const id of ["control-staging-health", "control-staging-smoke"]) {
                const r = run.result(id);
                assert.equal(r.status, "failed");
                assert.match(r.cause!, /^legacy target: .*openagents-web-staging/);
                assert.doesNotMatch(run.log(id), /GET /);
            }
        });

        it("a legacy service name in the stack outputs fails the target too", async () => {
            const s = await start(controlContract());
            const fs = await import("node:fs");
            const path = await import("node:path");
            const os = await import("node:os");
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "outputs-")), "staging.json");
            fs.writeFileSync(file, JSON.stringify({ environment: "staging", controlBaseUrl: s.url, controlServiceName: "openagents-web-staging" }));
            const run = await runInProcess(["--only", "control-staging-health", "--outputs", `staging=${file}`]);
            assert.match(run.result("control-staging-health").cause!, /legacy target: target service 'openagents-web-staging' is the legacy laravel service/);
        });

        it("not ready (503) fails without --wait-ready", async () => {
            const s = await start(controlContract({ staticDir: null }));
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            assert.match(run.result("control-staging-health").cause!, /\/readyz answered 503 \(not ready/);
        });

        it("--wait-ready retries readiness until a starting service turns ready", async () => {
            // Not ready at the first /readyz, ready at the retry after the gate's first backoff (1 s).
            const s = await start(controlContract({ staticDirAppearsAtReadyz: 2 }));
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url, "--wait-ready", "20s"]);
            const r = run.result("control-staging-health");
            assert.equal(r.status, "passed", run.log("control-staging-health"));
            assert.equal(s.requests.filter((x) => x.path === "/readyz").length, 2);
            assert.match(run.log("control-staging-health"), /not ready yet .* \(--wait-ready\)/);
        });

        it("--wait-ready gives up at its deadline", async () => {
            const s = await start(controlContract({ staticDir: null }));
            // One retry fits in a second (the first backoff is 1 s); a service that never turns ready fails.
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url, "--wait-ready", "1s"]);
            assert.equal(run.result("control-staging-health").status, "failed");
            assert.ok(s.requests.filter((x) => x.path === "/readyz").length >= 2);
        });

        it("a wrong manifest version fails the smoke", async () => {
            const dist = webShellDist();
            dist.files["manifest.json"] = dist.files["manifest.json"].replace("openagents.webshell.v2", "openagents.webshell.v1");
            const s = await start(controlContract({ staticDir: dist }));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url]);
            assert.match(run.result("control-staging-smoke").cause!, /manifestVersion/);
        });

        it("a manifest served with other cache directives than the service's fails the smoke, naming them", async () => {
            const s = await start(recached(controlContract(), "/manifest.json", "public, max-age=600"));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url]);
            assert.match(
                run.result("control-staging-smoke").cause!,
                /\/manifest\.json answered 200 with cache-control 'public, max-age=600', which lacks no-cache, no-store, must-revalidate and adds public, max-age=600/,
            );
        });

        it("cache directives are parsed, not searched: a look-alike directive is not no-cache", async () => {
            const s = await start(recached(controlContract(), "/sw.js", "x-no-cache-no-store-must-revalidate"));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url]);
            assert.match(run.result("control-staging-smoke").cause!, /GET \/sw\.js answered 200 with cache-control 'x-no-cache-no-store-must-revalidate', which lacks no-cache/);
        });

        it("a JS asset that mentions Laravel or Phoenix is not a legacy answer (only HTML bodies are scanned)", async () => {
            const dist = webShellDist();
            dist.files["assets/openagents_web_shell.js"] = "/* migrated from Laravel Mix */ import { Socket } from 'phoenix'; console.log('app');";
            const s = await start(controlContract({ staticDir: dist }));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url]);
            assert.equal(run.result("control-staging-smoke").status, "passed", run.result("control-staging-smoke").cause);
        });

        it("a manifest whose JS asset is on another host passes with a warning (asset not fetched)", async () => {
            const s = await start(controlContract({ staticDir: shellWithEntry("https://cdn.example.test/assets/app-3f9a2c1d7b.js") }));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url], {}, { http: { lookup: failingLookup() } });
            const r = run.result("control-staging-smoke");
            assert.equal(r.status, "passed", r.cause);
            assert.ok(
                r.warnings.some((w) => /manifest entry\.js https:\/\/cdn\.example\.test\/assets\/app-3f9a2c1d7b\.js is on another host: its cache headers were not checked/.test(w)),
                r.warnings.join("\n"),
            );
        });

        it("a hashed asset without immutable fails the smoke", async () => {
            const s = await start(recached(controlContract({ staticDir: shellWithEntry("assets/app-3f9a2c1d7b.js") }), "/assets/app-3f9a2c1d7b.js", "public, max-age=3600"));
            const run = await runInProcess(["--only", "control-staging-smoke", "--staging-control-url", s.url]);
            assert.match(
                run.result("control-staging-smoke").cause!,
                /GET \/assets\/app-3f9a2c1d7b\.js answered 200 \(hashed asset app-3f9a2c1d7b\.js\) with cache-control .*, which lacks max-age=31536000, immutable/,
            );
        });

        it("an unset URL is a required skip with its reason, and NO-GO", async () => {
            const run = await runInProcess(["--only", "runtime-prod-smoke"]);
            const r = run.result("runtime-prod-smoke");
            assert.equal(r.status, "skipped");
            assert.equal(r.cause, "PROD_RUNTIME_BASE_URL is unset");
            assert.equal(run.decision.go, false);
            assert.equal(run.decision.counts.requiredSkipped, 1);
        });
    });

    describe("faults become failed checks whose log says what happened", () => {
        const cases: Array<[string, () => Promise<string>, RegExp]> = [
            ["refused", () => refusedUrl(), /connection refused/],
            ["reset", async () => (await resetServer().then((s) => (servers.push(s), s))).url, /connection reset/],
            ["hanging (request timeout)", async () => (await start(hanging())).url, /no complete answer within 300 ms/],
            ["50 MB body", async () => (await start(hugeBody())).url, /over the 65536-byte cap/],
            ["5xx", async () => (await start((_q, res) => (res.writeHead(502), res.end("bad gateway")))).url, /\/readyz answered 502/],
            ["front-end 404 everywhere", async () => (await start(frontEnd404Everywhere())).url, /\/readyz answered 404/],
            [
                "cross-host redirect",
                async () => {
                    const other = await start(controlContract(), { host: "127.0.0.2" });
                    return (await start(redirectTo(other.url))).url;
                },
                /another host http:\/\/127\.0\.0\.2/,
            ],
        ];
        for (const [name, target, expected] of cases) {
            it(name, async () => {
                const url = await target();
                const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", url, "--request-timeout", "300ms", "--max-body", "65536"]);
                const r = run.result("control-staging-health");
                assert.equal(r.status, "failed");
                assert.match(r.cause!, expected);
                assert.match(run.log("control-staging-health"), /result: failed/);
            });
        }

        it("a DNS failure (injected lookup, no query sent)", async () => {
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", "https://control.invalid"], {}, { http: { lookup: failingLookup() } });
            assert.match(run.result("control-staging-health").cause!, /name resolution failed \(ENOTFOUND\)/);
        });

        it("a TLS failure (self-signed certificate)", async () => {
            const s = await start(controlContract(), { tls: true });
            const run = await runInProcess(["--only", "control-staging-health", "--staging-control-url", s.url]);
            assert.match(run.result("control-staging-health").cause!, /TLS failure DEPTH_ZERO_SELF_SIGNED_CERT/);
        });
    });

    describe("runtime", () => {
        it("passes the smoke against the runtime contract with exact codes", async () => {
            const s = await start(runtimeContract());
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url]);
            const r = run.result(RUNTIME_STAGING);
            assert.equal(r.status, "passed", run.log(RUNTIME_STAGING));
            s.requests.sort((a, b) => order(a.path) - order(b.path));
            const steps = s.requests.map((q) => `${q.method} ${q.path.replace(/[0-9a-f-]{36}/, "{id}")}`);
            assert.deepEqual(steps, ["GET /healthz", "GET /readyz", "POST /internal/v1/runs", "POST /internal/v1/runs/{id}/events", "GET /internal/v1/runs/{id}"]);
            assert.deepEqual(JSON.parse(s.requests[2].body), { worker_id: "smoke:runtime", metadata: { source: "runtime-smoke" } });
            const event = JSON.parse(s.requests[3].body) as { event_type: string; idempotency_key: string; payload: unknown };
            assert.equal(event.event_type, "run.started");
            assert.match(event.idempotency_key, /^smoke-[0-9a-f-]{36}$/);
            assert.deepEqual(event.payload, { smoke: true });
        });

        it("with no credentials sends no token, says so, and a 401 fails with that cause", async () => {
            const s = await start(runtimeContract({ requiredToken: "id-token-for-runtime" }));
            // The real ambient lookup: test/setup.ts leaves it no credentials to find.
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url], {}, { idTokens: ambientIdTokenSource() });
            const r = run.result(RUNTIME_STAGING);
            assert.equal(r.status, "failed");
            assert.match(r.cause!, /answered 403, expected 200: no ID token was sent \(no credentials\)/);
            assert.match(run.log(RUNTIME_STAGING), /no usable Google credentials .*sending no token/);
            assert.equal(s.requests[0].headers.authorization, undefined);
        });

        it("sends the explicit ID token and passes", async () => {
            const s = await start(runtimeContract({ requiredToken: "explicit-id-token-1" }));
            let asked = 0;
            const run = await runInProcess(
                ["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url],
                { STAGING_RUNTIME_ID_TOKEN: "explicit-id-token-1" },
                {
                    idTokens: () => {
                        asked++;
                        return Promise.resolve({ note: "should not be asked" });
                    },
                },
            );
            assert.equal(run.result(RUNTIME_STAGING).status, "passed", run.log(RUNTIME_STAGING));
            assert.equal(asked, 0, "ambient credentials must not be consulted when a token is given");
            assert.ok(s.requests.every((q) => q.headers.authorization === "Bearer explicit-id-token-1"));
        });

        it("uses a token from the ID-token source for the run.app audience, and a refused token fails", async () => {
            const s = await start(runtimeContract({ requiredToken: "minted-token-abc" }));
            const audiences: string[] = [];
            const run = await runInProcess(
                ["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url],
                {},
                {
                    idTokens: (audience) => {
                        audiences.push(audience);
                        return Promise.resolve({ token: "minted-token-wrong", note: "minted from test credentials" });
                    },
                },
            );
            assert.deepEqual(audiences, [s.url]);
            assert.match(run.result(RUNTIME_STAGING).cause!, /answered 401, expected 200: the ID token was refused/);
        });

        it("a runtime in shadow_only write mode fails the create step, naming the mode", async () => {
            const s = await start(runtimeContract({ writeMode: "shadow_only" }));
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url]);
            assert.match(
                run.result(RUNTIME_STAGING).cause!,
                /POST \/internal\/v1\/runs answered 503, expected 201 \(authority_write_mode=shadow_only: writes are off\): \{"error":"write_path_frozen","message":"runtime authority writes are disabled in mode shadow_only"\}/,
            );
        });

        it("on run.app (/healthz swallowed) a 503 on the write says the mode is unknown and shows the body", async () => {
            const s = await start(behindFrontEnd(runtimeContract({ writeMode: "read_only" })));
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url]);
            assert.match(
                run.result(RUNTIME_STAGING).cause!,
                /POST \/internal\/v1\/runs answered 503, expected 201 \(write mode unknown: \/healthz did not say\): \{"error":"write_path_frozen","message":"runtime authority writes are disabled in mode read_only"\}/,
            );
        });

        it("a front-end 404 on /healthz is a warning; the rest must still pass", async () => {
            const s = await start(behindFrontEnd(runtimeContract()));
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url]);
            const r = run.result(RUNTIME_STAGING);
            assert.equal(r.status, "passed");
            assert.match(r.warnings[0], /front end/);
        });

        it("the legacy Elixir runtime's URL never passes", async () => {
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", "https://openagents-runtime-ezxz4mgdsq-uc.a.run.app"], {}, { http: { lookup: failingLookup() } });
            assert.match(run.result(RUNTIME_STAGING).cause!, /^legacy target: .*'openagents-runtime' is the legacy elixir service/);
        });

        it("the Laravel impostor fails the runtime smoke", async () => {
            const s = await start(laravelImpostor());
            const run = await runInProcess(["--only", RUNTIME_STAGING, "--staging-runtime-url", s.url]);
            assert.match(run.result(RUNTIME_STAGING).cause!, /answered by PHP/);
        });
    });
});

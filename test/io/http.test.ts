// The gate's HTTP client against real loopback servers: every failure mode comes back as
// classified data, never as a throw.

import * as assert from "node:assert/strict";
import { HttpClient, type HttpOutcome, expectStatus, retryAfterMs, withRetry } from "../../io/http";
import { type ControlServiceConfig, controlConfig, controlService } from "../validation/fixtures/control-service";
import { failingLookup, loopbackLookup } from "../validation/fixtures/dns";
import { hanging, hugeBody, redirectTo, refusedUrl, resetServer } from "../validation/fixtures/faults";
import { type Handler, TLS_FIXTURE, type TestServer, closeAll, sendJson, serve } from "../validation/fixtures/server";

/** The control service as its source answers (./fixtures/control-service.ts). */
const controlContract = (o: Partial<ControlServiceConfig> = {}): Handler => controlService(controlConfig(o)).handler;

function failureOf(outcome: HttpOutcome): NonNullable<Extract<HttpOutcome, { ok: false }>["failure"]> {
    assert.equal(outcome.ok, false, "expected a failure");
    return outcome.failure;
}

describe("io/http: HttpClient", () => {
    const servers: TestServer[] = [];
    const client = new HttpClient({ timeoutMs: 2000, maxBodyBytes: 1024 * 1024 });
    after(async () => {
        client.close();
        await closeAll(servers);
    });
    const start = async (...args: Parameters<typeof serve>): Promise<TestServer> => {
        const s = await serve(...args);
        servers.push(s);
        return s;
    };

    it("returns status, headers and body of a real answer", async () => {
        const s = await start(controlContract());
        const out = await client.request({ url: `${s.url}/readyz` });
        assert.ok(out.ok);
        assert.equal(out.response.status, 200);
        assert.equal(out.response.headers["content-type"], "application/json");
        assert.deepEqual(JSON.parse(out.response.body.toString()), { status: "ready", static_dir: "/app/web-shell/dist" });
    });

    it("classifies a refused connection", async () => {
        const f = failureOf(await client.request({ url: `${await refusedUrl()}/readyz` }));
        assert.equal(f.kind, "refused");
        assert.equal(f.code, "ECONNREFUSED");
    });

    it("classifies a DNS failure from the injected lookup (no DNS query is sent)", async () => {
        const c = new HttpClient({ lookup: failingLookup() });
        const f = failureOf(await c.request({ url: "https://no-such-service-ezxz4mgdsq-uc.a.run.app/readyz" }));
        c.close();
        assert.equal(f.kind, "dns");
        assert.match(f.message, /ENOTFOUND/);
    });

    it("uses the injected lookup for names it resolves", async () => {
        const s = await start(controlContract());
        const c = new HttpClient({ lookup: loopbackLookup(["control.test"]) });
        const out = await c.request({ url: `http://control.test:${s.port}/readyz` });
        c.close();
        assert.ok(out.ok);
        assert.equal(out.response.status, 200);
    });

    it("surfaces a TLS verification failure (self-signed certificate)", async () => {
        const s = await start(controlContract(), { tls: true });
        const f = failureOf(await client.request({ url: `${s.url}/readyz` }));
        assert.equal(f.kind, "tls");
        assert.equal(f.code, "DEPTH_ZERO_SELF_SIGNED_CERT");
    });

    it("talks TLS when the certificate is trusted", async () => {
        const s = await start(controlContract(), { tls: true });
        const c = new HttpClient({ ca: TLS_FIXTURE.cert() });
        const out = await c.request({ url: `${s.url}/readyz` });
        c.close();
        assert.ok(out.ok);
        assert.equal(out.response.status, 200);
    });

    it("times out a server that never answers", async () => {
        const s = await start(hanging());
        const f = failureOf(await client.request({ url: `${s.url}/readyz`, timeoutMs: 300 }));
        assert.equal(f.kind, "timeout");
        assert.match(f.message, /300 ms/);
    });

    it("classifies a connection reset", async () => {
        const s = await resetServer();
        servers.push(s);
        const f = failureOf(await client.request({ url: `${s.url}/readyz` }));
        assert.equal(f.kind, "reset");
    });

    it("aborts a 50 MB streamed body past the cap", async () => {
        const s = await start(hugeBody());
        const f = failureOf(await client.request({ url: `${s.url}/big`, maxBodyBytes: 256 * 1024 }));
        assert.equal(f.kind, "too-large");
        assert.match(f.message, /262144-byte cap/);
    });

    it("refuses a declared 50 MB body without reading it", async () => {
        const s = await start(hugeBody(50 * 1024 * 1024, true));
        const f = failureOf(await client.request({ url: `${s.url}/big` }));
        assert.equal(f.kind, "too-large");
        assert.match(f.message, /52428800-byte body/);
    });

    it("follows a same-host redirect by hand", async () => {
        const s = await start((req, res) => {
            if (req.url === "/old") {
                res.writeHead(301, { location: "/readyz" });
                res.end();
            } else sendJson(res, 200, { status: "ready" });
        });
        const out = await client.request({ url: `${s.url}/old` });
        assert.ok(out.ok);
        assert.equal(out.response.status, 200);
        assert.deepEqual(out.response.redirects, [`${s.url}/old`]);
    });

    it("never follows a redirect to another host, and the other host gets nothing", async () => {
        const other = await start(controlContract(), { host: "127.0.0.2" });
        const s = await start(redirectTo(other.url));
        const f = failureOf(await client.request({ url: `${s.url}/readyz`, headers: { authorization: "Bearer secret-token" } }));
        assert.equal(f.kind, "redirect-off-host");
        assert.match(f.message, /127\.0\.0\.2/);
        assert.equal(other.requests.length, 0);
    });

    it("treats another port on the same address as another host", async () => {
        const other = await start(controlContract());
        const s = await start(redirectTo(other.url, 307));
        const f = failureOf(await client.request({ url: `${s.url}/readyz` }));
        assert.equal(f.kind, "redirect-off-host");
        assert.equal(other.requests.length, 0);
    });

    it("bounds same-host redirect loops", async () => {
        const s = await start((_req, res) => {
            res.writeHead(302, { location: "/again" });
            res.end();
        });
        const c = new HttpClient({ maxRedirects: 3 });
        const f = failureOf(await c.request({ url: `${s.url}/start` }));
        c.close();
        assert.equal(f.kind, "too-many-redirects");
        assert.equal(s.requests.length, 4);
    });

    it("returns a 3xx as it is when told not to follow", async () => {
        const s = await start(controlContract({ maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "bypass-1234" } }));
        const out = await client.request({ url: `${s.url}/?maintenance_bypass=bypass-1234`, followRedirects: false });
        assert.ok(out.ok);
        assert.equal(out.response.status, 307);
        assert.match(out.response.setCookies[0], /^oa_maintenance_bypass=/);
    });

    it("stops when the caller's signal aborts", async () => {
        const s = await start(hanging());
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const f = failureOf(await client.request({ url: `${s.url}/readyz`, signal: controller.signal, timeoutMs: 5000 }));
        assert.equal(f.kind, "aborted");
    });

    it("reports an invalid URL as data", async () => {
        assert.equal(failureOf(await client.request({ url: "not a url" })).kind, "invalid-url");
        assert.equal(failureOf(await client.request({ url: "ftp://127.0.0.1/x" })).kind, "invalid-url");
    });

    it("expectStatus turns an unexpected status into an http-status failure", async () => {
        const s = await start(controlContract());
        const f = failureOf(expectStatus(await client.request({ url: `${s.url}/api/v1/control/status` }), (st) => st === 200));
        assert.equal(f.kind, "http-status");
        assert.equal(f.status, 401);
    });
});

describe("io/http: withRetry", () => {
    let server: TestServer;
    const client = new HttpClient({ timeoutMs: 2000 });
    after(async () => {
        client.close();
        await server?.close();
    });

    it("honours Retry-After on a 503 and retries until success", async () => {
        const times: number[] = [];
        server = await serve((_req, res) => {
            times.push(Date.now());
            if (times.length === 1) {
                res.writeHead(503, { "retry-after": "1" });
                res.end();
            } else sendJson(res, 200, { ok: true });
        });
        // The waits are recorded, not slept: what matters is how long the client chose to wait.
        const waits: number[] = [];
        const wait = (ms: number): Promise<boolean> => (waits.push(ms), Promise.resolve(true));
        const out = await withRetry(() => client.request({ url: `${server.url}/x` }), { attempts: 3, baseDelayMs: 10, wait });
        assert.ok(out.ok);
        assert.equal(out.response.status, 200);
        assert.equal(times.length, 2);
        // The hint (1 s) replaced the 10 ms backoff.
        assert.deepEqual(waits, [1000]);
    });

    it("does not retry a non-transient answer, and gives up at the deadline", async () => {
        let calls = 0;
        const notFound = await withRetry(async () => {
            calls++;
            return client.request({ url: `${server.url}/x` });
        });
        assert.ok(notFound.ok);
        assert.equal(calls, 1);
        calls = 0;
        const refused = await refusedUrl();
        const out = await withRetry(
            async () => {
                calls++;
                return client.request({ url: refused });
            },
            { attempts: 10, baseDelayMs: 200, deadline: Date.now() + 300 },
        );
        assert.equal(out.ok, false);
        assert.ok(calls >= 1 && calls <= 3, `calls ${calls}`);
    });

    it("reads Retry-After as seconds or an HTTP date", () => {
        const response = { status: 429, headers: { "retry-after": "7" }, setCookies: [], body: Buffer.alloc(0), url: "", redirects: [], durationMs: 0 };
        assert.equal(retryAfterMs({ ok: true, response }), 7000);
        const now = Date.parse("2026-02-21T19:00:00Z");
        assert.equal(retryAfterMs({ ok: true, response: { ...response, headers: { "retry-after": "Sat, 21 Feb 2026 19:00:05 GMT" } } }, now), 5000);
        assert.equal(retryAfterMs({ ok: true, response: { ...response, status: 500 } }), undefined);
    });
});

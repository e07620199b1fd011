// The stand-ins reject what the services reject (their source at c41c3629), so a gate that sends a
// request the service would not read fails against them as it would in production.

import * as assert from "node:assert/strict";
import { controlConfig, controlService } from "./fixtures/control-service";
import { runtimeConfig, runtimeService } from "./fixtures/runtime-service";
import { type TestServer, closeAll, serve } from "./fixtures/server";

describe("validation fixtures: the stand-ins reject what the services reject", () => {
    const servers: TestServer[] = [];
    after(() => closeAll(servers));
    const up = async (handler: Parameters<typeof serve>[0]): Promise<string> => {
        const s = await serve(handler);
        servers.push(s);
        return s.url;
    };
    const post = (url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }): Promise<Response> =>
        fetch(url, { method: "POST", headers, body: JSON.stringify(body), redirect: "manual" });

    it("control: verify reads challenge_id, never challengeId; a percent-encoded bypass token never matches; JSON needs its content type", async () => {
        const url = await up(controlService(controlConfig({ authProviderMode: "mock", maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "tok+en" } })).handler);
        const bypass = await fetch(`${url}/?maintenance_bypass=tok+en`, { redirect: "manual" });
        assert.equal(bypass.status, 307);
        const cookie = (bypass.headers.get("set-cookie") ?? "").split(";")[0];
        assert.equal((await fetch(`${url}/?maintenance_bypass=tok%2Ben`, { redirect: "manual" })).status, 503);
        const h = { "content-type": "application/json", cookie };
        const start = (await (await post(`${url}/api/auth/email`, { email: "a@b" }, h)).json()) as { challengeId: string };
        const camel = await post(`${url}/api/auth/verify`, { code: "123456", challengeId: start.challengeId }, h);
        assert.equal(camel.status, 422);
        assert.equal(((await camel.json()) as { message: string }).message, "Your sign-in code expired. Request a new code.");
        assert.equal((await post(`${url}/api/auth/email`, { email: "a@b" }, { cookie })).status, 415);
        const ok = await post(`${url}/api/auth/verify`, { code: "123456", challenge_id: start.challengeId }, h);
        assert.equal(ok.status, 200);
        // A challenge is used once (auth.rs:489-500).
        assert.equal((await post(`${url}/api/auth/verify`, { code: "123456", challenge_id: start.challengeId }, h)).status, 422);
    });

    it("control: the compatibility gate answers before maintenance, and a POST to a GET route is 405", async () => {
        const url = await up(controlService(controlConfig({ maintenance: { ...controlConfig().maintenance, enabled: true }, compat: { ...controlConfig().compat, enforced: true } })).handler);
        const refused = await fetch(`${url}/api/v1/control/status`);
        assert.equal(refused.status, 426);
        assert.equal(refused.headers.get("x-oa-compatibility-code"), "invalid_client_build");
        assert.equal((await fetch(`${url}/api/auth/session`)).status, 503);
        const open = await up(controlService(controlConfig()).handler);
        assert.equal((await post(`${open}/api/auth/session`, {})).status, 405);
        assert.equal((await fetch(`${open}/api/nothing-here`)).status, 404);
    });

    it("runtime: a run id that is not a UUID is a plain-text 400, a body without its content type 415, an unknown route an empty 404", async () => {
        const url = await up(runtimeService(runtimeConfig()).handler);
        const bad = await fetch(`${url}/internal/v1/runs/not-a-uuid`);
        assert.equal(bad.status, 400);
        assert.match(bad.headers.get("content-type") ?? "", /^text\/plain/);
        assert.equal((await post(`${url}/internal/v1/runs`, {}, {})).status, 415);
        const missing = await fetch(`${url}/internal/v1/nothing`);
        assert.equal(missing.status, 404);
        assert.equal(await missing.text(), "");
    });

    it("runtime: an idempotency key appends once; appending to another instance's run is a 404", async () => {
        const url = await up(runtimeService(runtimeConfig()).handler);
        const { run } = (await (await post(`${url}/internal/v1/runs`, { worker_id: "w" })).json()) as { run: { id: string } };
        for (let i = 0; i < 2; i++) await post(`${url}/internal/v1/runs/${run.id}/events`, { event_type: "run.started", idempotency_key: "k", payload: {} });
        const read = (await (await fetch(`${url}/internal/v1/runs/${run.id}`)).json()) as { run: { events: unknown[] } };
        assert.equal(read.run.events.length, 2);
        const two = await up(runtimeService(runtimeConfig({ instances: 2 })).handler);
        const created = (await (await post(`${two}/internal/v1/runs`, {})).json()) as { run: { id: string } };
        assert.equal((await post(`${two}/internal/v1/runs/${created.run.id}/events`, { event_type: "x" })).status, 404);
    });
});

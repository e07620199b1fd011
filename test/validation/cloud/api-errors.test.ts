// Every way the Cloud Run and Logging APIs can fail is a failed check with a clear cause, never a
// crash: 401, 403, 404, 429 (retried, honouring Retry-After), 5xx, a body that is not JSON, a
// reset connection, a refused connection, and no credentials at all.

import * as assert from "node:assert/strict";
import * as net from "node:net";
import { controlCanaryStatusCheck } from "../../../validation/checks/control-canary-status";
import { runtimeMigrationDriftCheck } from "../../../validation/checks/runtime-migration-drift";
import { adcTokenSource, explicitTokenSource } from "../../../io/gcp/credentials";
import { ALIGNED, RUNTIME_IMAGE } from "./environments";
import { apisFor, logProbe, runCheck, useStandIn, type TestApis } from "./helpers";

const JOB_PATH = /^GET \/v2\/projects\/openagentsgemini\/locations\/us-central1\/jobs\/runtime-migrate$/;

describe("Cloud Run / Logging API failures become failed checks with a cause", () => {
    const live = useStandIn();

    const drift = (a: TestApis = live.apis) => runCheck(runtimeMigrationDriftCheck({ api: () => a.cloudRun, serviceName: ALIGNED.runtime, jobName: ALIGNED.job, expectedImage: RUNTIME_IMAGE }));

    it("401: a refused explicit token says so, when it was given, and how to replace it", async () => {
        const { verdict } = await drift(apisFor(live.standIn, explicitTokenSource("ya29.expired", "CLOUDSDK_AUTH_ACCESS_TOKEN")));
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /Cloud Run Admin API answered 401 UNAUTHENTICATED for (service|job) .*the explicit CLOUDSDK_AUTH_ACCESS_TOKEN given at .* cannot be refreshed; unset it/);
    });

    it("403: names the permission problem", async () => {
        live.standIn.fail(JOB_PATH, { status: 403 });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /migrate job 'runtime-migrate' could not be read: Cloud Run Admin API answered 403 PERMISSION_DENIED .*roles\/run\.viewer/);
    });

    it("403 for another project: the stand-in's own answer for a project it does not serve", async () => {
        const other = apisFor({ url: live.standIn.url, state: { project: "someone-else", region: "us-central1" } });
        const { verdict } = await drift(other);
        other.http.close();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /403 PERMISSION_DENIED/);
    });

    it("404 of the service: the service does not exist, named with project and region", async () => {
        delete live.standIn.state.services[ALIGNED.runtime];
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /^runtime service 'runtime' does not exist in openagentsgemini\/us-central1/);
    });

    it("429 with Retry-After: waits as asked and passes when the API recovers", async () => {
        live.standIn.fail(JOB_PATH, { status: 429, retryAfter: "1", times: 1 });
        // The waits are recorded, not slept: the client chose to wait the 1 s the API asked for.
        const waits: number[] = [];
        const { verdict, log } = await drift(apisFor(live.standIn, undefined, (ms) => (waits.push(ms), Promise.resolve(true))));
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.equal(live.standIn.requestsTo(JOB_PATH).length, 2);
        assert.deepEqual(waits, [1000], "the retry honoured Retry-After: 1");
        assert.match(log, /retry 2\/3 in 1000 ms \(Retry-After\)/);
    });

    it("429 that persists: fails after the attempts, saying quota", async () => {
        live.standIn.fail(JOB_PATH, { status: 429, retryAfter: "0" });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.equal(live.standIn.requestsTo(JOB_PATH).length, 3);
        assert.match(verdict.cause ?? "", /answered 429 RESOURCE_EXHAUSTED for job 'runtime-migrate' in openagentsgemini\/us-central1 after 3 attempts/);
    });

    it("a Retry-After beyond the check's deadline is not waited for: the 429 is the cause", async () => {
        live.standIn.fail(JOB_PATH, { status: 429, retryAfter: "3600" });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.equal(live.standIn.requestsTo(JOB_PATH).length, 1);
        assert.match(verdict.cause ?? "", /429 RESOURCE_EXHAUSTED/);
    });

    it("5xx: retried, then a failure saying the API failed on its side", async () => {
        live.standIn.fail(JOB_PATH, { status: 503 });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.equal(live.standIn.requestsTo(JOB_PATH).length, 3);
        assert.match(verdict.cause ?? "", /503 UNAVAILABLE .*after 3 attempts.*failed on its side/);
    });

    it("a 500 once is absorbed by a retry", async () => {
        live.standIn.fail(JOB_PATH, { status: 500, times: 1 });
        const { verdict } = await drift();
        assert.equal(verdict.status, "passed", verdict.cause);
    });

    it("a 200 whose body is not JSON fails as a bad answer", async () => {
        live.standIn.fail(JOB_PATH, { status: 200, body: "<html>captive portal</html>" });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /answered job 'runtime-migrate' .* with a body that is not JSON: <html>captive portal<\/html>/);
    });

    it("a 200 with JSON that is not an object fails too", async () => {
        live.standIn.fail(JOB_PATH, { status: 200, body: "[]" });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /JSON that is not an object/);
    });

    it("a reset connection is a transport failure", async () => {
        live.standIn.fail(JOB_PATH, { reset: true });
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /Cloud Run Admin API could not be reached for job 'runtime-migrate'.*(reset|hang up)/);
    });

    it("a refused connection fails every Cloud Run check with that cause", async () => {
        const port = await closedPort();
        const dead = apisFor({ url: `http://127.0.0.1:${port}`, state: live.standIn.state });
        const { verdict } = await drift(dead);
        const canary = await runCheck(controlCanaryStatusCheck({ api: () => dead.cloudRun, serviceName: ALIGNED.control }));
        dead.http.close();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /could not be reached .*connection refused/);
        assert.equal(canary.verdict.status, "failed");
        assert.match(canary.verdict.cause ?? "", /control service 'openagents-control-service' could not be read: .*connection refused/);
    });

    it("Logging API errors fail the log probe (an error is never 'no entries')", async () => {
        live.standIn.fail(/^POST \/v2\/entries:list$/, { status: 403 });
        const { verdict } = await logProbe(live, { lane: "runtime", serviceName: ALIGNED.runtime });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /ERROR entries of 'runtime' could not be read: Cloud Logging API answered 403 PERMISSION_DENIED .*roles\/logging\.viewer/);
    });

    it("no credentials at all: fails naming CLOUDSDK_AUTH_ACCESS_TOKEN, and sends no API request", async () => {
        const noAdc = adcTokenSource(() => Promise.reject(new Error("Could not load the default credentials.")));
        const { verdict } = await drift(apisFor(live.standIn, noAdc));
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /no Google credentials: set CLOUDSDK_AUTH_ACCESS_TOKEN .*Could not load the default credentials/);
        assert.equal(live.standIn.requests.length, 0);
    });

    it("the bearer token goes to the API on every call", async () => {
        await drift();
        assert.ok(live.standIn.requests.length >= 4);
        for (const r of live.standIn.requests) assert.equal(r.authorization, "Bearer ya29.stand-in-token");
    });
});

async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

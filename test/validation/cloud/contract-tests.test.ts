import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CROSS_SURFACE_SCRIPT, KHALA_FILTER, countTests, crossSurfaceHarnessCheck, judgeTestRun, khalaContractTestsCheck } from "../../../validation/checks/contract-tests";
import { cargoOutput, fakeOpenAgentsRepo, type FakeRepo } from "./fake-openagents";
import { recordingContext, runCheck } from "./helpers";

describe("contract-test checks (a real child process, a fake cargo)", () => {
    let fake: FakeRepo | undefined;
    afterEach(() => fake?.cleanup());

    const khala = (f: FakeRepo, env: NodeJS.ProcessEnv = { ...process.env, PATH: f.path }) => runCheck(khalaContractTestsCheck({ repo: f.repo, enabled: true, env }));

    it("passes on cargo's own count of 7 passed, running the old gate's exact command in the checkout", async () => {
        fake = fakeOpenAgentsRepo("pass");
        const { verdict, log } = await khala(fake);
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.equal(verdict.cause, "7 passed, 0 failed, 0 ignored, 212 filtered out");
        assert.deepEqual(fake.calls(), [`${fake.repo} test --manifest-path apps/runtime/Cargo.toml server::tests::khala_topic_messages -- --nocapture`]);
        assert.match(log, /test server::tests::khala_topic_messages_case_0 \.\.\. ok/);
        assert.match(log, /warning: unused import/, "stderr is logged too");
    });

    it("fails when the filter ran zero tests, though cargo exited 0 (the old gate's vacuous pass)", async () => {
        fake = fakeOpenAgentsRepo("zero");
        const { verdict } = await khala(fake);
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /the filter 'server::tests::khala_topic_messages' ran zero tests \(219 filtered out\)/);
    });

    it("fails when a test fails, with the counts", async () => {
        fake = fakeOpenAgentsRepo("fail");
        const { verdict } = await khala(fake);
        assert.equal(verdict.status, "failed");
        assert.equal(verdict.cause, "cargo test exited 101: 6 passed, 1 failed, 0 ignored, 212 filtered out");
    });

    it("fails when cargo prints no test result at all", async () => {
        fake = fakeOpenAgentsRepo("no-summary");
        const { verdict } = await khala(fake);
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /printed no 'test result:' line/);
    });

    it("fails when cargo is not installed", async () => {
        fake = fakeOpenAgentsRepo("pass");
        const { verdict } = await khala(fake, { PATH: path.join(fake.repo, "no-such-bin") });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /cargo test could not start: 'cargo' not found on PATH/);
    });

    it("fails when OPENAGENTS_REPO is not an OpenAgents checkout", async () => {
        fake = fakeOpenAgentsRepo("pass");
        fs.rmSync(path.join(fake.repo, "apps"), { recursive: true });
        const { verdict } = await khala(fake);
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /is not an OpenAgents checkout: apps\/runtime\/Cargo.toml is missing/);
        const missing = await runCheck(khalaContractTestsCheck({ repo: path.join(fake.repo, "nope"), enabled: true }));
        assert.match(missing.verdict.cause ?? "", /does not exist/);
    });

    it("is a required skip with its reason when OPENAGENTS_REPO is unset, or when turned off", () => {
        const unset = khalaContractTestsCheck({ repo: undefined, enabled: true });
        assert.equal(unset.required, true);
        assert.match(unset.skipReason ?? "", /OPENAGENTS_REPO is not set/);
        const off = khalaContractTestsCheck({ repo: "/somewhere", enabled: false });
        assert.equal(off.skipReason, "disabled by RUN_KHALA_CONTRACT_TESTS=0");
    });

    it("is killed when the check's deadline aborts it", async () => {
        fake = fakeOpenAgentsRepo("pass");
        fs.writeFileSync(path.join(fake.bin, "cargo"), "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
        const controller = new AbortController();
        const ctx = { ...recordingContext(), signal: controller.signal };
        setTimeout(() => controller.abort(), 200);
        const started = Date.now();
        const verdict = await khalaContractTestsCheck({ repo: fake.repo, enabled: true, env: { ...process.env, PATH: fake.path } }).run(ctx);
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /killed by SIGTERM/);
        assert.ok(Date.now() - started < 10_000);
    });

    it("cross-surface harness: optional, off by default, runs the script when asked", async () => {
        const off = crossSurfaceHarnessCheck({ repo: "/somewhere", enabled: false });
        assert.equal(off.required, false);
        assert.equal(off.skipReason, "off by default (RUN_CROSS_SURFACE=0)");
        fake = fakeOpenAgentsRepo("pass");
        const ok = await runCheck(crossSurfaceHarnessCheck({ repo: fake.repo, enabled: true }));
        assert.equal(ok.verdict.status, "passed", ok.verdict.cause);
        assert.match(ok.log, /cross-surface harness: web, desktop, ios/);
        fake.cleanup();
        fake = fakeOpenAgentsRepo("pass", { harness: "fail" });
        const failed = await runCheck(crossSurfaceHarnessCheck({ repo: fake.repo, enabled: true }));
        assert.equal(failed.verdict.status, "failed");
        assert.match(failed.verdict.cause ?? "", /exited 1/);
    });

    it("runs cargo and the harness without the gate's secrets in their environment", async () => {
        fake = fakeOpenAgentsRepo("pass");
        const printEnv = `#!/bin/sh\nenv\ncat <<'OUT'\n${cargoOutput(7, 0, 212)}OUT\n`;
        fs.writeFileSync(path.join(fake.bin, "cargo"), printEnv, { mode: 0o755 });
        fs.writeFileSync(path.join(fake.repo, CROSS_SURFACE_SCRIPT), printEnv, { mode: 0o755 });
        const secrets: Record<string, string> = {
            STAGING_CONTROL_ACCESS_TOKEN: "secret-stg-access",
            PROD_CONTROL_ACCESS_TOKEN: "secret-prod-access",
            STAGING_MAINTENANCE_BYPASS_TOKEN: "secret-stg-bypass",
            PROD_MAINTENANCE_BYPASS_TOKEN: "secret-prod-bypass",
            STAGING_RUNTIME_ID_TOKEN: "secret-stg-id",
            PROD_RUNTIME_ID_TOKEN: "secret-prod-id",
            RUNTIME_ID_TOKEN: "secret-any-id",
            CLOUDSDK_AUTH_ACCESS_TOKEN: "secret-api-token",
        };
        const env = { ...process.env, PATH: fake.path, ...secrets, GATE_TEST_MARKER: "kept-for-cargo" };
        for (const check of [khalaContractTestsCheck({ repo: fake.repo, enabled: true, env }), crossSurfaceHarnessCheck({ repo: fake.repo, enabled: true, env })]) {
            const { verdict, log } = await runCheck(check);
            assert.equal(verdict.status, "passed", verdict.cause);
            assert.match(log, /^GATE_TEST_MARKER=kept-for-cargo$/m, "the rest of the environment is passed on");
            for (const [name, value] of Object.entries(secrets)) {
                assert.ok(!log.includes(value), `${name} reached ${check.id}`);
                assert.ok(!new RegExp(`^${name}=`, "m").test(log), `${name} is not even set for ${check.id}`);
            }
        }
    });

    it("counts every libtest summary line (unit tests and doc-tests)", () => {
        assert.deepEqual(countTests(cargoOutput(7, 0, 3)), {
            passed: 7,
            failed: 0,
            ignored: 0,
            filteredOut: 3,
            suites: 2,
            unannounced: 0,
            testNames: Array.from({ length: 7 }, (_, i) => `server::tests::khala_topic_messages_case_${i}`),
        });
    });
});

describe("contract-test counts: only libtest's own, only the filter's tests", () => {
    const judge = (output: string) => judgeTestRun({ code: 0, signal: null, counts: countTests(output) }, "cargo test", { requireCount: true, filter: KHALA_FILTER });

    it("passes a single-threaded --nocapture run whose tests print after their name", () => {
        const out = [
            "running 2 tests",
            `test ${KHALA_FILTER}_a ... published 3 messages`,
            "ok",
            `test ${KHALA_FILTER}_b ... ok`,
            "",
            "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 5 filtered out; finished in 0.01s",
        ].join("\n");
        assert.equal(judge(out).status, "passed", judge(out).cause);
    });

    it("fails a summary line no header announced, and passes that are not the filter's tests", () => {
        assert.match(judge("test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n").cause ?? "", /no 'running N tests' header announced/);
        assert.match(judge("running 7 tests\ntest result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n").cause ?? "", /0 test\(s\) named by the filter .* ran/);
        const other = ["running 1 test", "test server::tests::something_else ... ok", "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"].join("\n");
        assert.match(judge(other).cause ?? "", /and 1 it does not name did/);
    });
});

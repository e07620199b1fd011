// Acceptance: two environments replayed end to end through the real CLI (a child process, as
// `npm run validate` runs it), with the Cloud Run / Logging stand-in and the part-1 HTTP fixture
// servers on 127.0.0.1, a fake OpenAgents checkout whose `cargo` prints libtest's counts, and a
// loopback guard preloaded into the child that blocks (and reports) any lookup or off-loopback
// connection.
//   "2026-02-21": the baseline's exact invocation (legacy names and run.app URLs), no
//   runtime-migrate job, control traffic pinned to a Laravel revision under a Rust template,
//   ERROR logs => NO-GO with the real report's 7 failures plus the log probes and canary status.
//   "aligned": the canonical Rust lanes after a clean deploy => GO.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTROL, RUNTIME, RUNTIME_MIGRATE, runAppUrl } from "../../../catalog";
import { ALIGNED, CONTROL_IMAGE, RUNTIME_IMAGE, alignedState, baselineState } from "../cloud/environments";
import { fakeOpenAgentsRepo, type FakeRepo } from "../cloud/fake-openagents";
import { CloudStandIn } from "../cloud/stand-in";
import { cleanEnv, filesUnder, runCli, tempDir, type CliResult } from "../fixtures/cli";
import { type ControlServiceConfig, controlConfig, controlService } from "../fixtures/control-service";
import { type RuntimeServiceConfig, runtimeConfig, runtimeService } from "../fixtures/runtime-service";
import { frontEnd404Everywhere, laravelImpostor } from "../fixtures/faults";
import { type Handler, closeAll, serve, type TestServer } from "../fixtures/server";

/** The control service and runtime as their source answers (./fixtures/control-service.ts, ./fixtures/runtime-service.ts). */
const controlContract = (o: Partial<ControlServiceConfig> = {}): Handler => controlService(controlConfig(o)).handler;
const runtimeContract = (o: Partial<RuntimeServiceConfig> = {}): Handler => runtimeService(runtimeConfig({ serviceName: "runtime-staging", ...o })).handler;

const ACCESS_TOKEN = "ya29.e2e-access-token-must-never-leak";
const GUARD = path.join(__dirname, "loopback-guard.js");

interface Row {
    required: string;
    status: string;
    cause: string;
    command: string;
}

function readResults(outputDir: string): Map<string, Row> {
    const [header, ...lines] = fs.readFileSync(path.join(outputDir, "results.tsv"), "utf8").trimEnd().split("\n");
    const columns = header.split("\t");
    const rows = new Map<string, Row>();
    for (const line of lines) {
        const cells = line.split("\t");
        const get = (name: string): string => cells[columns.indexOf(name)] ?? "";
        rows.set(get("check_id"), { required: get("required"), status: get("status"), cause: get("cause"), command: get("command") });
    }
    return rows;
}

function statuses(rows: Map<string, Row>): Record<string, string> {
    return Object.fromEntries([...rows].map(([id, r]) => [id, r.status]));
}

function logOf(outputDir: string, id: string): string {
    return fs.readFileSync(path.join(outputDir, "logs", `${id}.log`), "utf8");
}

/** The env every replay shares: the stand-in's APIs, a token, the fake checkout, the guard. */
function gateEnv(standIn: CloudStandIn, fake: FakeRepo, outputDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return cleanEnv({
        PATH: fake.path,
        NODE_OPTIONS: `--require ${GUARD}`,
        CLOUD_RUN_API_URL: standIn.url,
        CLOUD_LOGGING_API_URL: standIn.url,
        CLOUDSDK_AUTH_ACCESS_TOKEN: ACCESS_TOKEN,
        OPENAGENTS_REPO: fake.repo,
        OUTPUT_DIR: outputDir,
        GATE_CHECK_TIMEOUT: "20s",
        ...extra,
    });
}

function assertStayedOnLoopback(result: CliResult): void {
    assert.doesNotMatch(result.stderr, /LOOPBACK-GUARD blocked/, "the run tried to leave loopback");
}

function assertTokenNowhere(outputDir: string, result: CliResult): void {
    for (const file of filesUnder(outputDir)) assert.ok(!fs.readFileSync(file, "utf8").includes(ACCESS_TOKEN), `token leaked into ${file}`);
    assert.ok(!result.stdout.includes(ACCESS_TOKEN) && !result.stderr.includes(ACCESS_TOKEN), "token leaked to the console");
}

describe("end to end: the gate replays 2026-02-21 and an aligned environment", function () {
    this.timeout(60_000);
    let standIn: CloudStandIn;
    let fake: FakeRepo;
    let servers: TestServer[] = [];
    const outputDirs: string[] = [];
    const outputDir = (): string => {
        const dir = tempDir();
        outputDirs.push(dir);
        return dir;
    };

    beforeEach(() => {
        fake = fakeOpenAgentsRepo("pass");
        servers = [];
    });
    afterEach(async () => {
        await standIn?.close();
        await closeAll(servers);
        fake.cleanup();
        for (const dir of outputDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("2026-02-21 (the baseline's invocation: legacy names and URLs)", () => {
        const invocation = {
            CONTROL_SERVICE: "openagents-web",
            RUNTIME_SERVICE: "openagents-runtime",
            MIGRATE_JOB: "runtime-migrate",
            STAGING_CONTROL_BASE_URL: runAppUrl("openagents-web-staging"),
            PROD_CONTROL_BASE_URL: runAppUrl("openagents-web"),
            STAGING_RUNTIME_BASE_URL: runAppUrl("openagents-runtime"),
            PROD_RUNTIME_BASE_URL: runAppUrl("openagents-runtime"),
        };
        const FAILED_IN_REPORT = [
            "control-staging-health",
            "control-staging-smoke",
            "control-prod-health",
            "control-prod-smoke",
            "runtime-staging-smoke",
            "runtime-prod-smoke",
            "runtime-migration-drift",
        ];
        const HOLLOW_PASSES = ["control-error-log-probe", "runtime-error-log-probe", "control-canary-status"];

        beforeEach(async () => {
            standIn = await new CloudStandIn(baselineState(), ACCESS_TOKEN).start();
        });

        it("strict: NO-GO, exit 1, the report's 7 failures plus the log probes and canary status, optional lane skipped", async () => {
            const out = outputDir();
            const result = await runCli([], gateEnv(standIn, fake, out, invocation));
            assertStayedOnLoopback(result);
            assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
            const rows = readResults(out);
            assert.deepEqual(statuses(rows), {
                ...Object.fromEntries(FAILED_IN_REPORT.map((id) => [id, "failed"])),
                "khala-contract-tests": "passed",
                "cross-surface-contract-harness": "skipped",
                ...Object.fromEntries(HOLLOW_PASSES.map((id) => [id, "failed"])),
            });
            assert.equal(rows.get("cross-surface-contract-harness")?.required, "optional");
            assert.match(rows.get("cross-surface-contract-harness")?.command ?? "", /RUN_CROSS_SURFACE=0/);

            // Each Cloud Run failure says what is wrong, not merely that an API answered.
            assert.match(rows.get("runtime-migration-drift")!.cause, /migrate job 'runtime-migrate' does not exist in openagentsgemini\/us-central1/);
            assert.match(rows.get("control-canary-status")!.cause, /legacy revision openagents-web-00097-jr6 serves 100% of traffic/);
            assert.match(rows.get("control-error-log-probe")!.cause, /2 severity>=ERROR entries for 'openagents-web'/);
            assert.match(rows.get("runtime-error-log-probe")!.cause, /1 severity>=ERROR entries for 'openagents-runtime'/);
            assert.match(rows.get("khala-contract-tests")!.cause, /^7 passed, 0 failed/);
            for (const id of FAILED_IN_REPORT.slice(0, 6)) assert.match(rows.get(id)!.cause, /legacy/, `${id} names the legacy target`);

            const canaryLog = logOf(out, "control-canary-status");
            assert.match(canaryLog, new RegExp(`template image: ${CONTROL_IMAGE.replace(/[.]/g, "\\.")}`));
            assert.match(canaryLog, /serving openagents-web-00097-jr6 100% image .*openagents-web\/laravel/);
            assert.match(logOf(out, "control-error-log-probe"), /ERROR openagents-web-00097-jr6: PHP Fatal error: Uncaught PDOException/);

            const summary = fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8");
            assert.match(summary, /Decision: \*\*NO-GO\*\*/);
            assertTokenNowhere(out, result);
            // The state checks asked the API with the token, about the names given.
            assert.ok(standIn.requestsTo(/jobs\/runtime-migrate$/).length >= 1);
            assert.ok(standIn.requests.every((r) => r.authorization === `Bearer ${ACCESS_TOKEN}`));
        });

        it("FAIL_ON_REQUIRED_FAILURE=0 (how the baseline was run): the same verdicts, exit 0", async () => {
            const out = outputDir();
            const result = await runCli([], gateEnv(standIn, fake, out, { ...invocation, FAIL_ON_REQUIRED_FAILURE: "0" }));
            assertStayedOnLoopback(result);
            assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
            const rows = readResults(out);
            const failed = [...rows].filter(([, r]) => r.status === "failed").map(([id]) => id);
            assert.deepEqual(failed.sort(), [...FAILED_IN_REPORT, ...HOLLOW_PASSES].sort());
            assert.match(fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8"), /Decision: \*\*NO-GO\*\*/);
        });

        it("even when the legacy services answer on loopback (a Laravel impostor, Google's 404), the HTTP checks fail", async () => {
            const control = await serve(laravelImpostor());
            const prodControl = await serve(laravelImpostor());
            const runtime = await serve(frontEnd404Everywhere());
            const prodRuntime = await serve(frontEnd404Everywhere());
            servers.push(control, prodControl, runtime, prodRuntime);
            const out = outputDir();
            const result = await runCli(
                [],
                gateEnv(standIn, fake, out, {
                    ...invocation,
                    STAGING_CONTROL_BASE_URL: control.url,
                    PROD_CONTROL_BASE_URL: prodControl.url,
                    STAGING_RUNTIME_BASE_URL: runtime.url,
                    PROD_RUNTIME_BASE_URL: prodRuntime.url,
                }),
            );
            assertStayedOnLoopback(result);
            assert.equal(result.code, 1);
            const rows = readResults(out);
            for (const id of [...FAILED_IN_REPORT, ...HOLLOW_PASSES]) assert.equal(rows.get(id)?.status, "failed", id);
            assert.ok(
                control.requests.some((r) => r.path === "/readyz"),
                "the impostor was asked for /readyz",
            );
        });
    });

    describe("aligned (the canonical Rust lanes after a clean deploy)", () => {
        async function alignedRun(mutate: (s: CloudStandIn) => void = () => undefined, extra: Record<string, string> = {}) {
            standIn = await new CloudStandIn(alignedState(), ACCESS_TOKEN).start();
            mutate(standIn);
            const stagingControl = await serve(controlContract());
            const prodControl = await serve(controlContract());
            const stagingRuntime = await serve(runtimeContract());
            const prodRuntime = await serve(runtimeContract({ serviceName: "runtime" }));
            servers.push(stagingControl, prodControl, stagingRuntime, prodRuntime);
            const out = outputDir();
            // The prod stack's outputs, as `pulumi stack output --json` would give them.
            const outputs = path.join(outputDir(), "prod-outputs.json");
            fs.writeFileSync(
                outputs,
                JSON.stringify({
                    environment: "prod",
                    project: standIn.state.project,
                    region: standIn.state.region,
                    controlServiceName: CONTROL.names.prod,
                    controlServiceUrl: runAppUrl(CONTROL.names.prod),
                    controlBaseUrl: "https://openagents.com",
                    controlImage: CONTROL_IMAGE,
                    controlRevision: ALIGNED.controlRevision,
                    controlStableRevision: "",
                    controlCanaryPercent: 100,
                    runtimeServiceName: RUNTIME.names.prod,
                    runtimeServiceUrl: runAppUrl(RUNTIME.names.prod),
                    runtimeImage: RUNTIME_IMAGE,
                    migrateJobName: RUNTIME_MIGRATE.names.prod,
                    migrateJobImage: RUNTIME_IMAGE,
                }),
            );
            const result = await runCli(
                ["--outputs", `prod=${outputs}`],
                gateEnv(standIn, fake, out, {
                    // The URLs of the outputs are real hosts: the flags' env equivalents point them at loopback.
                    STAGING_CONTROL_BASE_URL: stagingControl.url,
                    PROD_CONTROL_BASE_URL: prodControl.url,
                    STAGING_RUNTIME_BASE_URL: stagingRuntime.url,
                    PROD_RUNTIME_BASE_URL: prodRuntime.url,
                    ...extra,
                }),
            );
            assertStayedOnLoopback(result);
            return { out, result, rows: readResults(out) };
        }

        it("GO, exit 0 in strict mode: every required check passes, the optional lane is skipped", async () => {
            const { out, result, rows } = await alignedRun();
            assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}\n${fs.readFileSync(path.join(out, "results.tsv"), "utf8")}`);
            for (const [id, row] of rows) {
                if (id === "cross-surface-contract-harness") assert.equal(row.status, "skipped");
                else assert.equal(row.status, "passed", `${id}: ${row.cause}`);
            }
            assert.match(fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8"), /Decision: \*\*GO\*\*/);
            const drift = logOf(out, "runtime-migration-drift");
            for (const what of ["serving revision runtime-00007-rst (100%) image", "service template image", "job template image", "latest execution image", "expected image"]) {
                assert.ok(drift.includes(`${what}: ${RUNTIME_IMAGE}`), `drift log shows ${what}`);
            }
            assert.match(logOf(out, "control-canary-status"), /intended split \(stack outputs\): openagents-control-service-00012-rst=100%/);
            assert.deepEqual(fake.calls(), [`${fake.repo} test --manifest-path apps/runtime/Cargo.toml server::tests::khala_topic_messages -- --nocapture`]);
            assertTokenNowhere(out, result);
        });

        it("NO-GO when the migrate job runs a stale image, though everything else is healthy", async () => {
            const { result, rows } = await alignedRun((s) => {
                s.state.jobs[ALIGNED.job].template!.template!.containers![0].image = `${RUNTIME.imageRepository}:stale`;
            });
            assert.equal(result.code, 1);
            assert.equal(rows.get("runtime-migration-drift")?.status, "failed");
            assert.match(rows.get("runtime-migration-drift")!.cause, /job 'runtime-migrate' template runs .*:stale, not the expected image/);
        });

        it("NO-GO when the Khala filter ran zero tests (the old gate's vacuous pass)", async () => {
            fake.cleanup();
            fake = fakeOpenAgentsRepo("zero");
            const { result, rows } = await alignedRun();
            assert.equal(result.code, 1);
            assert.equal(rows.get("khala-contract-tests")?.status, "failed");
            assert.match(rows.get("khala-contract-tests")!.cause, /ran zero tests/);
        });

        it("without OPENAGENTS_REPO the Khala tests are a required skip: NO-GO", async () => {
            const { result, rows } = await alignedRun(undefined, { OPENAGENTS_REPO: "" });
            assert.equal(result.code, 1);
            assert.equal(rows.get("khala-contract-tests")?.status, "skipped");
            assert.match(rows.get("khala-contract-tests")!.command, /OPENAGENTS_REPO is not set/);
        });

        it("RUN_CROSS_SURFACE=1 runs the optional harness in the checkout", async () => {
            const { result, rows } = await alignedRun(undefined, { RUN_CROSS_SURFACE: "1" });
            assert.equal(result.code, 0);
            assert.equal(rows.get("cross-surface-contract-harness")?.status, "passed");
        });

        it("the Cloud Run API refusing the token fails the state checks with that cause", async () => {
            const { result, rows } = await alignedRun(undefined, { CLOUDSDK_AUTH_ACCESS_TOKEN: "ya29.revoked" });
            assert.equal(result.code, 1);
            for (const id of ["runtime-migration-drift", "control-error-log-probe", "runtime-error-log-probe", "control-canary-status"]) {
                assert.equal(rows.get(id)?.status, "failed", id);
                assert.match(rows.get(id)!.cause, /401 UNAUTHENTICATED/, id);
            }
        });
    });
});

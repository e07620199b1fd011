// The CLI as a child process: every exit code, the evidence's exact formats, redaction of every
// token in every artifact and on stdout, and the interrupt path.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type ControlServiceConfig, controlConfig, controlService } from "./fixtures/control-service";
import { type RuntimeServiceConfig, runtimeConfig, runtimeService } from "./fixtures/runtime-service";
import { cleanEnv, filesUnder, runCli, startCli, tempDir } from "./fixtures/cli";
import { hanging, laravelImpostor } from "./fixtures/faults";
import { type Handler, type TestServer, closeAll, serve } from "./fixtures/server";
import { UsageError } from "../../io/usage-error";
import { resolveOptions } from "../../validation/options";

/** The control service and runtime as their source answers (./fixtures/control-service.ts, ./fixtures/runtime-service.ts). */
const controlContract = (o: Partial<ControlServiceConfig> = {}): Handler => controlService(controlConfig(o)).handler;
const runtimeContract = (o: Partial<RuntimeServiceConfig> = {}): Handler => runtimeService(runtimeConfig({ serviceName: "runtime-staging", ...o })).handler;

const HTTP_CHECKS = "control-staging-health,control-staging-smoke,control-prod-health,control-prod-smoke,runtime-staging-smoke,runtime-prod-smoke";

describe("validation/cli (child process)", function () {
    this.timeout(60_000);
    const servers: TestServer[] = [];
    let control: TestServer;
    let prodControl: TestServer;
    let runtime: TestServer;
    let prodRuntime: TestServer;
    before(async () => {
        // One service per environment and lane: the gate refuses two environments on one URL.
        control = await serve(controlContract());
        prodControl = await serve(controlContract());
        runtime = await serve(runtimeContract());
        prodRuntime = await serve(runtimeContract({ serviceName: "runtime" }));
        servers.push(control, prodControl, runtime, prodRuntime);
    });
    after(() => closeAll(servers));

    const goodEnv = (out: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
        cleanEnv({
            OUTPUT_DIR: out,
            STAGING_CONTROL_BASE_URL: control.url,
            PROD_CONTROL_BASE_URL: prodControl.url,
            STAGING_RUNTIME_BASE_URL: runtime.url,
            PROD_RUNTIME_BASE_URL: prodRuntime.url,
            ...extra,
        });

    it("exit 0 on GO, with the six HTTP checks passing and the evidence written", async () => {
        const out = tempDir();
        const r = await runCli(["--only", HTTP_CHECKS], goodEnv(out));
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^GO: 6 passed, 0 required failure\(s\)/m);
        for (const f of ["results.tsv", "SUMMARY.md", "results.json", "junit.xml"]) assert.ok(fs.existsSync(path.join(out, f)), f);
        for (const id of HTTP_CHECKS.split(",")) assert.ok(fs.existsSync(path.join(out, "logs", `${id}.log`)), id);
        // No temporary files of the atomic writes are left behind.
        assert.deepEqual(
            filesUnder(out).filter((f) => f.endsWith(".tmp")),
            [],
        );
    });

    it("exit 1 on NO-GO; exit 0 on NO-GO with FAIL_ON_REQUIRED_FAILURE=0", async () => {
        const impostor = await serve(laravelImpostor());
        servers.push(impostor);
        const env = (out: string, fail?: string): NodeJS.ProcessEnv => cleanEnv({ OUTPUT_DIR: out, STAGING_CONTROL_BASE_URL: impostor.url, ...(fail ? { FAIL_ON_REQUIRED_FAILURE: fail } : {}) });
        const strict = await runCli(["--only", "control-staging-health"], env(tempDir()));
        assert.equal(strict.code, 1);
        assert.match(strict.stdout, /^NO-GO: 0 passed, 1 required failure/m);
        assert.match(strict.stdout, /blocking: FAIL control-staging-health .*answered by PHP/);
        const baseline = await runCli(["--only", "control-staging-health"], env(tempDir(), "0"));
        assert.equal(baseline.code, 0);
        assert.match(baseline.stdout, /FAIL_ON_REQUIRED_FAILURE=0: exiting 0 despite NO-GO/);
    });

    it("exit 1 when a required check is skipped (unset runtime URL)", async () => {
        const r = await runCli(["--only", "runtime-prod-smoke"], cleanEnv({ OUTPUT_DIR: tempDir() }));
        assert.equal(r.code, 1);
        assert.match(r.stdout, /SKIP runtime-prod-smoke \(required, \d+ ms\): PROD_RUNTIME_BASE_URL is unset/);
    });

    it("exit 2 on usage and config errors, with the reason on stderr", async () => {
        const cli: Array<[string[], RegExp]> = [
            [["--nope"], /unknown option --nope/],
            [["--only", "no-such-check"], /unknown check id\(s\) no-such-check/],
        ];
        for (const [args, message] of cli) {
            const r = await runCli(args, cleanEnv({ OUTPUT_DIR: tempDir(), PATH: path.dirname(process.execPath) }));
            assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, message);
        }
        // The same UsageError path (exit 2, its message on stderr), resolved in this process.
        const resolved: Array<[string[], RegExp]> = [
            [["--outputs", "prod=/nonexistent.json"], /cannot read/],
            [["--stack", "prod"], /pulumi CLI is not on PATH/],
            [["--staging-control-url", "https://gate:pw-hunter2@staging.openagents.com"], /staging control URL: .*must not carry a user or password/],
        ];
        for (const [args, message] of resolved) {
            assert.throws(
                () => resolveOptions(args, { env: cleanEnv({ OUTPUT_DIR: tempDir(), PATH: path.dirname(process.execPath) }), isTTY: false }),
                (e: unknown) => {
                    assert.ok(e instanceof UsageError);
                    assert.match(e.message, message);
                    assert.ok(!e.message.includes("hunter2"), `the password is not repeated: ${e.message}`);
                    return true;
                },
            );
        }
    });

    it("--help documents every flag and the env vars of the old gate", async () => {
        const r = await runCli(["--help"], cleanEnv());
        assert.equal(r.code, 0);
        for (const s of ["--stack", "--outputs", "--only", "--wait-ready", "--output-dir", "--concurrency", "--request-timeout", "--check-timeout", "--timeout", "--plain", "--max-body"])
            assert.ok(r.stdout.includes(s), s);
        for (const s of [
            "STAGING_CONTROL_BASE_URL",
            "PROD_CONTROL_BASE_URL",
            "STAGING_RUNTIME_BASE_URL",
            "PROD_RUNTIME_BASE_URL",
            "STAGING_CONTROL_ACCESS_TOKEN",
            "PROD_CONTROL_ACCESS_TOKEN",
            "GCP_PROJECT",
            "GCP_REGION",
            "CONTROL_SERVICE",
            "RUNTIME_SERVICE",
            "MIGRATE_JOB",
            "RUN_RUNTIME_DRIFT_CHECK",
            "RUN_KHALA_CONTRACT_TESTS",
            "RUN_CROSS_SURFACE",
            "RUN_LOG_PROBES",
            "FAIL_ON_REQUIRED_FAILURE",
            "OUTPUT_DIR",
            "GITHUB_STEP_SUMMARY",
        ]) {
            assert.ok(r.stdout.includes(s), s);
        }
    });

    it("writes the evidence in the old formats plus Go/No-Go, JSON and JUnit, and appends to GITHUB_STEP_SUMMARY", async () => {
        const out = tempDir();
        const stepSummary = path.join(tempDir("gh-"), "summary.md");
        fs.writeFileSync(stepSummary, "previous step\n");
        const r = await runCli(
            ["--only", "control-staging-health,runtime-staging-smoke,runtime-prod-smoke"],
            cleanEnv({ OUTPUT_DIR: out, STAGING_CONTROL_BASE_URL: control.url, STAGING_RUNTIME_BASE_URL: runtime.url, GITHUB_STEP_SUMMARY: stepSummary }),
        );
        assert.equal(r.code, 1);

        const tsv = fs.readFileSync(path.join(out, "results.tsv"), "utf8").split("\n");
        assert.equal(tsv[0], "check_id\trequired\tstatus\tdescription\tlog_path\tcommand\tduration_ms\tcause");
        assert.equal(tsv.length, 5); // header, three rows, trailing newline
        const rows = tsv.slice(1, 4).map((l) => l.split("\t"));
        assert.deepEqual(
            rows.map((c) => c.slice(0, 3)),
            [
                ["control-staging-health", "required", "passed"],
                ["runtime-staging-smoke", "required", "passed"],
                ["runtime-prod-smoke", "required", "skipped"],
            ],
        );
        assert.ok(rows.every((c) => c.length === 8));
        assert.equal(rows[0][4], "logs/control-staging-health.log");
        assert.equal(rows[2][5], "PROD_RUNTIME_BASE_URL is unset"); // a skip's command column holds the reason

        const log = fs.readFileSync(path.join(out, "logs", "control-staging-health.log"), "utf8");
        assert.match(log, /^# control-staging-health \(required\): /);
        assert.match(log, /GET http:\/\/127\.0\.0\.1:\d+\/readyz -> 200 \(\d+ ms, \d+ B\)/);
        assert.match(log, /result: passed: ready and live\n$/);
        assert.equal(
            fs.readFileSync(path.join(out, "logs", "runtime-prod-smoke.log"), "utf8"),
            "# runtime-prod-smoke (required): prod runtime smoke: /healthz names runtime, /readyz ready, a run created (201), an event appended (200), the run read back with it (200)\nskipped: PROD_RUNTIME_BASE_URL is unset\nresult: skipped: PROD_RUNTIME_BASE_URL is unset\n",
        );

        const summary = fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8");
        const headings = summary.split("\n").filter((l) => l.startsWith("#"));
        assert.deepEqual(headings, ["# Rust Cutover Validation Summary", "## Counts", "## Environment", "## Checks", "## Commands", "## Go/No-Go"]);
        assert.match(summary, /- Overall: `failed`/);
        assert.match(summary, /- Decision: \*\*NO-GO\*\*/);
        assert.match(summary, /- Total checks: 3\n- Passed: 2\n- Required failures: 0\n- Optional failures: 0\n- Required skipped: 1\n- Optional skipped: 0/);
        assert.match(summary, /- PROD_RUNTIME_BASE_URL: `<unset>`/);
        assert.match(summary, /- STAGING_CONTROL_ACCESS_TOKEN: `unset`/);
        assert.match(summary, /\| runtime-prod-smoke \| required \| skipped \| PROD_RUNTIME_BASE_URL is unset \| \[logs\/runtime-prod-smoke\.log\]\(logs\/runtime-prod-smoke\.log\) \|/);
        assert.match(summary, /1\. \*\*runtime-prod-smoke\*\* skipped \(PROD_RUNTIME_BASE_URL is unset\)\. Action: set PROD_RUNTIME_BASE_URL or pass --outputs prod=FILE\./);

        const json = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as Record<string, unknown> & {
            checks: Array<{ id: string; status: string }>;
            counts: { requiredSkipped: number };
        };
        assert.equal(json.schemaVersion, 1);
        assert.equal(json.decision, "NO-GO");
        assert.equal(json.overall, "failed");
        assert.equal(json.counts.requiredSkipped, 1);
        assert.deepEqual(
            json.checks.map((c) => [c.id, c.status]),
            [
                ["control-staging-health", "passed"],
                ["runtime-staging-smoke", "passed"],
                ["runtime-prod-smoke", "skipped"],
            ],
        );

        const junit = fs.readFileSync(path.join(out, "junit.xml"), "utf8");
        assert.match(junit, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="post-deploy-gate" tests="3" failures="0" errors="0" skipped="1"/);
        assert.match(junit, /<testcase classname="gate.required" name="runtime-prod-smoke" time="[\d.]+">\n\s+<skipped message="PROD_RUNTIME_BASE_URL is unset"\/>/);

        assert.equal(fs.readFileSync(stepSummary, "utf8"), `previous step\n${summary}\n`);
    });

    it("a GITHUB_STEP_SUMMARY that cannot be appended to is a warning on stderr; the exit code stays the verdict's", async () => {
        const out = tempDir();
        const notAFile = tempDir("gh-dir-");
        const r = await runCli(["--only", "control-staging-health"], cleanEnv({ OUTPUT_DIR: out, STAGING_CONTROL_BASE_URL: control.url, GITHUB_STEP_SUMMARY: notAFile }));
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^GO: 1 passed/m);
        assert.match(r.stderr, /warning: could not append the summary to GITHUB_STEP_SUMMARY .*EISDIR/);
        assert.ok(fs.existsSync(path.join(out, "SUMMARY.md")));
    });

    it("never writes a token to stdout or any artifact", async () => {
        const secrets = {
            STAGING_CONTROL_ACCESS_TOKEN: "stg-access-7f3a9c",
            PROD_CONTROL_ACCESS_TOKEN: "prod-access-1b2c3d",
            STAGING_MAINTENANCE_BYPASS_TOKEN: "stg-bypass-55aa77",
            PROD_MAINTENANCE_BYPASS_TOKEN: "prod-bypass-99ee11",
            STAGING_RUNTIME_ID_TOKEN: "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzdGcifQ.c2lnbmF0dXJlc3Rn",
            PROD_RUNTIME_ID_TOKEN: "prod-id-token-4242",
            CLOUDSDK_AUTH_ACCESS_TOKEN: "ya29.api-token-abcdef",
        };
        // Servers that reflect what they get: a careless check would copy tokens into logs.
        const secretControl = await serve(controlContract({ maintenance: { ...controlConfig().maintenance, enabled: true, bypassToken: "stg-bypass-55aa77" } }));
        const echoing: Parameters<typeof serve>[0] = (req, res) => {
            if (req.url === "/readyz") {
                res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready","static_dir":"/app/web-shell/dist"}');
                return;
            }
            if ((req.url ?? "").startsWith("/?maintenance_bypass=")) {
                // Maintenance off: the page, no cookie; the smoke goes on without one.
                res.writeHead(200, { "content-type": "text/html" }).end("<html></html>");
                return;
            }
            res.writeHead(401, { "content-type": "text/plain" });
            res.end(`you sent ${req.headers.authorization ?? "nothing"} to ${req.url}`);
        };
        const echo = await serve(echoing);
        const stagingRuntimeEcho = await serve(echoing);
        const prodRuntimeEcho = await serve(echoing);
        servers.push(secretControl, echo, stagingRuntimeEcho, prodRuntimeEcho);
        const out = tempDir();
        const stepSummary = path.join(tempDir("gh-"), "summary.md");
        const r = await runCli(
            ["--only", HTTP_CHECKS],
            cleanEnv({
                ...secrets,
                OUTPUT_DIR: out,
                GITHUB_STEP_SUMMARY: stepSummary,
                STAGING_CONTROL_BASE_URL: secretControl.url,
                PROD_CONTROL_BASE_URL: echo.url,
                STAGING_RUNTIME_BASE_URL: stagingRuntimeEcho.url,
                PROD_RUNTIME_BASE_URL: prodRuntimeEcho.url,
            }),
        );
        assert.equal(r.code, 1, r.stdout + r.stderr);
        // The staging control smoke really used the tokens: behind the bypass, the given access token sent (and refused: unknown to the revision).
        assert.match(fs.readFileSync(path.join(out, "logs", "control-staging-smoke.log"), "utf8"), /result: passed: smoke passed/);
        assert.ok(secretControl.requests.some((q) => q.headers.authorization === "Bearer stg-access-7f3a9c" && /^oa_maintenance_bypass=/.test(String(q.headers.cookie))));
        assert.ok(echo.requests.some((q) => q.headers.authorization === "Bearer prod-access-1b2c3d"));
        assert.ok(prodRuntimeEcho.requests.some((q) => q.headers.authorization === "Bearer prod-id-token-4242"));
        assert.match(fs.readFileSync(path.join(out, "logs", "control-prod-smoke.log"), "utf8"), /body: you sent Bearer \*\*\* to \/api\/v1\/control\/status/);
        const texts: Array<[string, string]> = [
            ["stdout", r.stdout],
            ["stderr", r.stderr],
            ["step summary", fs.readFileSync(stepSummary, "utf8")],
        ];
        for (const f of filesUnder(out)) texts.push([f, fs.readFileSync(f, "utf8")]);
        assert.ok(texts.length >= 10);
        for (const [where, text] of texts) {
            for (const [name, value] of Object.entries(secrets)) {
                assert.ok(!text.includes(value), `${name} leaked into ${where}`);
                assert.ok(!text.includes(value.slice(0, 12)), `part of ${name} leaked into ${where}`);
            }
        }
    });

    for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
    ] as const) {
        it(`${signal} writes the evidence with unfinished checks failed "interrupted" and exits ${code}`, async () => {
            const hang = await serve(hanging());
            servers.push(hang);
            const out = tempDir();
            const run = startCli(
                ["--only", "control-staging-health,control-prod-health", "--request-timeout", "60s"],
                cleanEnv({ OUTPUT_DIR: out, STAGING_CONTROL_BASE_URL: control.url, PROD_CONTROL_BASE_URL: hang.url }),
            );
            await run.waitFor("PASS control-staging-health");
            // Wait until the hanging server holds the prod request.
            for (let i = 0; i < 100 && hang.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
            run.child.kill(signal);
            const r = await run.done;
            assert.equal(r.code, code, r.stdout + r.stderr);
            assert.match(r.stdout, /NO-GO \(interrupted\)/);
            const tsv = fs.readFileSync(path.join(out, "results.tsv"), "utf8");
            assert.match(tsv, /^control-staging-health\trequired\tpassed\t/m);
            assert.match(tsv, /^control-prod-health\trequired\tfailed\t.*\tinterrupted$/m);
            const json = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as { interrupted: boolean; decision: string };
            assert.equal(json.interrupted, true);
            assert.equal(json.decision, "NO-GO");
            assert.match(fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8"), /\*\*control-prod-health\*\* failed: interrupted/);
        });
    }
});

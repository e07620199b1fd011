// The pieces the fault matrix's verdict classes rest on, each alone: URL identity, the run.app
// tie, secrets learned from answers, redaction of values, log levels in every stored form, the
// run's hold on its directory, and the TLS refusal.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { type HttpResponse, isSecretKey, learnSecrets } from "../../io/http";
import { ERROR_SEVERITY, entrySeverity, errorLevelClause, severityNumber } from "../../io/gcp/log-severity";
import { MASK, Redactor } from "../../io/redact";
import { normalizeTargetUrl, runAppTieProblem, stackNameProblem, targetClashProblem } from "../../validation/targets";
import { assertWritableDir, makeDirs } from "../../io/evidence/atomic";
import { LOCK_FILE, NOT_FINAL_MARKER, ownOutputDir } from "../../validation/evidence/run-dir";
import { UsageError } from "../../io/usage-error";
import { resolveOptions } from "../../validation/options";
import { tlsVerificationOff } from "../../validation/resolve-options";
import { cleanEnv, tempDir } from "./fixtures/cli";
import type { CheckResult } from "../../validation/check";
import { decide } from "../../validation/decision";
import { writeEvidence } from "../../validation/evidence/write";

const response = (body: unknown, setCookies: string[] = []): HttpResponse => ({
    status: 200,
    headers: {},
    setCookies,
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    url: "http://127.0.0.1/",
    redirects: [],
    durationMs: 1,
});

describe("validation/targets: one identity per target", () => {
    it("normalises case, trailing dots, default ports, percent-encoding, IDNA and slashes", () => {
        const same = [
            "https://runtime-ezxz4mgdsq-uc.a.run.app",
            "HTTPS://RUNTIME-EZXZ4MGDSQ-UC.A.RUN.APP./",
            "https://runtime-ezxz4mgdsq-uc.a.run.app:443//",
            "https://runtime-ezxz4mgdsq-uc.a.run%2Eapp",
            "https://runtime-ezxz4mgdsq-uc.a.ｒｕｎ.app",
            "https://runtime-ezxz4mgdsq-uc.a.run.app/?x=1#y",
        ];
        for (const url of same) assert.equal(normalizeTargetUrl(url), "https://runtime-ezxz4mgdsq-uc.a.run.app", url);
        assert.equal(normalizeTargetUrl("http://h:8080/%61pp/%2f/"), "http://h:8080/app/%2F");
        assert.equal(normalizeTargetUrl("not a url"), "not a url");
    });

    it("is idempotent on any URL", () => {
        fc.assert(fc.property(fc.webUrl(), (url) => normalizeTargetUrl(normalizeTargetUrl(url)) === normalizeTargetUrl(url)));
    });

    it("refuses a clash whatever the spelling", () => {
        const t = (environment: "staging" | "prod", runtimeBaseUrl: string) => ({ environment, controlBaseUrl: "", runtimeBaseUrl: normalizeTargetUrl(runtimeBaseUrl) });
        assert.match(targetClashProblem([t("staging", "http://localhost:9/"), t("prod", "http://LOCALHOST.:9//")], ["staging", "prod"]) ?? "", /same URL/);
        assert.equal(targetClashProblem([t("staging", "http://localhost:9/"), t("prod", "http://localhost:10/")], ["staging", "prod"]), undefined);
    });

    it("refuses a run.app URL given by hand that names another service than the stack's", () => {
        assert.match(
            stackNameProblem("prod runtime URL", "https://runtime-canary-ezxz4mgdsq-uc.a.run.app", "runtime") ?? "",
            /addresses runtime-canary, but the stack outputs say this environment's service is runtime/,
        );
        for (const ok of ["https://runtime-ezxz4mgdsq-uc.a.run.app", "https://canary---runtime-ezxz4mgdsq-uc.a.run.app", "https://openagents.com", ""])
            assert.equal(stackNameProblem("prod runtime URL", ok, "runtime"), undefined, ok);
        assert.equal(stackNameProblem("prod runtime URL", "https://runtime-canary-ezxz4mgdsq-uc.a.run.app", undefined), undefined, "no outputs: nothing to hold it to");
    });

    it("ties a run.app URL to the Cloud Run service's own URLs only", () => {
        const svc = {
            name: "projects/p/locations/r/services/runtime",
            uri: "https://runtime-ezxz4mgdsq-uc.a.run.app",
            urls: ["https://runtime-123456789012.us-central1.run.app"],
            trafficStatuses: [{ uri: "https://canary---runtime-ezxz4mgdsq-uc.a.run.app" }],
        };
        for (const ok of [svc.uri, "https://RUNTIME-ezxz4mgdsq-uc.a.run.app.", svc.urls[0], svc.trafficStatuses[0].uri, "https://openagents.com", "http://127.0.0.1:9"])
            assert.equal(runAppTieProblem(ok, svc, "runtime URL"), undefined, ok);
        assert.match(runAppTieProblem("https://runtime-staging-ezxz4mgdsq-uc.a.run.app", svc, "runtime URL") ?? "", /is not a URL of service 'runtime'/);
        assert.match(runAppTieProblem(svc.uri, { name: "runtime" }, "runtime URL") ?? "", /Cloud Run reports no URL for it/);
    });
});

describe("io/http: secrets an answer hands out are learned", () => {
    it("takes every string under a secret-looking key at any depth, and every cookie value; never a page token", () => {
        const learned: string[] = [];
        learnSecrets(
            response(
                {
                    data: { token: "tok-aaaaaaaa", nested: [{ refreshToken: "ref-bbbbbbbb", note: "plain" }], session: { cookie: "ck-cccccccc" } },
                    nextPageToken: "page-2",
                    password: "pw-dddddddd",
                    expires_in: 300,
                },
                ['oa_maintenance_bypass="bp-eeeeeeee"; Path=/', "sid=sid-ffffffff"],
            ),
            (s) => learned.push(s),
        );
        assert.deepEqual(learned.sort(), ["bp-eeeeeeee", "ck-cccccccc", "pw-dddddddd", "ref-bbbbbbbb", "sid-ffffffff", "tok-aaaaaaaa"]);
        const fromEnv: string[] = [];
        learnSecrets(
            response({
                env: [
                    { name: "DB_PASSWORD", value: "env-hhhhhhhh" },
                    { name: "RUST_LOG", value: "info" },
                ],
            }),
            (s) => fromEnv.push(s),
        );
        assert.deepEqual(fromEnv, ["env-hhhhhhhh"]);
        const fromHeaders: string[] = [];
        learnSecrets({ ...response("ok"), headers: { "x-sync-token": "hdr-gggggggg", "content-type": "text/plain", etag: "W/1" } }, (s) => fromHeaders.push(s));
        assert.deepEqual(fromHeaders, ["hdr-gggggggg"]);
        for (const k of ["token", "access_token", "bypassToken", "DB_URL", "client-secret", "api_key"]) assert.ok(isSecretKey(k), k);
        for (const k of ["nextPageToken", "page_token", "token_type", "status", "expires_in"]) assert.ok(!isSecretKey(k), k);
        learnSecrets(response("<html>token</html>"), () => assert.fail("not JSON"));
        // An answer with a hundred thousand tokens costs a bounded amount, and redaction stays fast.
        const r = new Redactor();
        const started = Date.now();
        learnSecrets(response({ token: Array.from({ length: 100_000 }, (_, i) => `many-${i}-${"x".repeat(20)}`) }), (s) => r.add(s));
        assert.ok(r.redact("a many-7-xxxxxxxxxxxxxxxxxxxx b").includes(MASK));
        assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    });

    it("says when it could not learn every one: over the budget, or below the depth it searches", () => {
        assert.equal(
            learnSecrets(response({ token: "tok-aaaaaaaa" }), () => undefined),
            true,
        );
        assert.equal(
            learnSecrets(response({ token: Array.from({ length: 300 }, (_, i) => `${i}-${"x".repeat(1020)}`) }), () => undefined),
            false,
        );
        let deep: unknown = { token: "deep-iiiiiiii" };
        for (let i = 0; i < 40; i++) deep = { a: deep };
        const learned: string[] = [];
        assert.equal(
            learnSecrets(response(deep), (s) => learned.push(s)),
            false,
        );
        assert.deepEqual(learned, []);
    });
});

describe("io/redact: values, pieces and shapes", () => {
    it("masks any 8-character run of a secret, from its middle too, in one linear pass", () => {
        const secret = "Zq7XwPa9Lm3Rt6YbQ2Vn";
        const r = new Redactor([secret]);
        for (let i = 0; i + 8 <= secret.length; i++) {
            for (let n = 8; i + n <= secret.length; n++) assert.equal(r.redact(`a ${secret.slice(i, i + n)} b`), `a ${MASK} b`, secret.slice(i, i + n));
        }
        const long = `${"q".repeat(200_000)}${secret.slice(5, 15)}`;
        const started = Date.now();
        assert.ok(r.redact(long).endsWith(MASK));
        assert.ok(Date.now() - started < 2000, "linear");
    });

    it("learns a URL's password and a password field, then masks them anywhere", () => {
        const r = new Redactor();
        assert.equal(r.redact("dial postgres://app:Hx9-secretpw@10.0.0.3/db"), `dial postgres://app:${MASK}@10.0.0.3/db`);
        assert.equal(r.redact("later: Hx9-secretpw"), `later: ${MASK}`);
        assert.equal(r.redact('{"password": "Q7-another-one"} then Q7-another-one'), `{"password": "${MASK}"} then ${MASK}`);
        const quoted = new Redactor(['tok"with\\quote-1234']);
        assert.equal(quoted.redact(JSON.stringify({ t: 'tok"with\\quote-1234' })), `{"t":"${MASK}"}`);
    });
});

describe("io/gcp/log-severity: levels as Cloud Logging stores them", () => {
    it("reads LogSeverity names (any case), numbers and other loggers' words", () => {
        assert.deepEqual(["ERROR", "error", 500, "500", "CRITICAL", 800, "WARN", "fatal", "panic", "DEFAULT", "nonsense"].map(severityNumber), [
            500,
            500,
            500,
            500,
            600,
            800,
            400,
            600,
            600,
            0,
            undefined,
        ]);
    });

    it("judges an entry by its severity, else its JSON level or severity field, its text's level word, a panic", () => {
        const at = (e: object) => entrySeverity(e) >= ERROR_SEVERITY;
        assert.ok(at({ severity: "ERROR" }));
        assert.ok(at({ severity: 600 }));
        assert.ok(at({ severity: "DEFAULT", jsonPayload: { level: "ERROR", fields: { message: "x" } } }));
        assert.ok(at({ jsonPayload: { severity: "critical" } }));
        assert.ok(at({ textPayload: "2026-02-21T10:00:00Z ERROR runtime: db down" }));
        assert.ok(at({ textPayload: "thread 'main' panicked at src/main.rs:1:1" }));
        assert.ok(!at({ severity: "INFO", jsonPayload: { level: "ERROR" } }), "a severity the service set wins");
        assert.ok(!at({ severity: "DEFAULT", jsonPayload: { level: "WARN" } }));
        assert.ok(!at({ textPayload: "ERRORS are counted elsewhere" }));
        assert.match(errorLevelClause(), /^\(severity>=ERROR OR jsonPayload\.level="ERROR" OR .*textPayload:"panicked at"\)$/);
    });
});

describe("validation/evidence: a run owns its directory", () => {
    it("refuses kernel and device trees at once, and makes ordinary directories level by level", () => {
        for (const dir of ["/proc/x/y", "/sys/kernel/x", "/dev/gate"])
            assert.throws(() => assertWritableDir(dir, "--output-dir"), /cannot take the evidence \(under \/(proc|sys|dev), a system tree\)/);
        const base = tempDir();
        makeDirs(path.join(base, "a", "b", "c"));
        assert.ok(fs.statSync(path.join(base, "a", "b", "c")).isDirectory());
        fs.writeFileSync(path.join(base, "file"), "");
        assert.throws(() => makeDirs(path.join(base, "file", "x")), { code: "ENOTDIR" });
    });

    it("clears only the gate's own earlier files, holds a lock, marks the evidence not final until finished", () => {
        const dir = tempDir();
        for (const f of ["results.json", "SUMMARY.md", "junit.xml", "results.tsv", "notes.txt"]) fs.writeFileSync(path.join(dir, f), "earlier");
        fs.mkdirSync(path.join(dir, "logs"));
        fs.writeFileSync(path.join(dir, "logs", "x.log"), "earlier");
        const owned = ownOutputDir(dir, "OUTPUT_DIR");
        assert.deepEqual(fs.readdirSync(dir).sort(), [LOCK_FILE, NOT_FINAL_MARKER, "logs", "notes.txt", "results.json"].sort());
        assert.deepEqual(fs.readdirSync(path.join(dir, "logs")), []);
        assert.equal((JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as { decision: string }).decision, "NO-GO");
        assert.throws(() => ownOutputDir(dir, "OUTPUT_DIR"), /in use by another run/);
        owned.finish();
        assert.ok(!fs.existsSync(path.join(dir, NOT_FINAL_MARKER)) && !fs.existsSync(path.join(dir, LOCK_FILE)));
        // A lock left by a dead process is taken over.
        fs.writeFileSync(path.join(dir, LOCK_FILE), "999999999 gone\n");
        ownOutputDir(dir, "OUTPUT_DIR").release();
    });
});

describe("validation/resolve-options: inputs that would weaken the gate", () => {
    it("refuses TLS verification off from the environment unless --allow-insecure-tls says so", () => {
        assert.equal(tlsVerificationOff({ NODE_TLS_REJECT_UNAUTHORIZED: "1" }), undefined);
        assert.equal(tlsVerificationOff({ NODE_OPTIONS: "--max-old-space-size=512" }), undefined);
        assert.equal(tlsVerificationOff({ NODE_OPTIONS: "--tls-min-v1.0" }), "NODE_OPTIONS --tls-min-v1.0");
        const env = cleanEnv({ NODE_TLS_REJECT_UNAUTHORIZED: "0" });
        assert.throws(
            () => resolveOptions(["--output-dir", tempDir()], { env, isTTY: false }),
            (e: unknown) => e instanceof UsageError && /NODE_TLS_REJECT_UNAUTHORIZED=0/.test(e.message),
        );
        assert.equal(resolveOptions(["--output-dir", tempDir(), "--allow-insecure-tls"], { env, isTTY: false }).insecureTls, true);
        assert.equal(resolveOptions(["--output-dir", tempDir(), "--allow-insecure-tls"], { env: cleanEnv(), isTTY: false }).insecureTls, false, "the flag alone turns nothing off");
    });

    it("judges both environments' Cloud Run state in a run over both, one with --environment or names given by hand", () => {
        const envs = (o: ReturnType<typeof resolveOptions>) => o.stateTargets.map((t) => [t.environment, t.runtimeService, t.migrateJob]);
        const base = ["--output-dir", tempDir()];
        assert.deepEqual(envs(resolveOptions(base, { env: cleanEnv(), isTTY: false })), [
            ["staging", "runtime-staging", "runtime-migrate-staging"],
            ["prod", "runtime", "runtime-migrate"],
        ]);
        assert.deepEqual(envs(resolveOptions([...base, "--environment", "staging"], { env: cleanEnv(), isTTY: false })), [["staging", "runtime-staging", "runtime-migrate-staging"]]);
        assert.deepEqual(envs(resolveOptions(base, { env: cleanEnv({ RUNTIME_SERVICE: "runtime" }), isTTY: false })), [[undefined, "runtime", "runtime-migrate"]]);
    });
});

describe("validation/evidence: no secret, whatever its text, changes the structure of the evidence", () => {
    const DANGEROUS = [
        "true",
        "false",
        "null",
        "NO-GO",
        "GO: 1",
        "passed",
        "failed",
        "required",
        "control-staging",
        "runtime-staging-smoke",
        "checks",
        "decision",
        "<testcase",
        "| required |",
        '"status"',
    ];
    it("ids, statuses, keys and the decision read back the same from every file", () => {
        fc.assert(
            fc.property(fc.oneof(fc.constantFrom(...DANGEROUS), fc.string({ minLength: 4, maxLength: 24 })), fc.boolean(), (secret, go) => {
                const redactor = new Redactor([secret]);
                const results = [
                    {
                        id: "control-staging-smoke",
                        required: true,
                        status: go ? "passed" : "failed",
                        description: `d ${secret}`,
                        command: `c ${secret}`,
                        cause: `cause ${secret} true`,
                        warnings: [`w ${secret}`],
                        logPath: "logs/control-staging-smoke.log",
                        startedAt: "2026-01-01T00:00:00.000Z",
                        durationMs: 1,
                    },
                    {
                        id: "runtime-staging-smoke",
                        required: false,
                        status: "skipped",
                        description: "d",
                        command: "c",
                        cause: `skip ${secret}`,
                        warnings: [],
                        logPath: "logs/runtime-staging-smoke.log",
                        startedAt: "2026-01-01T00:00:00.000Z",
                        durationMs: 1,
                    },
                ] as CheckResult[];
                const outcome = {
                    results,
                    logs: new Map([
                        ["control-staging-smoke", [`line ${secret}`]],
                        ["runtime-staging-smoke", []],
                    ]),
                    interrupted: false,
                    startedAt: "2026-01-01T00:00:00.000Z",
                    durationMs: 2,
                };
                const decision = decide(results);
                const dir = tempDir();
                writeEvidence({
                    outputDir: dir,
                    outcome,
                    decision,
                    environment: [
                        { name: "ONLY", value: "control-staging-smoke", own: true },
                        { name: "GCP_PROJECT", value: secret },
                    ],
                    failOnRequiredFailure: true,
                    generatedAt: "2026-01-01T00:00:00.000Z",
                    redactor,
                });
                const json = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as { decision: string; final: boolean; checks: CheckResult[] };
                const word = go ? "GO" : "NO-GO";
                assert.equal(json.decision, word);
                assert.deepEqual(
                    json.checks.map((c) => [c.id, c.required, c.status, c.logPath]),
                    results.map((c) => [c.id, c.required, c.status, c.logPath]),
                );
                assert.match(fs.readFileSync(path.join(dir, "SUMMARY.md"), "utf8"), new RegExp(`Decision: \\*\\*${word}\\*\\*`));
                const junit = fs.readFileSync(path.join(dir, "junit.xml"), "utf8");
                assert.match(junit, new RegExp(`<property name="decision" value="${word}"/>`));
                assert.match(junit, /<testcase classname="gate.required" name="control-staging-smoke"/);
                assert.ok(fs.existsSync(path.join(dir, "logs", "control-staging-smoke.log")));
                fs.rmSync(dir, { recursive: true, force: true });
            }),
            { numRuns: 60 },
        );
    });

    it("no 8-character run of a secret survives, wherever it sits and however the text around it is cut", () => {
        fc.assert(
            fc.property(
                fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim() === s),
                fc.string({ maxLength: 60 }),
                fc.string({ maxLength: 60 }),
                fc.nat(30),
                fc.nat(30),
                (secret, before, after, from, cut) => {
                    const r = new Redactor([secret]);
                    const piece = secret.slice(Math.min(from, secret.length - 8), Math.min(from, secret.length - 8) + 8 + Math.min(cut, secret.length - 8 - Math.min(from, secret.length - 8)));
                    const shown = r.redact(`${before}${piece}${after}`);
                    for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!shown.includes(secret.slice(i, i + 8)), `${JSON.stringify(shown)} holds ${JSON.stringify(secret.slice(i, i + 8))}`);
                },
            ),
            { numRuns: 300 },
        );
    });
});

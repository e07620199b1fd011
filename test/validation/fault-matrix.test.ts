// The fault matrix: one fault at a time injected into an otherwise healthy environment (both
// environments' services and the Cloud Run / Logging stand-in on loopback, every secret set), each
// asserting the exact outcome: the check that meets the fault fails with a cause naming it, the
// run is NO-GO, and no piece of any secret reaches stdout or any artifact. Faults that the gate
// must refuse before sending anything are usage errors with no request sent.
// docs/reliability.md counts this table.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ALIGNED, logEntry } from "./cloud/environments";
import { googleErrorBody } from "./cloud/stand-in";
import { cleanEnv, filesUnder } from "./fixtures/cli";
import { type InProcessRun, runInProcess } from "./fixtures/gate";
import { type Healthy, type Lane, healthyEnvironment, piecesOf } from "./fixtures/healthy";
import { frontEnd404Response } from "./fixtures/google-front-end";
import { sendJson } from "./fixtures/server";
import { UsageError } from "../../io/usage-error";
import { resolveOptions } from "../../validation/options";
import { KILL_GRACE_MS } from "../../validation/children";
import { runCommand } from "../../validation/checks/contract-tests";
import { runGate } from "../../validation/gate";
import { noIdTokenSource } from "../../validation/id-token";
import { EVIDENCE_CASES, FORGED_SUMMARY, STRUCTURE_CASE, assertOneDecision, fakeCargo, freshSecret, stateFaults, syncTokenAnswer } from "./fixtures/verdict-faults";

type Inject = (h: Healthy) => void;

interface CheckFault {
    kind: "check";
    cls: string;
    name: string;
    /** Checks of the run (--only), the faulty one among them. */
    only: string;
    inject: Inject;
    /** Extra gate env (may use the environment's secrets). */
    env?: (h: Healthy) => Record<string, string>;
    args?: string[];
    failed: string;
    cause: RegExp;
    /** Extra assertions on the run (e.g. no control character in the files). */
    also?: (run: InProcessRun, texts: Array<[string, string]>, h: Healthy) => void;
    /** Secrets of the fault itself (handed out by a service, printed in its logs): no piece may show either. */
    secrets?: Record<string, string>;
}

interface UsageFault {
    kind: "usage";
    cls: string;
    name: string;
    env: (h: Healthy) => Record<string, string>;
    args?: string[];
    message: RegExp;
}

/** A fault with an outcome of its own shape (asserted by `run`). */
interface CustomFault {
    kind: "custom";
    cls: string;
    name: string;
    run: (h: Healthy) => Promise<void>;
}

type Fault = CheckFault | UsageFault | CustomFault;

const html =
    (status = 200, text = "<!doctype html><html><body>app</body></html>") =>
    (_req: unknown, res: import("node:http").ServerResponse) => {
        res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
        res.end(text);
    };
const json = (status: number, body: unknown) => (_req: unknown, res: import("node:http").ServerResponse) => sendJson(res, status, body);
const text =
    (status: number, body: string, type = "text/plain") =>
    (_req: unknown, res: import("node:http").ServerResponse) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
    };
/** Echoes the bare credential it was sent (no "Bearer " before it) far enough in that a cut at `at` would split it. */
/** A RuntimeRun with no events (runtime/src/types.rs:33-41@c41c3629). */
const RUN_SHAPE = { worker_id: "smoke:runtime", status: "running", metadata: null, events: [], created_at: "2026-02-22T10:00:00Z", updated_at: "2026-02-22T10:00:00Z" };
const echoCredential = (status: number, at: number) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const credential = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    sendJson(res, status, { error: `${"x".repeat(Math.max(0, at - 20))} rejected credential ${credential} for this request` });
};
const override =
    (lane: Lane, match: RegExp, handler: Parameters<Healthy["override"]>[2]): Inject =>
    (h) =>
        h.override(lane, match, handler);

/** Secrets the faults below hand out or print: fresh per test process. */
const REFRESH_TOKEN = freshSecret("Rt");
/** The bypass cookie a fault saw echoed, filled during the run and checked for leaks after it. */
const ECHOED_COOKIE: Record<string, string> = {};
const DB_PASSWORD = freshSecret("Db");
const BOM_TOKEN = freshSecret("Bt");
const HEAD_TOKEN = freshSecret("Hd");
const NESTED_TOKEN = freshSecret("Nt");
/** Fifteen random digits: exact as a JSON number (below 2^53). */
const NUMERIC_KEY = String(100_000_000_000_000 + Math.floor(Math.random() * 800_000_000_000_000));

const RUNTIME_SMOKE = "runtime-staging-smoke";
const CONTROL_SMOKE = "control-staging-smoke";
const CONTROL_HEALTH = "control-staging-health";

export const FAULTS: readonly Fault[] = [
    // ---- status codes judged, bodies not ----
    {
        kind: "check",
        cls: "bodies",
        name: "runtime /healthz 200 HTML",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/healthz/, html()),
        failed: RUNTIME_SMOKE,
        cause: /GET \/healthz answered 200 with text\/html, not application\/json/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "runtime /healthz 200 empty",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/healthz/, text(200, "", "application/json")),
        failed: RUNTIME_SMOKE,
        cause: /GET \/healthz answered 200 with an empty body/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "runtime /healthz 200 JSON without service",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/healthz/, json(200, { status: "ok" })),
        failed: RUNTIME_SMOKE,
        cause: /GET \/healthz answered 200 JSON without service/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "runtime /readyz 200 plain text",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/readyz/, text(200, "ok")),
        failed: RUNTIME_SMOKE,
        cause: /GET \/readyz answered 200 with text\/plain, not application\/json/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "runtime /readyz 200 not_ready JSON",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/readyz/, json(200, { status: "not_ready", authority_ready: false, projector_ready: true, workers_ready: true })),
        failed: RUNTIME_SMOKE,
        cause: /GET \/readyz answered 200 JSON with status "not_ready", not "ready"/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "run created without an id",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, json(201, { run: {} })),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 201 JSON without run\.id/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "run created as HTML",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, html(201)),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 201 with text\/html/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "event append answers {}",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs\/[^/]+\/events$/, json(200, {})),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs\/[^ ]+\/events answered 200 JSON without run\.id/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "read-back of another run",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/internal\/v1\/runs\/[^/]+$/, json(200, { run: { ...RUN_SHAPE, id: "0b9e4c1e-9a0f-4c55-8f7e-3d2a1b0c9d8e" } })),
        failed: RUNTIME_SMOKE,
        cause: /GET \/internal\/v1\/runs\/[^ ]+ answered 200 with run\.id "0b9e4c1e-9a0f-4c55-8f7e-3d2a1b0c9d8e", not the run created/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "read-back without the appended event",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/internal\/v1\/runs\/[^/]+$/, (req, res) =>
            sendJson(res, 200, { run: { ...RUN_SHAPE, id: decodeURIComponent((req.url ?? "").split("/").pop() ?? "") } }),
        ),
        failed: RUNTIME_SMOKE,
        cause: /answered 200 with the appended event \(idempotency_key smoke-[0-9a-f-]+\) 0 time\(s\) among its 0 event\(s\), not once/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "control status 200 HTML (an SPA fallback)",
        only: CONTROL_SMOKE,
        inject: override("stagingControl", /^GET \/api\/v1\/control\/status/, html()),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 200 with text\/html, not application\/json/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "session route 200 HTML",
        only: CONTROL_SMOKE,
        inject: override("stagingControl", /^GET \/api\/v1\/auth\/session/, html()),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/auth\/session answered 200 with text\/html/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "sync token answered without a token",
        only: CONTROL_SMOKE,
        inject: override("stagingControl", /^POST \/api\/sync\/token/, json(200, { data: {} })),
        failed: CONTROL_SMOKE,
        cause: /POST \/api\/sync\/token answered 200 JSON without data\.token/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "/sw.js answered by an HTML fallback",
        only: CONTROL_SMOKE,
        inject: override("stagingControl", /^GET \/sw\.js/, (_q, res) => {
            res.writeHead(200, { "content-type": "text/html", "cache-control": "no-cache" });
            res.end("<html></html>");
        }),
        failed: CONTROL_SMOKE,
        cause: /GET \/sw\.js answered 200 with text\/html, not JavaScript/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "manifest as HTML that mentions the version",
        only: CONTROL_SMOKE,
        inject: override("stagingControl", /^GET \/manifest\.json/, html(200, '<html>"manifestVersion":"openagents.webshell.v2"</html>')),
        failed: CONTROL_SMOKE,
        cause: /GET \/manifest\.json answered 200 with text\/html, not application\/json/,
    },
    {
        kind: "check",
        cls: "bodies",
        name: "control /readyz 200 empty",
        only: CONTROL_HEALTH,
        inject: override("stagingControl", /^GET \/readyz/, text(200, "", "application/json")),
        failed: CONTROL_HEALTH,
        cause: /GET \/readyz answered 200 with an empty body/,
    },

    {
        // Cloud Run's own 503 (no instance could take the request) is not the runtime refusing a
        // write: only its write_path_frozen error says that (runtime/src/server.rs:1146-1155,1361-1368@c41c3629).
        kind: "check",
        cls: "bodies",
        name: "run creation answered 503 by the front end while /healthz says rust_active: not named a refused write",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, html(503, "<html><body>Service Unavailable</body></html>")),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 503 \(not the runtime's write refusal: no write_path_frozen error\), expected 201/,
        also: (run) => assert.doesNotMatch(run.result(RUNTIME_SMOKE).cause ?? "", /refused a write/),
    },

    // ---- the wrong environment ----
    {
        kind: "check",
        cls: "environment",
        name: "prod's runtime URL at the staging runtime (prod gated alone)",
        only: "runtime-prod-smoke",
        args: ["--environment", "prod"],
        inject: () => undefined,
        env: (h) => ({ PROD_RUNTIME_BASE_URL: h.servers.stagingRuntime.url, PROD_RUNTIME_ID_TOKEN: h.secrets.STAGING_RUNTIME_ID_TOKEN }),
        failed: "runtime-prod-smoke",
        cause: /GET \/healthz answered 200 naming service "runtime-staging", not runtime, the staging runtime: this prod target is another environment's service/,
    },
    {
        kind: "usage",
        cls: "environment",
        name: "prod's control URL is staging's",
        env: (h) => ({ PROD_CONTROL_BASE_URL: h.servers.stagingControl.url }),
        message: /prod control URL and staging control URL are the same URL/,
    },
    {
        kind: "usage",
        cls: "environment",
        name: "prod's runtime URL is staging's",
        env: (h) => ({ PROD_RUNTIME_BASE_URL: h.servers.stagingRuntime.url }),
        message: /prod runtime URL and staging runtime URL are the same URL/,
    },
    {
        kind: "usage",
        cls: "environment",
        name: "prod's control URL names the staging service",
        env: () => ({ PROD_CONTROL_BASE_URL: "https://openagents-control-service-staging-ezxz4mgdsq-uc.a.run.app" }),
        message: /prod control URL .* addresses openagents-control-service-staging, the staging control service/,
    },
    {
        kind: "usage",
        cls: "environment",
        name: "staging's runtime URL is prod's tagged run.app URL",
        env: () => ({ STAGING_RUNTIME_BASE_URL: "https://canary---runtime-ezxz4mgdsq-uc.a.run.app" }),
        message: /staging runtime URL .* addresses runtime, the prod runtime service/,
    },

    // ---- /healthz answered by the container with something else ----
    {
        kind: "check",
        cls: "healthz",
        name: "control /healthz 500 from the container",
        only: CONTROL_HEALTH,
        inject: override("stagingControl", /^GET \/healthz/, json(500, { error: "db down" })),
        failed: CONTROL_HEALTH,
        cause: /GET \/healthz answered 500, expected 200/,
    },
    {
        kind: "check",
        cls: "healthz",
        name: "runtime /healthz 503 from the container",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^GET \/healthz/, json(503, { status: "degraded" })),
        failed: RUNTIME_SMOKE,
        cause: /GET \/healthz answered 503, expected 200/,
    },
    {
        kind: "check",
        cls: "healthz",
        name: "control /healthz a plain 404 that is not Google's page",
        only: CONTROL_HEALTH,
        inject: override("stagingControl", /^GET \/healthz/, json(404, { error: "not_found" })),
        failed: CONTROL_HEALTH,
        cause: /GET \/healthz answered 404, expected 200/,
    },

    // ---- Cloud Logging read one page only ----
    {
        kind: "check",
        cls: "logging",
        name: "errors on the page after two empty pages",
        only: "control-error-log-probe",
        inject: (h) => {
            h.standIn.emptyLogPagesFirst = 2;
            h.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", "panic in handler", 1));
        },
        failed: "control-error-log-probe",
        cause: /^prod: 1 severity>=ERROR entries for 'openagents-control-service'/,
    },
    {
        kind: "check",
        cls: "logging",
        name: "the limit reached with pages left",
        only: "control-error-log-probe",
        env: () => ({ LOG_LIMIT: "3", LOG_ERROR_THRESHOLD: "2" }),
        inject: (h) => {
            for (let i = 0; i < 8; i++) h.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", `error ${i}`, 1));
        },
        failed: "control-error-log-probe",
        cause: /^prod: at least 3 severity>=ERROR entries .* \(limit 3 reached with more pages left\) \(threshold 2\)/,
    },
    {
        kind: "check",
        cls: "logging",
        name: "an endless chain of empty pages",
        only: "control-error-log-probe",
        inject: (h) => void (h.standIn.emptyLogPagesFirst = 1000),
        failed: "control-error-log-probe",
        cause: /prod: Cloud Logging gave 20 pages \(the bound, 20\) with more left and only 0 entries: the window was not read to its end/,
    },

    // ---- secrets cut by a truncation ----
    {
        kind: "check",
        cls: "secrets",
        name: "the runtime's 503 echoes its ID token across the 120-character excerpt",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, echoCredential(503, 120)),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 503 \(not the runtime's write refusal: no write_path_frozen error\), expected 201/,
    },
    {
        kind: "check",
        cls: "secrets",
        name: "the status route echoes the access token given across the 200-character log excerpt",
        only: "control-prod-smoke",
        inject: override("prodControl", /^GET \/api\/v1\/control\/status/, echoCredential(500, 200)),
        failed: "control-prod-smoke",
        cause: /GET \/api\/v1\/control\/status answered 500, expected with a session: 200; without one: 401/,
    },
    {
        kind: "check",
        cls: "secrets",
        name: "a Cloud Run API error echoes the access token across the 300-character cut",
        only: "runtime-migration-drift",
        inject: (h) =>
            void h.standIn.fail(/GET \/v2\/.*\/services\/runtime$/, { status: 400, body: googleErrorBody(400, `${"y".repeat(285)} token ${h.secrets.CLOUDSDK_AUTH_ACCESS_TOKEN} is not allowed`) }),
        failed: "runtime-migration-drift",
        cause: /Cloud Run Admin API answered 400 INVALID_ARGUMENT/,
    },
    {
        kind: "check",
        cls: "secrets",
        name: "a log entry echoes the bypass token across the 240-character cut",
        only: "control-error-log-probe",
        inject: (h) =>
            void h.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", `${"z".repeat(228)} bypass=${h.secrets.STAGING_MAINTENANCE_BYPASS_TOKEN}`, 1)),
        failed: "control-error-log-probe",
        cause: /^prod: 1 severity>=ERROR entries/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "a password in CLOUD_RUN_API_URL",
        env: () => ({ CLOUD_RUN_API_URL: "https://gate:hunter2secretpw@run.googleapis.com" }),
        message: /CLOUD_RUN_API_URL: https:\/\/\*\*\*@run\.googleapis\.com\/ must not carry a user or password/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "file:// as CLOUD_LOGGING_API_URL",
        env: () => ({ CLOUD_LOGGING_API_URL: "file:///etc/passwd" }),
        message: /CLOUD_LOGGING_API_URL: file:\/\/\/etc\/passwd uses file, not https/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "plain http off loopback as CLOUD_RUN_API_URL",
        env: () => ({ CLOUD_RUN_API_URL: "http://run.example.com" }),
        message: /CLOUD_RUN_API_URL: http:\/\/run\.example\.com\/ uses plain http off loopback/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "the metadata server as CLOUD_LOGGING_API_URL",
        env: () => ({ CLOUD_LOGGING_API_URL: "https://169.254.169.254" }),
        message: /addresses the metadata server or a link-local address/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "the metadata server as a target, in decimal",
        env: () => ({ PROD_RUNTIME_BASE_URL: "http://2852039166/" }),
        message: /prod runtime URL: http:\/\/169\.254\.169\.254\/ addresses the metadata server/,
    },
    {
        kind: "usage",
        cls: "secrets",
        name: "the metadata server by name as a target",
        env: () => ({ STAGING_CONTROL_BASE_URL: "http://metadata.google.internal" }),
        message: /staging control URL: .* addresses the metadata server/,
    },

    // ---- server text reaching the terminal raw ----
    {
        kind: "check",
        cls: "escaping",
        name: "an API error message with a newline and a forged verdict line",
        only: "runtime-migration-drift",
        inject: (h) => void h.standIn.fail(/GET \/v2\/.*\/services\/runtime$/, { status: 400, body: googleErrorBody(400, "bad\nGO: 11 passed, 0 required failure(s), 0 optional failure(s)\n\r") }),
        failed: "runtime-migration-drift",
        cause: /bad\\nGO: 11 passed/,
        also: (run) => {
            assert.deepEqual(
                run.stdout.split("\n").filter((l) => /^(GO|NO-GO)\b/.test(l)),
                [run.stdout.split("\n").find((l) => l.startsWith("NO-GO"))],
                "one verdict line, the real one",
            );
        },
    },
    {
        kind: "check",
        cls: "escaping",
        name: "ANSI escapes in a log entry",
        only: "control-error-log-probe",
        inject: (h) => void h.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", "\u001b[2J\u001b[32mPASS everything\u001b[0m\u0007", 1)),
        failed: "control-error-log-probe",
        cause: /\\x1b\[2J\\x1b\[32mPASS everything/,
        also: (_run, texts) => {
            for (const [where, t] of texts) assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(t), `a control character reached ${where}`);
        },
    },
    {
        kind: "check",
        cls: "escaping",
        name: "a bidi override and a line separator in a body",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, text(500, "err\u202eKO OG\u2028GO")),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 500, expected 201/,
        also: (_run, texts) => {
            for (const [where, t] of texts) assert.ok(!/[\u2028\u2029\u202a-\u202e]/.test(t), `a Unicode control reached ${where}`);
        },
    },

    // ---- lesser ----
    { kind: "usage", cls: "lesser", name: "a timeout longer than a timer holds", env: () => ({}), args: ["--timeout", "600h"], message: /--timeout: '600h' is longer than a timer can hold/ },
    {
        kind: "usage",
        cls: "lesser",
        name: "check timeout plus wait-ready past a timer's range",
        env: () => ({}),
        args: ["--check-timeout", "500h", "--wait-ready", "200h"],
        message: /--check-timeout plus --wait-ready is longer than a timer can hold/,
    },
    {
        kind: "custom",
        cls: "lesser",
        name: "an OUTPUT_DIR that cannot be written: refused before the first request",
        run: async (h) => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-ro-")), "a-file");
            fs.writeFileSync(file, "");
            const options = resolveOptions(["--output-dir", path.join(file, "evidence"), "--only", RUNTIME_SMOKE], { env: cleanEnv(h.env()), isTTY: false });
            await assert.rejects(runGate(options, { write: () => undefined, idTokens: noIdTokenSource }), /OUTPUT_DIR .*a-file\/evidence cannot take the evidence \(ENOTDIR\): nothing was probed/);
            for (const s of Object.values(h.servers)) assert.equal(s.requests.length, 0, "nothing was sent");
        },
    },
    {
        kind: "custom",
        cls: "lesser",
        name: "a child that ignores SIGTERM is killed after the grace",
        run: async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-child-"));
            const pidFile = path.join(dir, "pid");
            const controller = new AbortController();
            const ctx = { signal: controller.signal, deadline: Date.now() + 20_000, log: () => undefined };
            // A shell that ignores TERM and a grandchild (sleep) in its group.
            const running = runCommand(ctx, ["sh", "-c", `trap '' TERM; echo $$ > ${pidFile}; sleep 30 & wait; sleep 30`], dir, { PATH: process.env.PATH });
            while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8").trim() === "") await new Promise((r) => setTimeout(r, 20));
            const pid = Number(fs.readFileSync(pidFile, "utf8"));
            const started = Date.now();
            controller.abort();
            const result = await running;
            assert.equal(result.signal, "SIGKILL");
            assert.ok(Date.now() - started >= KILL_GRACE_MS - 100 && Date.now() - started < KILL_GRACE_MS + 3000, `killed after the grace (${Date.now() - started} ms)`);
            // Killed members may linger as zombies until init reaps them: none may still be running.
            const stillRunning = (): string[] =>
                fs
                    .readdirSync("/proc")
                    .filter((p) => /^\d+$/.test(p))
                    .flatMap((p) => {
                        try {
                            const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
                            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                            return Number(fields[2]) === pid && fields[0] !== "Z" ? [p] : [];
                        } catch {
                            return [];
                        }
                    });
            await new Promise((r) => setTimeout(r, 100));
            assert.deepEqual(stillRunning(), [], "no member of the group still runs");
        },
    },
    {
        kind: "check",
        cls: "lesser",
        name: "a 150 KB answer with no space in it (its excerpt and redaction stay linear)",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, text(500, `{"error": "${"a".repeat(150_000)}", "code": 13}`, "application/json")),
        failed: RUNTIME_SMOKE,
        cause: /POST \/internal\/v1\/runs answered 500, expected 201/,
    },
    {
        kind: "check",
        cls: "lesser",
        // The runtime's own refusal (runtime/src/server.rs:1146-1155,1361-1368@c41c3629), from an instance whose mode disagrees with /healthz's.
        name: "a 503 on the write while /healthz says rust_active",
        only: RUNTIME_SMOKE,
        inject: override("stagingRuntime", /^POST \/internal\/v1\/runs$/, json(503, { error: "write_path_frozen", message: "runtime authority writes are disabled in mode shadow_only" })),
        failed: RUNTIME_SMOKE,
        cause: /answered 503, expected 201 \(although \/healthz said authority_write_mode=rust_active: the runtime refused a write it should take\): \{"error":"write_path_frozen","message":"runtime authority writes are disabled in mode shadow_only"\}/,
    },
    {
        kind: "check",
        cls: "lesser",
        name: "Google's front-end 404 on the runtime /healthz hides a failing readiness",
        only: RUNTIME_SMOKE,
        inject: (h) => {
            h.override("stagingRuntime", /^GET \/healthz/, (_q, res) => frontEnd404Response(res));
            h.override("stagingRuntime", /^GET \/readyz/, json(503, { status: "not_ready", authority_ready: false, projector_ready: false, workers_ready: false }));
        },
        failed: RUNTIME_SMOKE,
        cause: /GET \/readyz answered 503 \(not ready: authority_ready false, projector_ready false, workers_ready false\)/,
    },

    // ---- evidence that cannot outlive or contradict its run ----
    ...EVIDENCE_CASES.map((c): CustomFault => ({ kind: "custom", cls: "evidence", name: c.name, run: c.run })),

    // ---- target identity: one identity per target, not per spelling ----
    {
        kind: "usage",
        cls: "identity",
        name: "prod's control URL names the staging service in capitals with a trailing dot",
        env: () => ({ PROD_CONTROL_BASE_URL: "https://OPENAGENTS-CONTROL-SERVICE-STAGING-ezxz4mgdsq-uc.a.run.app./" }),
        message: /prod control URL https:\/\/openagents-control-service-staging-ezxz4mgdsq-uc\.a\.run\.app addresses openagents-control-service-staging, the staging control service/,
    },
    {
        kind: "usage",
        cls: "identity",
        name: "prod's runtime URL is staging's with a trailing dot, capitals and a double slash",
        env: (h) => ({
            STAGING_RUNTIME_BASE_URL: `http://localhost:${new URL(h.servers.stagingRuntime.url).port}`,
            PROD_RUNTIME_BASE_URL: `http://LocalHost.:${new URL(h.servers.stagingRuntime.url).port}//`,
        }),
        message: /prod runtime URL and staging runtime URL are the same URL/,
    },
    {
        kind: "usage",
        cls: "identity",
        name: "prod's control URL is staging's with a percent-encoded path",
        env: (h) => ({ STAGING_CONTROL_BASE_URL: `${h.servers.stagingControl.url}/app`, PROD_CONTROL_BASE_URL: `${h.servers.stagingControl.url}/%61pp/` }),
        message: /prod control URL and staging control URL are the same URL/,
    },
    {
        kind: "check",
        cls: "identity",
        name: "prod's runtime run.app URL is another service's (its /healthz is Google's to swallow): tied by Cloud Run's uri",
        only: "runtime-migration-drift",
        inject: () => undefined,
        env: () => ({ PROD_RUNTIME_BASE_URL: "https://runtime-canary-ezxz4mgdsq-uc.a.run.app" }),
        failed: "runtime-migration-drift",
        cause: /prod: runtime URL https:\/\/runtime-canary-ezxz4mgdsq-uc\.a\.run\.app is not a URL of service 'runtime' \(Cloud Run reports https:\/\/runtime-ezxz4mgdsq-uc\.a\.run\.app\): the target is another service/,
    },

    // ---- redaction of values, never of structure ----
    {
        kind: "usage",
        cls: "structure",
        name: "a bypass token 'true' (it would mask every boolean) is refused up front",
        env: () => ({ STAGING_MAINTENANCE_BYPASS_TOKEN: "true" }),
        message: /STAGING_MAINTENANCE_BYPASS_TOKEN is 4 character\(s\): a value shorter than 8 cannot be masked/,
    },
    { kind: "custom", cls: "structure", name: STRUCTURE_CASE.name, run: (h) => STRUCTURE_CASE.run(h, runInProcess) },

    // ---- secrets the gate learns at run time, masked from then on, whole and in pieces ----
    {
        kind: "check",
        cls: "learned",
        name: "a refresh token at another JSON path of the sync-token answer, echoed by the next route",
        only: CONTROL_SMOKE,
        secrets: { REFRESH_TOKEN },
        inject: (h) => {
            h.override("stagingControl", /^POST \/api\/sync\/token/, json(200, syncTokenAnswer(`minted-${freshSecret("Mt")}`, { session: { refresh_token: REFRESH_TOKEN } })));
            h.override("stagingControl", /^POST \/api\/v1\/sync\/token/, json(500, { error: `refresh ${REFRESH_TOKEN} revoked` }));
        },
        failed: CONTROL_SMOKE,
        cause: /POST \/api\/v1\/sync\/token answered 500/,
    },
    {
        // The service's own signed cookie (EXPIRY.SIGNATURE, service/src/lib.rs:12507-12566@c41c3629),
        // echoed by a later route: the value is known only once the stand-in has minted it.
        kind: "check",
        cls: "learned",
        name: "the bypass cookie's value (Set-Cookie), echoed by a later route",
        only: CONTROL_SMOKE,
        secrets: ECHOED_COOKIE,
        inject: (h) => {
            h.override("stagingControl", /^GET \/api\/v1\/control\/status/, (req, res) => {
                const value = /(?:^|;\s*)oa_maintenance_bypass=([^;]+)/.exec(String(req.headers.cookie ?? ""))?.[1] ?? "";
                ECHOED_COOKIE.BYPASS_COOKIE_VALUE = value;
                sendJson(res, 500, { error: `session ${value} is not valid for this route` });
            });
        },
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
        also: () => assert.match(ECHOED_COOKIE.BYPASS_COOKIE_VALUE ?? "", /^\d+\.[A-Za-z0-9_-]{16,}$/, "the route echoed the signed cookie"),
    },
    {
        kind: "check",
        cls: "learned",
        name: "a database URL with its password in the service's own logs, and the bare password in another entry",
        only: "control-error-log-probe",
        secrets: { DB_PASSWORD },
        inject: (h) => stateFaults.dbUrlInLogs(h, DB_PASSWORD),
        failed: "control-error-log-probe",
        cause: /^prod: 2 severity>=ERROR entries .*postgres:\/\/runtime:\*\*\*@10\.20\.0\.3/,
    },
    {
        kind: "check",
        cls: "learned",
        name: "a sync-token answer whose JSON follows a byte-order mark (not JSON to the gate, its token still a secret)",
        only: CONTROL_SMOKE,
        secrets: { BOM_TOKEN },
        inject: (h) =>
            h.override("stagingControl", /^POST \/api\/sync\/token/, (_q, res) => {
                res.writeHead(200, { "content-type": "application/json" });
                res.end(`\ufeff${JSON.stringify(syncTokenAnswer(BOM_TOKEN))}`);
            }),
        failed: CONTROL_SMOKE,
        cause: /POST \/api\/sync\/token answered 200 with a body that is not JSON/,
    },
    {
        kind: "check",
        cls: "learned",
        name: "a piece from the middle of the access token (neither its head nor its tail)",
        only: CONTROL_SMOKE,
        inject: (h) =>
            h.override("stagingControl", /^GET \/api\/v1\/control\/status/, (_q, res) => sendJson(res, 500, { error: `bad credential ...${h.secrets.STAGING_CONTROL_ACCESS_TOKEN.slice(4, 22)}...` })),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
    },
    {
        // Integer-like keys come first in a parsed object whatever their place in the text: 300 KiB
        // of token values under "0" spend the learning budget before the refresh token that the
        // body's first 200 characters show.
        kind: "check",
        cls: "learned",
        name: "a refresh token at the head of an answer whose other secret-looking values exceed what the gate learns from one answer",
        only: CONTROL_SMOKE,
        secrets: { HEAD_TOKEN },
        inject: override("stagingControl", /^GET \/api\/v1\/control\/status/, (_q, res) => {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(`{"refresh_token":"${HEAD_TOKEN}","0":[${Array.from({ length: 300 }, (_, i) => `{"token":"${String(i).padStart(4, "0")}${"z".repeat(1020)}"}`).join(",")}]}`);
        }),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
    },
    {
        kind: "check",
        cls: "learned",
        name: "a credential object (its value under a plain key inside a secret-looking one), echoed by a failing route",
        only: CONTROL_SMOKE,
        secrets: { NESTED_TOKEN },
        inject: override("stagingControl", /^GET \/api\/v1\/control\/status/, json(500, { error: "upstream", credentials: { kind: "oauth", value: NESTED_TOKEN } })),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
    },
    {
        kind: "check",
        cls: "learned",
        name: "a numeric credential (a JSON number under a secret-looking key), echoed by a failing route",
        only: CONTROL_SMOKE,
        secrets: { NUMERIC_KEY },
        inject: override("stagingControl", /^GET \/api\/v1\/control\/status/, (_q, res) => {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(`{"error":"upstream refused","api_key":${NUMERIC_KEY}}`);
        }),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
    },
    {
        kind: "check",
        cls: "learned",
        name: "a 7-character piece from the middle of the access token (shorter than any run masked before)",
        only: CONTROL_SMOKE,
        inject: (h) =>
            h.override("stagingControl", /^GET \/api\/v1\/control\/status/, (_q, res) =>
                sendJson(res, 500, { error: `bad credential ...${h.secrets.STAGING_CONTROL_ACCESS_TOKEN.slice(9, 16)}... refused` }),
            ),
        failed: CONTROL_SMOKE,
        cause: /GET \/api\/v1\/control\/status answered 500/,
    },

    // ---- Cloud Run and contract-test state judged on exactly what it names ----
    {
        kind: "check",
        cls: "state",
        name: "the job's named latest execution is missing from the list (an older success must not stand in)",
        only: "runtime-migration-drift",
        inject: stateFaults.namedExecutionMissing,
        failed: "runtime-migration-drift",
        cause: /prod: migrate job 'runtime-migrate' names 'runtime-migrate-x7k2p' as its latest execution, but it is not among the 1 listed/,
    },
    {
        kind: "check",
        cls: "state",
        name: "a run over both environments: staging's migration failed while prod's state is clean",
        only: "runtime-migration-drift",
        inject: stateFaults.stagingMigrationFailed,
        failed: "runtime-migration-drift",
        cause: /^staging: latest execution 'runtime-migrate-staging-q3m8z' of job 'runtime-migrate-staging' did not succeed/,
    },
    {
        kind: "check",
        cls: "state",
        name: "a failed control rollout (the newest revision never became ready) while the old one serves",
        only: "control-canary-status",
        inject: stateFaults.controlRolloutFailed,
        failed: "control-canary-status",
        cause: /prod: latest created revision openagents-control-service-00013-brk is not the latest ready one .*the newest control rollout did not become ready/,
    },
    {
        kind: "custom",
        cls: "state",
        name: "a suite that prints libtest's summary itself while the filter ran zero tests",
        run: async (h) => {
            const cargo = fakeCargo(FORGED_SUMMARY);
            const saved = process.env.PATH;
            process.env.PATH = `${cargo.bin}:${saved ?? ""}`;
            try {
                const run = await runInProcess(["--only", "khala-contract-tests"], { ...h.env(), RUN_KHALA_CONTRACT_TESTS: "1", OPENAGENTS_REPO: cargo.repo });
                assert.equal(run.result("khala-contract-tests").status, "failed");
                assert.match(run.result("khala-contract-tests").cause ?? "", /cargo test printed 1 'test result:' line\(s\) that no 'running N tests' header announced with that total/);
                assertOneDecision(run.stdout, run.outputDir, "NO-GO");
            } finally {
                process.env.PATH = saved;
            }
        },
    },

    // ---- inputs that would weaken the gate silently ----
    {
        kind: "usage",
        cls: "inputs",
        name: "TLS verification switched off by NODE_TLS_REJECT_UNAUTHORIZED=0",
        env: () => ({ NODE_TLS_REJECT_UNAUTHORIZED: "0" }),
        message: /NODE_TLS_REJECT_UNAUTHORIZED=0 turns TLS verification off: .*pass --allow-insecure-tls to run anyway/,
    },
    {
        kind: "check",
        cls: "inputs",
        name: "an error the service logs as tracing JSON (jsonPayload.level ERROR, severity DEFAULT)",
        only: "control-error-log-probe",
        inject: stateFaults.tracingJsonError,
        failed: "control-error-log-probe",
        cause: /^prod: 1 severity>=ERROR entries for 'openagents-control-service' .*ERROR openagents-control-service-00012-rst: db pool exhausted/,
    },
    {
        kind: "check",
        cls: "inputs",
        name: "a Rust panic in textPayload with no severity",
        only: "runtime-error-log-probe",
        inject: stateFaults.panicLine,
        failed: "runtime-error-log-probe",
        cause: /^prod: 1 severity>=ERROR entries for 'runtime' .*panicked at src\/server\.rs:88:5/,
    },
];

/** Every text a run produced: stdout and each file of its evidence. */
function outputsOf(run: InProcessRun): Array<[string, string]> {
    const texts: Array<[string, string]> = [["stdout", run.stdout]];
    for (const f of filesUnder(run.outputDir)) texts.push([path.relative(run.outputDir, f), fs.readFileSync(f, "utf8")]);
    return texts;
}

function assertNoSecretPiece(texts: Array<[string, string]>, secrets: Record<string, string>): void {
    for (const [where, t] of texts) {
        for (const [name, value] of Object.entries(secrets)) {
            const piece = piecesOf(value).find((p) => t.includes(p));
            assert.equal(piece, undefined, `a piece of ${name} (${piece}) reached ${where}`);
        }
    }
}

describe("validation: the fault matrix (one fault at a time, loopback only)", function () {
    this.timeout(30_000);
    let h: Healthy;
    beforeEach(async () => {
        h = await healthyEnvironment();
    });
    afterEach(() => h.close());

    it("the healthy environment is GO on every check this matrix touches, with every secret in play", async () => {
        const run = await runInProcess(["--only", [...new Set(FAULTS.flatMap((f) => (f.kind === "check" ? [f.only] : [])))].join(",")], h.env());
        assert.ok(run.decision.go, run.stdout);
        assert.equal(run.exitCode, 0);
        for (const id of ["control-staging-smoke", "runtime-staging-smoke"]) assert.match(run.log(id), /step (sync-token|read-run): passed/);
        assertNoSecretPiece(outputsOf(run), h.secrets);
    });

    for (const fault of FAULTS) {
        it(`[${fault.cls}] ${fault.name}`, async () => {
            if (fault.kind === "custom") return fault.run(h);
            if (fault.kind === "usage") {
                const env = cleanEnv({ ...h.env(), ...fault.env(h) });
                assert.throws(
                    () => resolveOptions(["--output-dir", os.tmpdir(), ...(fault.args ?? [])], { env, isTTY: false }),
                    (error: unknown) => {
                        assert.ok(error instanceof UsageError, String(error));
                        assert.match(error.message, fault.message);
                        assert.ok(!error.message.includes("\n"), "one line");
                        assertNoSecretPiece([["the usage error", error.message]], { ...h.secrets, password: "hunter2secretpw" });
                        return true;
                    },
                );
                for (const s of Object.values(h.servers)) assert.equal(s.requests.length, 0, "nothing was sent");
                assert.equal(h.standIn.requests.length, 0, "nothing was sent");
                return;
            }
            fault.inject(h);
            const run = await runInProcess(["--only", fault.only, ...(fault.args ?? [])], { ...h.env(), ...(fault.env?.(h) ?? {}) });
            for (const r of run.outcome.results) assert.doesNotMatch(r.cause ?? "", /check crashed/, `${r.id} crashed`);
            assert.ok(run.outcome.durationMs < 10_000, `the run took ${run.outcome.durationMs} ms (a hang)`);
            const result = run.result(fault.failed);
            assert.equal(result.status, "failed", `${fault.failed} should fail:\n${run.log(fault.failed)}`);
            assert.match(result.cause ?? "", fault.cause);
            assert.equal(run.decision.go, false);
            assert.equal(run.exitCode, 1);
            const texts = outputsOf(run);
            assertNoSecretPiece(texts, { ...h.secrets, ...(fault.secrets ?? {}) });
            assertOneDecision(run.stdout, run.outputDir, "NO-GO");
            fault.also?.(run, texts, h);
        });
    }
});

/** The matrix's size by class, as docs/reliability.md states it. */
export function faultCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const f of FAULTS) counts[f.cls] = (counts[f.cls] ?? 0) + 1;
    return counts;
}

describe("docs/reliability.md: the fault matrix's figures", () => {
    it("states the matrix as it is", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "reliability.md"), "utf8");
        const line = /<!-- fault-matrix -->\n(.*)\n<!-- \/fault-matrix -->/.exec(readme)?.[1];
        const classes = Object.entries(faultCounts())
            .map(([cls, n]) => `${cls} ${n}`)
            .join(", ");
        assert.equal(line, `${FAULTS.length} faults tried (${classes}): false GO 0, leaks 0, crashes 0, hangs 0.`);
    });
});

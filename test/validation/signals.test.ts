// A CI cancel sends its signal to the process it started: `npm run validate`, not node. npm
// passes it to its child, so the script must make node that child (`exec`): the gate then writes
// its evidence, marked interrupted and NO-GO, before npm (the process CI waits on) exits.

import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, cleanEnv, tempDir } from "./fixtures/cli";
import { hanging } from "./fixtures/faults";
import { type TestServer, closeAll, serve } from "./fixtures/server";

interface NpmRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** Starts `npm run validate -- args`, sends `signal` to npm itself once the gate has started. */
function npmValidateInterrupted(args: string[], env: NodeJS.ProcessEnv, signal: NodeJS.Signals): Promise<NpmRun> {
    return new Promise((resolve, reject) => {
        const npm = spawn("npm", ["run", "--silent", "validate", "--", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let sent = false;
        const timer = setTimeout(() => reject(new Error(`the gate never started:\n${stdout}\n${stderr}`)), 20_000);
        npm.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
            // The check is running (its server hangs): now is a cancel in the middle of a run.
            if (!sent && stdout.includes("post-deploy gate:")) {
                sent = true;
                setTimeout(() => npm.kill(signal), 300);
            }
        });
        npm.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        npm.on("close", (code, sig) => {
            clearTimeout(timer);
            resolve({ code, signal: sig, stdout, stderr });
        });
    });
}

describe("package.json: every CLI script makes node npm's child (exec), so signals reach it", () => {
    it("no script starts node behind a shell", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        const behindShell = Object.entries(scripts).filter(([, command]) => /^node\b/.test(command.trim()));
        assert.deepEqual(behindShell, []);
        assert.ok(Object.values(scripts).filter((c) => /^exec node\b/.test(c)).length >= 3);
    });
});

describe("validation: signals sent to `npm run validate` reach the gate", function () {
    this.timeout(40_000);
    const servers: TestServer[] = [];
    after(() => closeAll(servers));

    for (const [signal, code] of [
        ["SIGTERM", 143],
        ["SIGINT", 130],
    ] as const) {
        it(`${signal} to npm: evidence written, interrupted, NO-GO, before npm exits ${code}`, async () => {
            const target = await serve(hanging());
            servers.push(target);
            const out = tempDir();
            const env = cleanEnv({ npm_config_update_notifier: "false" });
            const run = await npmValidateInterrupted(["--environment", "staging", "--only", "runtime-staging-smoke", "--staging-runtime-url", target.url, "--output-dir", out], env, signal);
            assert.equal(run.code, code, run.stdout + run.stderr);
            // npm has exited: the evidence must already be there, and say what happened.
            const results = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as {
                decision: string;
                interrupted: boolean;
                checks: Array<{ id: string; status: string; cause: string }>;
            };
            assert.equal(results.decision, "NO-GO");
            assert.equal(results.interrupted, true);
            assert.deepEqual(
                results.checks.map((c) => [c.id, c.status, c.cause]),
                [["runtime-staging-smoke", "failed", "interrupted"]],
            );
            assert.match(fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8"), /NO-GO/);
            assert.match(run.stdout, /^NO-GO \(interrupted\)/m);
            assert.match(run.stderr, new RegExp(`${signal}: stopping`));
            assert.ok(target.requests.length >= 1, "the gate was probing when the signal came");
        });
    }
});

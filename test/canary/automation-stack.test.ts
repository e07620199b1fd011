// The Automation API adapter against a stand-in `pulumi` (pulumi-stand-in.js) that behaves as the
// CLI does where the rollout depends on it: the commands the SDK sends, its signal handling in the
// caller's process group, the passphrase failure of a stack file without a secrets provider, and
// the errors the SDK turns into typed errors. With no CLI at all the adapter says so in one line.
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackError, automationStack, cliEnv } from "../../canary/stack";
import { SAME_SIGNAL_MS } from "../../io/stop-signals";

const REPO = path.resolve(__dirname, "..", "..");
const STAND_IN = path.join(__dirname, "pulumi-stand-in.js");
const DRIVER = path.join(__dirname, "fixtures", "up-driver.ts");

/** A bin directory whose `pulumi` is the stand-in. */
function standInBin(dir: string): string {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(STAND_IN, path.join(bin, "pulumi"));
    return bin;
}

/** A project directory with this project's files and a stack file of the given text. */
function projectWith(dir: string, stackFile: string): string {
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), stackFile);
    return project;
}

/** Resolves with the first line of the child's stdout that matches. */
function lineOf(child: ChildProcess, pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
        let buffer = "";
        const onData = (d: Buffer): void => {
            buffer += d.toString("utf8");
            const line = buffer.split("\n").find((l) => pattern.test(l));
            if (line !== undefined) {
                child.stdout?.off("data", onData);
                resolve(line);
            }
        };
        child.stdout?.on("data", onData);
        child.once("exit", (code) => reject(new Error(`exited ${code} before a line matched ${pattern}: ${buffer}`)));
    });
}

describe("canary stack: the Automation API adapter against a stand-in pulumi CLI", function () {
    this.timeout(30_000);
    let dir: string;
    let saved: NodeJS.ProcessEnv;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stand-in-pulumi-"));
        saved = { ...process.env };
        process.env.STAND_IN_DIR = dir;
        process.env.PATH = `${standInBin(dir)}${path.delimiter}${saved.PATH}`;
        delete process.env.PULUMI_CONFIG_PASSPHRASE;
        delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    });
    afterEach(() => {
        // Back to the saved environment in place (the process's env object stays the same one).
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const calls = (): string[] => fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    const ups = (): string[] => (fs.existsSync(path.join(dir, "ups")) ? fs.readFileSync(path.join(dir, "ups"), "utf8").trim().split("\n") : []);

    it("selects the stack, reads and sets this project's config, runs up with the pack and the stack's policy config, reads the outputs", async () => {
        fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ "openagents-rust-lanes:controlCanaryPercent": { value: "5", secret: false } }));
        const stack = await automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" });
        assert.equal(await stack.getConfig("controlCanaryPercent"), "5");
        await stack.setConfig("controlCanaryPercent", "25");
        assert.equal(await stack.getConfig("controlCanaryPercent"), "25");
        const up = await stack.up({});
        assert.deepEqual({ result: up.result, changes: up.changes }, { result: "succeeded", changes: { update: 1, same: 11 } });
        assert.equal((await stack.outputs()).controlRevision, "openagents-control-service-9e8d7c6-a1b2c3");
        assert.equal(stack.stackFile, path.join(REPO, "Pulumi.prod.yaml"));
        const sent = calls();
        assert.ok(sent.includes("stack select --stack prod --non-interactive"), sent.join("\n"));
        assert.ok(sent.includes("config set controlCanaryPercent --stack prod --plaintext --non-interactive -- 25"));
        const upCall = sent.find((c) => c.startsWith("up "));
        assert.ok(upCall, "an up was sent");
        assert.match(upCall, /--yes --skip-preview/);
        assert.ok(upCall.includes(`--policy-pack ${path.join(REPO, "policies")}`));
        assert.ok(upCall.includes(`--policy-pack-config ${path.join(REPO, ".github", "policy-config", "prod.json")}`));
        assert.match(upCall, /--stack prod/);
        assert.deepEqual(ups(), ["succeeded"]);
    });

    it("the committed stack files decrypt without a passphrase (their secrets provider is named); one without it fails as the CLI does, and says what to commit", async () => {
        for (const name of ["prod", "staging"]) {
            const stack = await automationStack({ projectDir: REPO, stackName: name, environment: name === "prod" ? "prod" : "staging" });
            await stack.outputs();
        }
        const bare = projectWith(dir, fs.readFileSync(path.join(REPO, "Pulumi.prod.yaml"), "utf8").replace(/^(secretsprovider|encryptedkey):.*\n/gm, ""));
        const stack = await automationStack({ projectDir: bare, stackName: "prod", environment: "prod" });
        await assert.rejects(stack.up({}), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "secrets");
            assert.match(error.message, /passphrase must be set with PULUMI_CONFIG_PASSPHRASE/);
            assert.match(error.message, /commit its secretsprovider and encryptedkey lines/);
            return true;
        });
        assert.deepEqual(ups(), [], "no update started");
    });

    it("errors are classified by the SDK's types: a missing stack is not a missing CLI, a lock is a lock", async () => {
        process.env.STAND_IN_STACKS = "staging";
        await assert.rejects(automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" }), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "not-found");
            assert.match(error.message, /^pulumi stack select prod failed: error: no stack named 'prod' found \(stack prod does not exist in this backend/);
            return true;
        });
        process.env.STAND_IN_STACKS = "prod";
        fs.writeFileSync(path.join(dir, "lock"), "");
        const stack = await automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" });
        await assert.rejects(stack.up({}), (error: unknown) => error instanceof StackError && error.kind === "locked" && /pulumi cancel --stack prod/.test(error.message));
    });

    it("a failed up is a StackError of its kind, with the CLI's error line", async () => {
        process.env.STAND_IN_POLICY_VIOLATION = "canary-ladder  (gcp:cloudrunv2/service:Service: control)";
        const stack = await automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" });
        await assert.rejects(stack.up({}), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "policy");
            assert.equal(error.message, "pulumi up failed: mandatory policy violation: openagents-rust-lanes@v0.1.0 [mandatory]  canary-ladder  (gcp:cloudrunv2/service:Service: control)");
            return true;
        });
        delete process.env.STAND_IN_POLICY_VIOLATION;
        // A provider's error naming a policy in passing is no policy verdict.
        process.env.STAND_IN_UP_ERROR = "googleapi: Error 503: backend unavailable (policy violation check skipped)";
        await assert.rejects(stack.up({}), (error: unknown) => error instanceof StackError && error.kind === "command");
    });

    it("without the Pulumi CLI: one line that says what to install", async () => {
        process.env.PATH = path.join(dir, "empty");
        await assert.rejects(automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" }), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "cli-missing");
            assert.match(error.message, /^the Pulumi CLI is not on PATH: install it/);
            assert.ok(!error.message.includes("\n"));
            return true;
        });
    });

    it("the deployer's credentials file goes to the CLI alone", () => {
        assert.deepEqual(cliEnv({ DEPLOY_GOOGLE_APPLICATION_CREDENTIALS: "/tmp/deployer.json", GOOGLE_APPLICATION_CREDENTIALS: "/tmp/reader.json" }), {
            GOOGLE_APPLICATION_CREDENTIALS: "/tmp/deployer.json",
            CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: "/tmp/deployer.json",
        });
        assert.deepEqual(cliEnv({ GOOGLE_APPLICATION_CREDENTIALS: "/tmp/reader.json" }), {});
    });

    describe("Ctrl-C on a terminal: a SIGINT to the whole process group", () => {
        /** The driver (node, the rollout's signal stages) as a terminal's foreground process group of its own; its up runs until `finish` exists. */
        function driver(finish: string): ChildProcess {
            const env = { ...process.env, STAND_IN_UP_UNTIL: finish, STAND_IN_UP_STEP_MS: "50" };
            return spawn(process.execPath, ["-r", "sucrase/register/ts", DRIVER, REPO, "prod"], { cwd: REPO, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        }
        const group = (child: ChildProcess): void => void process.kill(-(child.pid as number), "SIGINT");
        /** Resolves once the child's stderr has said `text`. */
        const said = (child: ChildProcess, text: string): Promise<void> =>
            new Promise((resolve) => {
                let buffer = "";
                child.stderr?.on("data", (d: Buffer) => {
                    buffer += d.toString("utf8");
                    if (buffer.includes(text)) resolve();
                });
            });

        it("a first signal lets the up finish: the CLI never sees it", async () => {
            const finish = path.join(dir, "finish-up");
            const child = driver(finish);
            const verdict = lineOf(child, /^up /);
            const heard = said(child, "stopping at the current rung");
            await lineOf(child, /^started$/);
            group(child);
            // The signal provably landed during the up: the driver heard it; only then may the up end.
            await heard;
            fs.writeFileSync(finish, "");
            assert.equal(await verdict, "up succeeded");
            assert.deepEqual(ups(), ["succeeded"]);
        });

        it("a closed terminal (SIGHUP, its output gone) lets the up finish: a write to the closed output never crashes the run into cancelling it", async () => {
            const finish = path.join(dir, "finish-up");
            const env = { ...process.env, STAND_IN_UP_UNTIL: finish, STAND_IN_UP_STEP_MS: "20", DRIVER_ECHO: "1" };
            const child = spawn(process.execPath, ["-r", "sucrase/register/ts", DRIVER, REPO, "prod"], { cwd: REPO, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
            const heard = said(child, "stopping at the current rung");
            await lineOf(child, /^started$/);
            // The terminal goes away: its output closes, then the hang-up reaches the whole group.
            child.stdout?.destroy();
            process.kill(-(child.pid as number), "SIGHUP");
            await heard;
            // The up keeps printing into the closed output (a line every 20 ms, each an EPIPE): the
            // run either crashes on the first of them or lives through 15 of them.
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 300))]);
            fs.writeFileSync(finish, "");
            await exited;
            assert.deepEqual(ups(), ["succeeded"], "the up ran to its end");
        });

        it("Ctrl-C under `npm run` (the terminal's SIGINT and npm's forwarded copy) is one signal: the up finishes", async () => {
            // npm forwards the SIGINT it gets from the terminal to its child (@npmcli/run-script
            // lib/signal-manager.js), so node hears the same Ctrl-C twice, milliseconds apart.
            const pkg = path.join(dir, "pkg");
            fs.mkdirSync(pkg);
            const drive = `exec ${JSON.stringify(process.execPath)} -r ${path.join(REPO, "node_modules", "sucrase", "register", "ts.js")} ${DRIVER} ${REPO} prod`;
            fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "drive", version: "1.0.0", private: true, scripts: { drive } }));
            const finish = path.join(dir, "finish-up");
            const env = { ...process.env, STAND_IN_UP_UNTIL: finish, STAND_IN_UP_STEP_MS: "50", npm_config_update_notifier: "false" };
            const npm = spawn("npm", ["run", "--silent", "drive"], { cwd: pkg, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            const verdict = lineOf(npm, /^up /);
            let stages = "";
            const heard = new Promise<void>((resolve) =>
                npm.stderr?.on("data", (d: Buffer) => {
                    stages += d.toString("utf8");
                    if (stages.includes("stopping at the current rung")) resolve();
                }),
            );
            await lineOf(npm, /^started$/);
            group(npm);
            await heard;
            // npm's copy arrives within milliseconds; give it the time of 4 of the up's steps to land before the up may end.
            await new Promise((resolve) => setTimeout(resolve, 200));
            fs.writeFileSync(finish, "");
            assert.equal(await verdict, "up succeeded", stages);
            assert.doesNotMatch(stages, /cancelling the up in progress/);
            assert.deepEqual(ups(), ["succeeded"]);
        });

        it("a second signal cancels the up gracefully (one SIGINT reaches the CLI: cancel, not terminate)", async () => {
            // The up never ends by itself: only the cancel stops it.
            const child = driver(path.join(dir, "never"));
            const verdict = lineOf(child, /^up /);
            const stages = new Promise<void>((resolve) => {
                let said = "";
                child.stderr?.on("data", (d: Buffer) => {
                    said += d.toString("utf8");
                    if (said.includes("stopping at the current rung")) {
                        said = "";
                        // A person's second Ctrl-C: later than npm's forwarded copy of the first (SAME_SIGNAL_MS).
                        setTimeout(() => group(child), SAME_SIGNAL_MS + 50);
                    }
                    if (said.includes("cancelling the up in progress")) resolve();
                });
            });
            await lineOf(child, /^started$/);
            group(child);
            await stages;
            assert.match(await verdict, /^up failed command: pulumi up failed: error: update canceled/);
            assert.deepEqual(ups(), ["canceled"]);
        });
    });
});

// khala-contract-tests and cross-surface-contract-harness: commands run in a checkout of the
// OpenAgents repository (OPENAGENTS_REPO). The old gate passed a cargo test filter that matched
// nothing (exit 0, zero tests): here the test runner's own count is read, and zero tests run is a
// failure. Output streams into the check's log as it comes.

import { spawn } from "node:child_process";
import { terminateGroup, trackGroup } from "../children";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Check, type CheckContext, type CheckVerdict, defineCheck } from "../check";
import { SECRET_ENV_VARS } from "../option-table";

/** The registry entries: the checks wired to the gate's options. */
export const khalaContractTests = defineCheck({
    id: "khala-contract-tests",
    required: true,
    build: (options) => khalaContractTestsCheck({ repo: options.openagentsRepo, enabled: options.runKhalaContractTests }),
});
export const crossSurfaceContractHarness = defineCheck({
    id: "cross-surface-contract-harness",
    required: false,
    build: (options) => crossSurfaceHarnessCheck({ repo: options.openagentsRepo, enabled: options.runCrossSurface }),
});

/** The Khala topic contract tests, as the old gate ran them (7 tests matched on 2026-02-21). */
export const KHALA_FILTER = "server::tests::khala_topic_messages";
export const KHALA_COMMAND = ["cargo", "test", "--manifest-path", "apps/runtime/Cargo.toml", KHALA_FILTER, "--", "--nocapture"] as const;
export const CROSS_SURFACE_SCRIPT = "scripts/run-cross-surface-contract-harness.sh";

export interface TestCounts {
    passed: number;
    failed: number;
    ignored: number;
    filteredOut: number;
    /** "test result:" lines seen (one per test binary, doc-tests included). */
    suites: number;
    /**
     * "test result:" lines that no "running N tests" header announced with the same total: a
     * line the suite printed itself, not libtest's. Such counts prove nothing.
     */
    unannounced: number;
    /** The names of libtest's "test NAME ... RESULT" lines: the tests that actually ran. */
    testNames: string[];
}

// libtest's own lines (library/test/src/formatters/pretty.rs, console.rs): a header per binary,
// one line per test, one summary per binary whose total is the header's.
const RESULT_LINE = /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured; (\d+) filtered out/;
const RUNNING_LINE = /^running (\d+) tests?$/;
// Threaded, the whole line is written at the end; single-threaded, "test NAME ... " is written at
// the start and the test's own output (--nocapture) may follow it before the result.
const TEST_LINE = /^test (\S+) \.\.\. /;

export function emptyCounts(): TestCounts {
    return { passed: 0, failed: 0, ignored: 0, filteredOut: 0, suites: 0, unannounced: 0, testNames: [] };
}

/** Adds one line of cargo test output to the counts (libtest's own lines). */
export function addTestResultLine(counts: TestCounts, line: string, state: { announced?: number } = {}): void {
    const running = RUNNING_LINE.exec(line);
    if (running) {
        state.announced = Number(running[1]);
        return;
    }
    const test = TEST_LINE.exec(line);
    if (test) {
        counts.testNames.push(test[1]);
        return;
    }
    const m = RESULT_LINE.exec(line);
    if (!m) return;
    const [passed, failed, ignored, measured] = [1, 2, 3, 4].map((i) => Number(m[i]));
    if (state.announced !== passed + failed + ignored + measured) counts.unannounced += 1;
    state.announced = undefined;
    counts.passed += passed;
    counts.failed += failed;
    counts.ignored += ignored;
    counts.filteredOut += Number(m[5]);
    counts.suites += 1;
}

export function countTests(output: string): TestCounts {
    const counts = emptyCounts();
    const state = {};
    for (const line of output.split(/\r?\n/)) addTestResultLine(counts, line, state);
    return counts;
}

export interface CommandRun {
    /** Exit code; null when killed by a signal. */
    code: number | null;
    signal: NodeJS.Signals | null;
    counts: TestCounts;
    /** Set when the command could not be started at all (ENOENT...). */
    spawnError?: string;
}

/** Runs a command in `cwd`, streaming its lines into the log; killed (whole process group) on abort. */
export function runCommand(ctx: CheckContext, command: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandRun> {
    return new Promise((resolve) => {
        const counts = emptyCounts();
        ctx.log(`$ (cd ${cwd} && ${command.join(" ")})`);
        const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        const untrack = child.pid ? trackGroup(child.pid) : () => undefined;
        const kill = (): void => {
            if (child.pid) terminateGroup(child.pid);
        };
        if (ctx.signal.aborted) kill();
        ctx.signal.addEventListener("abort", kill, { once: true });
        for (const stream of [child.stdout, child.stderr]) {
            let pending = "";
            // Per stream: libtest's header and its summary come on the same one.
            const state = {};
            stream.setEncoding("utf8");
            stream.on("data", (chunk: string) => {
                pending += chunk;
                const lines = pending.split(/\r?\n/);
                pending = lines.pop() ?? "";
                for (const line of lines) {
                    ctx.log(line);
                    addTestResultLine(counts, line, state);
                }
            });
            stream.on("end", () => {
                if (pending) {
                    ctx.log(pending);
                    addTestResultLine(counts, pending, state);
                }
            });
        }
        let settled = false;
        const done = (run: CommandRun): void => {
            if (settled) return;
            settled = true;
            untrack();
            ctx.signal.removeEventListener("abort", kill);
            resolve(run);
        };
        child.on("error", (err: NodeJS.ErrnoException) => {
            const why = err.code === "ENOENT" ? `'${command[0]}' not found on PATH` : err.message;
            done({ code: null, signal: null, counts, spawnError: why });
        });
        child.on("close", (code, signal) => done({ code, signal, counts }));
    });
}

/**
 * Credentials a process may carry without the gate reading them: Google's (a credentials file,
 * gcloud's override, the deployer's file a rollout hands to pulumi, google-github-actions/auth's
 * path), GitHub Actions' OIDC request token (any step of an `id-token: write` job can exchange it
 * for a Google identity: actions/runner#1287), GitHub tokens, a push remote with a token in it,
 * Pulumi's access token.
 */
export const AMBIENT_CREDENTIAL_VARS = [
    "GOOGLE_APPLICATION_CREDENTIALS",
    "google_application_credentials",
    "DEPLOY_GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE",
    "CLOUDSDK_AUTH_ACCESS_TOKEN",
    "GOOGLE_GHA_CREDS_PATH",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "REMOTE",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE",
] as const;

/** The environment without the gate's secrets or any ambient credential: another repository's tests have no use for them. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const out = { ...env };
    for (const name of [...SECRET_ENV_VARS, ...AMBIENT_CREDENTIAL_VARS]) delete out[name];
    return out;
}

/** Judges a test command by its exit code and by the runner's own count. */
export function judgeTestRun(run: CommandRun, what: string, options: { requireCount: boolean; filter?: string }): CheckVerdict {
    const c = run.counts;
    const tally = `${c.passed} passed, ${c.failed} failed, ${c.ignored} ignored, ${c.filteredOut} filtered out`;
    const action = "run the command in the OpenAgents checkout, fix the failing or missing tests, then re-run";
    if (run.spawnError) return { status: "failed", cause: `${what} could not start: ${run.spawnError}`, action };
    if (run.signal) return { status: "failed", cause: `${what} was killed by ${run.signal} (deadline or interrupt) after ${tally}`, action };
    if (run.code !== 0) return { status: "failed", cause: `${what} exited ${run.code}${c.suites ? `: ${tally}` : ""}`, action };
    if (c.unannounced > 0) {
        return {
            status: "failed",
            cause: `${what} printed ${c.unannounced} 'test result:' line(s) that no 'running N tests' header announced with that total: the count is not libtest's and proves nothing`,
            action,
        };
    }
    if (c.suites === 0) {
        if (options.requireCount) return { status: "failed", cause: `${what} exited 0 but printed no 'test result:' line: cannot tell how many tests ran`, action };
        return { status: "passed", cause: `${what} exited 0`, warnings: [`${what} reported no test count: judged by its exit code only`] };
    }
    if (c.passed + c.failed === 0) {
        const filter = options.filter ? ` the filter '${options.filter}'` : "";
        return { status: "failed", cause: `${what}:${filter} ran zero tests (${c.filteredOut} filtered out): a run of nothing is not a pass`, action };
    }
    if (c.failed > 0) return { status: "failed", cause: `${what}: ${tally}`, action };
    if (options.filter) {
        // Judged on the tests the filter names: libtest runs only those, and says so per test.
        const named = c.testNames.filter((n) => n.includes(options.filter!)).length;
        const others = c.testNames.length - named;
        if (named === 0 || others > 0) {
            return {
                status: "failed",
                cause: `${what}: the summary says ${c.passed} passed, but ${named} test(s) named by the filter '${options.filter}' ran${others ? ` and ${others} it does not name did` : ""}: the count is not the filter's`,
                action,
            };
        }
    }
    return { status: "passed", cause: tally };
}

export interface ContractCheckOptions {
    /** The OpenAgents checkout; undefined = skip with the reason. */
    repo?: string;
    /** False when the toggle turned the check off. */
    enabled: boolean;
    env?: NodeJS.ProcessEnv;
}

function repoProblem(repo: string, mustExist: string): string | undefined {
    try {
        if (!fs.statSync(repo).isDirectory()) return `OPENAGENTS_REPO '${repo}' is not a directory`;
    } catch {
        return `OPENAGENTS_REPO '${repo}' does not exist`;
    }
    if (!fs.existsSync(path.join(repo, mustExist))) return `OPENAGENTS_REPO '${repo}' is not an OpenAgents checkout: ${mustExist} is missing`;
    return undefined;
}

export function khalaContractTestsCheck(options: ContractCheckOptions): Check {
    const skipReason = !options.enabled
        ? "disabled by RUN_KHALA_CONTRACT_TESTS=0"
        : !options.repo
          ? "OPENAGENTS_REPO is not set: no OpenAgents checkout to run the Khala contract tests in"
          : undefined;
    return {
        id: khalaContractTests.id,
        required: khalaContractTests.required,
        description: `runtime Khala topic contract tests (cargo test ${KHALA_FILTER}); zero tests run fails`,
        command: KHALA_COMMAND.join(" "),
        skipReason,
        skipAction: options.enabled ? "set OPENAGENTS_REPO (or --openagents-repo) to a checkout of the OpenAgents repository" : "set RUN_KHALA_CONTRACT_TESTS=1",
        async run(ctx) {
            const repo = options.repo as string;
            const problem = repoProblem(repo, "apps/runtime/Cargo.toml");
            if (problem) return { status: "failed", cause: problem };
            const run = await runCommand(ctx, KHALA_COMMAND, repo, withoutSecrets(options.env ?? process.env));
            return judgeTestRun(run, "cargo test", { requireCount: true, filter: KHALA_FILTER });
        },
    };
}

export function crossSurfaceHarnessCheck(options: ContractCheckOptions): Check {
    const skipReason = !options.enabled ? "off by default (RUN_CROSS_SURFACE=0)" : !options.repo ? "OPENAGENTS_REPO is not set: no OpenAgents checkout to run the cross-surface harness in" : undefined;
    return {
        id: crossSurfaceContractHarness.id,
        required: crossSurfaceContractHarness.required,
        description: "cross-surface contract harness of the OpenAgents repository (optional)",
        command: `bash ${CROSS_SURFACE_SCRIPT}`,
        skipReason,
        skipAction: options.enabled ? "set OPENAGENTS_REPO to a checkout of the OpenAgents repository" : "set RUN_CROSS_SURFACE=1 to run it",
        async run(ctx) {
            const repo = options.repo as string;
            const problem = repoProblem(repo, CROSS_SURFACE_SCRIPT);
            if (problem) return { status: "failed", cause: problem };
            const run = await runCommand(ctx, ["bash", CROSS_SURFACE_SCRIPT], repo, withoutSecrets(options.env ?? process.env));
            // The harness may run more than cargo: its exit code rules, and a count it prints must not be zero.
            return judgeTestRun(run, CROSS_SURFACE_SCRIPT, { requireCount: false });
        },
    };
}

// The gate as CI runs it: a process started from nothing (node, the TypeScript loader, the gate)
// running every check of both environments, against services and Google API stand-ins that answer
// every request after 200 ms. Its wall time is compared with the sum of its request times (what a
// run one request after another would take) and with its longest chain of dependent requests
// (what no amount of concurrency can beat).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fakeOpenAgentsRepo } from "../test/validation/cloud/fake-openagents";
import { REPO_ROOT, cleanEnv, filesUnder, tempDir } from "../test/validation/fixtures/cli";
import { healthyEnvironment } from "../test/validation/fixtures/healthy";
import { CHECKS } from "../validation/checks";
import type { Bench } from "./figure";

const DELAY_MS = 200;
const RUNS = 3;

interface Measured {
    wallMs: number;
    requestMs: number;
    requests: number;
    slowestCheckMs: number;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; wallMs: number; output: string }> {
    const started = performance.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["-r", "sucrase/register/ts", path.join(REPO_ROOT, "validation", "cli.ts"), ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("close", (code) => resolve({ code, wallMs: performance.now() - started, output }));
    });
}

/** Every request's duration, from the logs' "METHOD url -> status (N ms, ...)" lines. */
function requestTimes(outputDir: string): number[] {
    const times: number[] = [];
    for (const file of filesUnder(path.join(outputDir, "logs"))) {
        for (const m of fs.readFileSync(file, "utf8").matchAll(/ -> \d{3} \((\d+) ms, /g)) times.push(Number(m[1]));
    }
    return times;
}

const bench: Bench = async () => {
    const h = await healthyEnvironment(DELAY_MS);
    const fake = fakeOpenAgentsRepo("pass");
    try {
        const runs: Measured[] = [];
        for (let i = 0; i < RUNS; i++) {
            const out = tempDir("gate-bench-");
            const env = cleanEnv({ ...h.env({ RUN_KHALA_CONTRACT_TESTS: "1" }), PATH: fake.path, OPENAGENTS_REPO: fake.repo });
            const run = await runCli(["--output-dir", out], env);
            if (run.code !== 0) throw new Error(`bench run was not GO (exit ${run.code}):\n${run.output}`);
            const times = requestTimes(out);
            const results = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as { checks: Array<{ durationMs: number }> };
            runs.push({ wallMs: run.wallMs, requestMs: times.reduce((a, b) => a + b, 0), requests: times.length, slowestCheckMs: Math.max(...results.checks.map((c) => c.durationMs)) });
            fs.rmSync(out, { recursive: true, force: true });
        }
        runs.sort((a, b) => a.wallMs - b.wallMs);
        const median = runs[Math.floor(runs.length / 2)];
        return [
            {
                name: `gate wall time, process start included, all ${CHECKS.length} checks, ${median.requests} requests each answered after ${DELAY_MS} ms (median of ${RUNS})`,
                measured: median.wallMs,
                baselineLabel: "sum of its request times (one request after another)",
                baseline: median.requestMs,
                unit: "ms",
                goalRatio: 0.25,
            },
            {
                name: "gate wall time against its longest chain of dependent requests",
                measured: median.wallMs,
                baselineLabel: "the slowest check in the same run (its chain of dependent requests)",
                baseline: median.slowestCheckMs,
                unit: "ms",
            },
        ];
    } finally {
        fake.cleanup();
        await h.close();
    }
};

export default bench;

// The suite should not wait: `npm test` from a fresh clone, as .ci/run runs it (a clone of the
// committed HEAD, `npm ci`, then `npm test` with CI=true and the metadata server off), at most
// 45 s of wall time on a 2-core machine. The install is set-up, not timed. The baseline is the
// CPU time the run spent (every process it started, user + system) spread over the machine's
// cores: the wall a run with no waiting and perfect packing would take; the gap between the two
// is time spent sleeping, or a core left idle while the last files run.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench } from "./figure";
import { ROOT } from "./lib/timing";

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux), else undefined. */
function childrenCpuSeconds(): number | undefined {
    try {
        // Fields after the command name's closing parenthesis; cutime and cstime are fields 16 and 17.
        const stat = fs.readFileSync("/proc/self/stat", "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[13]) + Number(fields[14]);
        const hz = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
        return ticks / hz;
    } catch {
        return undefined;
    }
}

/** Runs a command; `complete` says whether its exit still means a whole run (default: exit 0). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, complete: (code: number | null, stdout: string) => boolean = (code) => code === 0): { ms: number; stdout: string } {
    const started = performance.now();
    const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    const ms = performance.now() - started;
    if (!complete(r.status, r.stdout)) throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${(r.stdout + r.stderr).slice(-1500)}`);
    return { ms, stdout: r.stdout };
}

const bench: Bench = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-suite-"));
    try {
        const repo = path.join(dir, "repo");
        const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", METADATA_SERVER_DETECTION: "none", PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
        const dirty = spawnSync("git", ["-C", ROOT, "status", "--porcelain"], { encoding: "utf8" }).stdout.trim();
        if (dirty) process.stdout.write("note: the working tree has uncommitted changes; the clone runs the committed HEAD\n");
        run("git", ["clone", "-q", "--no-local", ROOT, repo], dir, env);
        run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], repo, env);
        const [load1] = os.loadavg();
        const cpuBefore = childrenCpuSeconds();
        // Mocha exits with the number of failing tests: a run that reached its summary is a whole run,
        // whose time counts (the failures are printed).
        const { ms, stdout } = run("npm", ["test"], repo, env, (_code, out) => /\d+ passing/.test(out));
        const cpuAfter = childrenCpuSeconds();
        const passing = /(\d+) passing/.exec(stdout)?.[1] ?? "?";
        const failing = /(\d+) failing/.exec(stdout)?.[1] ?? "0";
        const cores = os.cpus().length;
        process.stdout.write(`${passing} tests passing, ${failing} failing; load average at start ${load1.toFixed(2)} on ${cores} core(s)\n`);
        const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : Number.NaN;
        if (Number.isFinite(cpu)) process.stdout.write(`CPU time of the run: ${cpu.toFixed(1)} s (user + system, every process)\n`);
        return Promise.resolve([
            {
                name: "npm test from a fresh clone (as .ci/run runs it), wall time",
                measured: ms / 1000,
                baselineLabel: `the run's CPU time over ${cores} core(s) (no waiting, perfect packing)`,
                baseline: cpu / cores,
                unit: "s",
                goal: { atMost: 45 },
            },
        ]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
};

export default bench;

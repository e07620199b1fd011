// Timing helpers for the benchmarks: wall time of a child process or an async function, as the
// median of several runs so one slow run on a busy machine does not decide the figure.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time, in ms, of a command run from the project root; throws if it fails. */
export function timeCommand(command: string, args: string[], runs: number, okCodes: number[] = [0]): number {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const r = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, METADATA_SERVER_DETECTION: "none" } });
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (!okCodes.includes(r.status ?? -1)) throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
    }
    return median(times);
}

/** Median wall time, in ms, of an async function. */
export async function timeAsync(fn: () => Promise<unknown>, runs: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        await fn();
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return median(times);
}

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

export interface Command {
    command: string;
    args: string[];
    /** Exit codes that still mean a complete run (default [0]). */
    okCodes?: number[];
}

function timeOnce({ command, args, okCodes = [0] }: Command): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, METADATA_SERVER_DETECTION: "none" } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!okCodes.includes(r.status ?? -1)) throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
    return ms;
}

/**
 * Median wall times, in ms, of commands run from the project root in turn (one of each per
 * round); throws if one fails. Interleaved: on a machine others share, a burst of load then
 * weighs on every command instead of on whichever ran during it.
 */
export function timeCommands(commands: Command[], runs: number): number[] {
    const times: number[][] = commands.map(() => []);
    for (let i = 0; i < runs; i++) commands.forEach((c, k) => times[k].push(timeOnce(c)));
    return times.map(median);
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

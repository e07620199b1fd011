// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints
// each figure as a ratio against the baseline measured in the same run. Exit 1 when a figure
// misses its goal, so a regression is visible; the numbers are for people, not for CI.
import { readdirSync } from "node:fs";
import * as path from "node:path";
import type { Bench, BenchFigure } from "./figure";

/** Whether a figure misses its goal (a ratio to its baseline, or bounds on the value itself). */
function missed(f: BenchFigure): boolean {
    if (f.goal) return (f.goal.atMost !== undefined && f.measured > f.goal.atMost) || (f.goal.atLeast !== undefined && f.measured < f.goal.atLeast);
    return f.goalRatio !== undefined && f.measured / f.baseline > f.goalRatio;
}

function format(f: BenchFigure): string {
    if (f.goal) {
        const bounds = [f.goal.atMost !== undefined ? `<= ${f.goal.atMost}` : "", f.goal.atLeast !== undefined ? `>= ${f.goal.atLeast}` : ""].filter(Boolean).join(", ");
        return [`${f.name}: ${f.measured.toFixed(2)} ${f.unit}  (goal ${bounds}: ${missed(f) ? "MISSED" : "met"})`, `  vs ${f.baselineLabel}: ${f.baseline.toFixed(2)} ${f.unit}`].join("\n");
    }
    const ratio = f.measured / f.baseline;
    const goal = f.goalRatio === undefined ? "" : ratio <= f.goalRatio ? `  (goal <= ${f.goalRatio}x: met)` : `  (goal <= ${f.goalRatio}x: MISSED)`;
    return [
        `${f.name}: ${f.measured.toFixed(0)} ${f.unit}`,
        `  vs ${f.baselineLabel}: ${f.baseline.toFixed(0)} ${f.unit}`,
        `  ratio ${ratio.toFixed(2)}x${goal}`,
    ].join("\n");
}

async function main(): Promise<number> {
    const only = process.argv.slice(2);
    const files = readdirSync(__dirname)
        .filter((f) => f.endsWith(".bench.ts"))
        .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, "")))
        .sort();
    if (files.length === 0) {
        process.stderr.write(`bench: nothing to run (have: ${readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts")).join(", ")})\n`);
        return 2;
    }
    let misses = 0;
    for (const file of files) {
        process.stdout.write(`== ${file}\n`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(__dirname, file)) as { default: Bench };
        for (const figure of await mod.default()) {
            process.stdout.write(`${format(figure)}\n`);
            if (missed(figure)) misses++;
        }
    }
    return misses > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(2);
    },
);

// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints
// each figure as a ratio against the baseline measured in the same run. Exit 1 when a figure
// misses its goal, so a regression is visible; the numbers are for people, not for CI.
// `--record` also writes what each bench printed into docs/benchmarks.md (its section, with the
// date, Node and the machine): the one place the docs state measured figures.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
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
    return [`${f.name}: ${f.measured.toFixed(0)} ${f.unit}`, `  vs ${f.baselineLabel}: ${f.baseline.toFixed(0)} ${f.unit}`, `  ratio ${ratio.toFixed(2)}x${goal}`].join("\n");
}

const BENCH_DOC = path.join(__dirname, "..", "docs", "benchmarks.md");

/** docs/benchmarks.md with one bench's section replaced by what it printed now. */
export function recordSection(doc: string, name: string, printed: string, when = new Date()): string {
    const begin = `<!-- bench:${name} -->`;
    const end = "<!-- /bench -->";
    const cpus = os.cpus();
    const section = [
        begin,
        `Recorded ${when.toISOString().slice(0, 10)} with Node ${process.version} on ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "unknown"}), \`npm run bench -- ${name} --record\`:`,
        "",
        "```text",
        printed.trimEnd(),
        "```",
        end,
    ].join("\n");
    const start = doc.indexOf(begin);
    if (start < 0) return `${doc.trimEnd()}\n\n## ${name}\n\n${section}\n`;
    const stop = doc.indexOf(end, start);
    return doc.slice(0, start) + section + doc.slice(stop + end.length);
}

async function main(): Promise<number> {
    const record = process.argv.includes("--record");
    const only = process.argv.slice(2).filter((a) => a !== "--record");
    const files = readdirSync(__dirname)
        .filter((f) => f.endsWith(".bench.ts"))
        .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, "")))
        .sort();
    if (files.length === 0) {
        process.stderr.write(
            `bench: nothing to run (have: ${readdirSync(__dirname)
                .filter((f) => f.endsWith(".bench.ts"))
                .join(", ")})\n`,
        );
        return 2;
    }
    let misses = 0;
    for (const file of files) {
        process.stdout.write(`== ${file}\n`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(__dirname, file)) as { default: Bench };
        const printed: string[] = [];
        // What a bench prints itself (the canary's table by sample size) is part of its record.
        const write = process.stdout.write.bind(process.stdout);
        process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
            printed.push(String(chunk).trimEnd());
            return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
        };
        let figures;
        try {
            figures = await mod.default();
        } finally {
            process.stdout.write = write;
        }
        for (const figure of figures) {
            printed.push(format(figure));
            process.stdout.write(`${format(figure)}\n`);
            if (missed(figure)) misses++;
        }
        if (record) writeFileSync(BENCH_DOC, recordSection(readFileSync(BENCH_DOC, "utf8"), file.replace(/\.bench\.ts$/, ""), printed.join("\n")));
    }
    return misses > 0 ? 1 : 0;
}

if (require.main === module)
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(2);
        },
    );

// How many cases each property runs: sized for CI (the whole fuzz suite stays well under a
// minute on 2 cores), or `npm run fuzz -- --runs N` for a long run. Seeds are printed by
// fast-check on a failure; `--seed S` replays one.
import * as fc from "fast-check";

function flag(name: string): number | undefined {
    const argv = process.argv;
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const raw = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
    const n = Number(raw);
    return Number.isInteger(n) ? n : undefined;
}

/** fast-check parameters for a property whose CI run count is `ci`. */
export function params<T>(ci: number): fc.Parameters<T> {
    const runs = flag("runs");
    const seed = flag("seed");
    return { numRuns: runs !== undefined && runs > 0 ? runs : ci, ...(seed !== undefined ? { seed } : {}) };
}

/** Figures of one property's run, printed after it: what docs/reliability.md reports. */
export class Tally {
    cases = 0;
    crashes = 0;
    hangs = 0;
    slowestMs = 0;
    readonly byOutcome = new Map<string, number>();

    record(outcome: string, ms: number, bound: number): void {
        this.cases += 1;
        this.slowestMs = Math.max(this.slowestMs, ms);
        if (ms > bound) this.hangs += 1;
        if (outcome === "crash") this.crashes += 1;
        this.byOutcome.set(outcome, (this.byOutcome.get(outcome) ?? 0) + 1);
    }

    summary(what: string): string {
        const outcomes = [...this.byOutcome]
            .sort()
            .map(([k, v]) => `${k} ${v}`)
            .join(", ");
        return `fuzz ${what}: ${this.cases} cases (${outcomes}), ${this.crashes} crashes, ${this.hangs} hangs, slowest ${this.slowestMs} ms`;
    }
}

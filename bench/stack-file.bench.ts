// The stack-file reader is one linear pass: 40,000 config keys cost about 4x what 10,000 do
// (YAML's own duplicate-key check is quadratic, which is why it is off and ours is a Set).
// Median of 5 runs each, interleaved, after a warm-up.
import type { Bench } from "./figure";
import { parseStackFile, readProjectFile } from "../review/stack-files";

const RUNS = 5;

function text(keys: number): string {
    return `config:\n${Array.from({ length: keys }, (_, i) => `  openagents-rust-lanes:k${i}: "v${i}"`).join("\n")}\n`;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const bench: Bench = () => {
    const project = readProjectFile();
    const small = text(10_000);
    const large = text(40_000);
    const time = (t: string) => {
        const started = process.hrtime.bigint();
        parseStackFile("Pulumi.bench.yaml", t, project);
        return Number(process.hrtime.bigint() - started) / 1e6;
    };
    time(small);
    const smallRuns: number[] = [];
    const largeRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        smallRuns.push(time(small));
        largeRuns.push(time(large));
    }
    const baseline = median(smallRuns);
    return Promise.resolve([
        {
            name: "stack file with 40,000 keys, read and checked",
            measured: median(largeRuns),
            baselineLabel: "the same with 10,000 keys x 4 (linear)",
            baseline: baseline * 4,
            unit: "ms",
            goalRatio: 1.5,
        },
    ]);
};

export default bench;

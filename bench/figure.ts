// The contract between `npm run bench` (bench/run.ts) and each benchmark: every
// bench/<name>.bench.ts default-exports a function that measures, in this same run, a figure
// and the baseline it is compared with, so the printed ratio holds on any machine.

export interface BenchFigure {
    /** What was measured, e.g. "review, both stacks". */
    name: string;
    /** Measured value (milliseconds unless unit says otherwise). */
    measured: number;
    /** What it is compared with, e.g. "bare require of @pulumi/pulumi + @pulumi/gcp". */
    baselineLabel: string;
    /** Baseline value, measured in the same run, same unit. */
    baseline: number;
    unit: "ms" | "s" | "MiB" | "%" | "min";
    /** The goal as a ceiling on measured/baseline, when the issue sets one. */
    goalRatio?: number;
    /** The goal as bounds on the measured value itself (for rates, where a ratio means little). */
    goal?: { atMost?: number; atLeast?: number };
}

export type Bench = () => Promise<BenchFigure[]>;

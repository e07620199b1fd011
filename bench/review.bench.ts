// The offline review should cost about what loading the Pulumi SDKs costs: its wall time for
// both stacks (through `npm run`, as a user starts it) against a bare require of the SDKs.
import type { Bench } from "./figure";
import { timeCommands } from "./lib/timing";

// Medians of 9 interleaved runs: the 2x goal sits close enough to the noise of a busy 2-core
// machine (run one after the other, the two medians moved the ratio between 1.6x and 2.9x).
const RUNS = 9;

const bench: Bench = () => {
    // Interleaved, so load on the machine hits all three alike.
    const [baseline, measured, diff] = timeCommands(
        [
            { command: process.execPath, args: ["-e", "require('@pulumi/pulumi'); require('@pulumi/gcp')"] },
            // Exit 1 means a mandatory policy violation: still a complete review run.
            { command: "npm", args: ["run", "-s", "review", "--", "--no-base"], okCodes: [0, 1] },
            // The diff against a ref runs the ref's program too: it should cost little more than one review.
            { command: "npm", args: ["run", "-s", "review", "--", "--base", "HEAD"], okCodes: [0, 1] },
        ],
        RUNS,
    );
    return Promise.resolve([
        {
            name: "npm run review, both stacks (plan + policy verdicts)",
            measured,
            baselineLabel: "node -e \"require('@pulumi/pulumi'); require('@pulumi/gcp')\"",
            baseline,
            unit: "ms",
            goalRatio: 2,
        },
        {
            name: "npm run review -- --base HEAD, both stacks (both programs, the diff, the verdicts)",
            measured: diff,
            baselineLabel: "npm run review, both stacks",
            baseline: measured,
            unit: "ms",
            goalRatio: 1.3,
        },
    ]);
};

export default bench;

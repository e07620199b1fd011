// The offline review should cost little more than loading the Pulumi SDKs: its wall time for
// both stacks with the diff against a base (through `npm run`, as a user starts it) against a
// bare require of the SDKs. The review keeps its TypeScript transforms and V8's code cache in
// node_modules/.cache (review/register.js), so the second figure compares it with the same
// require given the same code cache: what the review adds beyond the SDKs, like for like.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Bench } from "./figure";
import { timeCommands } from "./lib/timing";

// Medians of 9 interleaved runs: the goal sits close enough to the noise of a busy 2-core
// machine (run one after the other, two medians moved a ratio by 0.5x).
const RUNS = 9;
const SDKS = "require('@pulumi/pulumi'); require('@pulumi/gcp')";

const bench: Bench = () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bench-compile-cache-"));
    try {
        // Exit 1 means a mandatory violation or a change refused: still a complete review run.
        const review = { command: "npm", args: ["run", "-s", "review", "--", "--base", "HEAD"], okCodes: [0, 1] };
        const cachedFloor = { command: process.execPath, args: ["-e", `require('node:module').enableCompileCache(${JSON.stringify(cache)}); ${SDKS}`] };
        // One untimed run of each fills the caches, as any earlier review on this checkout has.
        timeCommands([review, cachedFloor], 1);
        const [floor, measured, floorCached] = timeCommands([{ command: process.execPath, args: ["-e", SDKS] }, review, cachedFloor], RUNS);
        return Promise.resolve([
            {
                name: "npm run review -- --base HEAD, both stacks (both programs, the diff, the policy verdicts)",
                measured,
                baselineLabel: `node -e "${SDKS}"`,
                baseline: floor,
                unit: "ms",
                goalRatio: 1.5,
            },
            {
                name: "the same review, against the SDKs' require with the same V8 code cache (like for like; no goal)",
                measured,
                baselineLabel: "node -e \"require('node:module').enableCompileCache(DIR); ...\"",
                baseline: floorCached,
                unit: "ms",
            },
        ]);
    } finally {
        fs.rmSync(cache, { recursive: true, force: true });
    }
};

export default bench;

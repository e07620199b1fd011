// The analysis' judging step alone: what was read (or why not) in, the problems and the decision
// out. No server, no clock: judgeCollected is a function of what collectStage returned.
import { strict as assert } from "node:assert";
import { type Collected, judgeCollected } from "../../canary/analyze";
import { CANARY_THRESHOLDS } from "../../catalog";

const C = "control-00002-new";
const S = "control-00001-old";
const options = { canaryRevision: C, stableRevision: S, canaryPercent: 5, thresholds: CANARY_THRESHOLDS, timeoutMs: 120_000 };
const counts = (canary: [number, number], stable: [number, number]) =>
    new Map([
        [C, { requests: canary[0], errors: canary[1] }],
        [S, { requests: stable[0], errors: stable[1] }],
    ]);
const read = (more: Partial<Collected> = {}): Collected => ({
    window: { start: new Date(0), end: new Date(600_000), ms: 600_000 },
    serving: [
        { revision: S, percent: 95 },
        { revision: C, percent: 5 },
    ],
    counts: counts([100_000, 0], [1_900_000, 0]),
    latencies: new Map(),
    queries: [],
    interrupted: false,
    timedOut: false,
    ...more,
});

describe("the analysis' judge (pure)", () => {
    it("a clean read has no problems", () => {
        assert.deepEqual(judgeCollected(options, read()).problems, []);
    });
    it("a split that is not the one judged is a problem naming what serves", () => {
        const { problems, judgement } = judgeCollected(options, read({ serving: [{ revision: S, percent: 100 }] }));
        assert.match(problems[0], /not the one judged: control-00001-old 100 % serve/);
        assert.notEqual(judgement.decision, "promote");
    });
    it("every failed read is its own problem, after an interrupt or a timeout", () => {
        const { problems, judgement } = judgeCollected(options, read({ timedOut: true, serving: { error: "503" }, counts: { error: "403 denied" }, latencies: { error: "x" } }));
        assert.deepEqual(problems, [
            "the reads did not finish within 120s",
            "the serving split could not be confirmed: 503",
            "request counts could not be read: 403 denied",
            "latencies could not be read: x",
        ]);
        assert.equal(judgement.decision, "hold");
    });
    it("an empty answer is no data, never zero errors; a missing revision is named", () => {
        assert.match(judgeCollected(options, read({ counts: new Map() })).problems[0], /no request_count series for either revision/);
        assert.deepEqual(judgeCollected(options, read({ counts: new Map([[S, { requests: 10, errors: 0 }]]) })).problems, [
            `no request_count series for ${C} in the window: no data (not zero errors)`,
        ]);
    });
    it("the rule given judges instead of the single-window judge", () => {
        let seen: unknown;
        judgeCollected(options, read(), (input) => {
            seen = input.canary;
            return judgeCollected(options, read()).judgement;
        });
        assert.deepEqual(seen, { revision: C, requests: 100_000, errors: 0, latency: undefined });
    });
});

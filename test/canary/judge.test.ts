// The judge's pure parts: exact binomial bounds, percentiles of every bucket layout, and the
// decision rule on its edges.
import { strict as assert } from "node:assert";
import { CANARY_ERROR_BUDGET, CANARY_SEQUENTIAL, CANARY_THRESHOLDS, type SequentialLevels, sequentialLevels } from "../../catalog";
import { bucketBounds, histogramQuantile, mergeHistograms, type Histogram } from "../../canary/histogram";
import { judgeStage, type RevisionObservation } from "../../canary/judge";
import { countAbove, judgeLook } from "../../canary/sequential";
import { countSequence, logRateSprt, rateBounds, rateSequence } from "../../canary/stats";
import { summarize } from "../../bench/canary-ladder.bench";
import { falsePromote, falseRollback, simulateLadder } from "../../bench/lib/ladder-sim";

const close = (actual: number, expected: number, tolerance: number, what: string): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

/** Samples spread over [lo, hi) ms in 10 ms linear buckets. */
function latency(n: number, lo: number, hi: number): Histogram {
    const bounds = Array.from({ length: 101 }, (_, i) => i * 10);
    const counts = new Array<number>(102).fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor((lo + ((hi - lo) * i) / n) / 10) + 1]++;
    return { bounds, counts, count: n };
}

function rev(revision: string, requests: number, errors: number, lo = 40, hi = 160): RevisionObservation {
    return { revision, requests, errors, latency: latency(requests, lo, hi) };
}

describe("canary statistics", () => {
    it("Clopper-Pearson one-sided 95 % bounds match the published values", () => {
        close(rateBounds(0, 299, 0.95).upper, 0.00997, 0.0001, "0/299 upper (rule of three)");
        close(rateBounds(2, 20, 0.95).lower, 0.01807, 0.0002, "2/20 lower");
        close(rateBounds(4, 100, 0.95).lower, 0.01371, 0.0002, "4/100 lower");
        close(rateBounds(1, 473, 0.95).upper, 0.01, 0.0002, "1/473 upper");
        assert.deepEqual(rateBounds(0, 0, 0.95), { rate: 0, lower: 0, upper: 1 });
        assert.equal(rateBounds(5, 5, 0.95).upper, 1);
    });

    it("bounds bracket the observed rate for every k of n", () => {
        for (const n of [1, 7, 100, 5000]) {
            for (const k of [0, 1, Math.floor(n / 3), n]) {
                const b = rateBounds(k, n, 0.95);
                assert.ok(b.lower <= b.rate && b.rate <= b.upper, `${k}/${n}`);
            }
        }
    });
});

describe("percentiles from histograms", () => {
    const histogram = (bounds: number[], counts: number[]): Histogram => ({ bounds, counts, count: counts.reduce((a, b) => a + b, 0) });

    it("reads exponential, linear and explicit bucketOptions", () => {
        assert.deepEqual(bucketBounds({ exponentialBuckets: { numFiniteBuckets: 3, growthFactor: 2, scale: 1 } }), [1, 2, 4, 8]);
        assert.deepEqual(bucketBounds({ linearBuckets: { numFiniteBuckets: 2, width: 10, offset: 5 } }), [5, 15, 25]);
        assert.deepEqual(bucketBounds({ explicitBuckets: { bounds: [1, 10, 100] } }), [1, 10, 100]);
        for (const bad of [
            {},
            { exponentialBuckets: { numFiniteBuckets: 3, growthFactor: 1, scale: 1 } },
            { explicitBuckets: { bounds: [3, 2] } },
            { linearBuckets: { numFiniteBuckets: 0, width: 1, offset: 0 } },
        ]) {
            assert.equal(bucketBounds(bad as never), undefined, JSON.stringify(bad));
        }
    });

    it("interpolates inside the bucket the quantile falls in, never a percentile of percentiles", () => {
        // 100 samples: 50 in [10, 20), 50 in [20, 30): p50 is 20, p95 is 29.
        const h = histogram([10, 20, 30], [0, 50, 50, 0]);
        close(histogramQuantile(h, 0.5)!.value, 20, 1e-9, "p50");
        close(histogramQuantile(h, 0.95)!.value, 29, 1e-9, "p95");
        // Merged, a slow revision's tail dominates as it would in the pooled samples.
        const merged = mergeHistograms([histogram([10, 20, 30], [0, 95, 5, 0]), histogram([10, 20, 30], [0, 0, 100, 0])])!;
        // 200 samples, 95 below 20: the median is 5 samples into the 105 of [20, 30).
        close(histogramQuantile(merged, 0.5)!.value, 20 + (10 * 5) / 105, 1e-9, "merged p50");
        assert.equal(mergeHistograms([histogram([1, 2], [1, 1, 0]), histogram([1, 3], [1, 1, 0])]), undefined);
    });

    it("reports a quantile in the overflow bucket as at least its bound, and an empty histogram as nothing", () => {
        assert.deepEqual(histogramQuantile(histogram([1, 2], [0, 0, 10]), 0.95), { value: 2, atLeast: true });
        assert.equal(histogramQuantile(histogram([1, 2], [0, 0, 0]), 0.95), undefined);
    });
});

describe("judgeStage", () => {
    const t = CANARY_THRESHOLDS;

    it("promotes only with enough requests on both sides, the 5xx rate under the bounds and p95 within the ratio", () => {
        assert.equal(judgeStage({ canary: rev("c", 400, 1), stable: rev("s", 8000, 10), thresholds: t }).decision, "promote");
        assert.equal(judgeStage({ canary: rev("c", 99, 0), stable: rev("s", 8000, 10), thresholds: t }).decision, "hold");
        assert.equal(judgeStage({ canary: rev("c", 400, 0), stable: rev("s", 99, 0), thresholds: t }).decision, "hold");
        // 150 requests: errors fine, latency not yet comparable.
        assert.match(judgeStage({ canary: rev("c", 150, 0), stable: rev("s", 8000, 10), thresholds: t }).reasons[0], /too few latency samples/);
    });

    it("rolls back at any size once the 5xx lower bound is above the threshold, but not on a single error", () => {
        assert.equal(judgeStage({ canary: rev("c", 20, 2), stable: rev("s", 8000, 10), thresholds: t }).decision, "rollback");
        assert.equal(judgeStage({ canary: rev("c", 3, 1), stable: rev("s", 8000, 10), thresholds: t }).decision, "hold");
    });

    it("holds a 5xx rate above the threshold that is not clearly above it", () => {
        const j = judgeStage({ canary: rev("c", 300, 4), stable: rev("s", 8000, 10), thresholds: t });
        assert.equal(j.decision, "hold");
        assert.match(j.gates.errors.reason, /not clearly/);
    });

    it("never rolls back on latency within the absolute floor (10 ms against 12 ms)", () => {
        const j = judgeStage({ canary: rev("c", 2000, 0, 10, 12.6), stable: rev("s", 8000, 0, 8, 10), thresholds: t });
        assert.equal(j.gates.latency.verdict, "pass");
        assert.equal(j.decision, "promote");
    });

    it("holds whatever the numbers when the data cannot be trusted", () => {
        const j = judgeStage({ canary: rev("c", 40, 10), stable: rev("s", 8000, 10), thresholds: t, problems: ["executionErrors"] });
        assert.equal(j.decision, "hold");
        assert.match(j.reasons[0], /cannot be trusted: executionErrors/);
    });
});

describe("confidence sequences: valid at every look, not just one", () => {
    const seeded = (seed: number): (() => number) => {
        let a = seed >>> 0;
        return () => {
            a = (a + 0x6d2b79f5) >>> 0;
            let t = Math.imul(a ^ (a >>> 15), a | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
    };

    it("brackets the observed rate, knows nothing at n 0, and shrinks with n", () => {
        assert.deepEqual(rateSequence(0, 0, 0.05, { a: 1, b: 99 }), { lower: 0, upper: 1 });
        for (const [k, n] of [
            [0, 50],
            [3, 300],
            [40, 1000],
            [2.5, 120],
        ]) {
            const b = rateSequence(k, n, 0.01, { a: 1, b: 99 });
            assert.ok(b.lower <= k / n && k / n <= b.upper, `${k}/${n}: ${b.lower}-${b.upper}`);
        }
        assert.ok(rateSequence(10, 10_000, 0.01, { a: 1, b: 99 }).upper < rateSequence(1, 1000, 0.01, { a: 1, b: 99 }).upper);
        // Wider than a fixed-sample Clopper-Pearson bound at the same level: the price of looking at every n.
        assert.ok(rateSequence(0, 300, 0.05, { a: 1, b: 99 }).upper > rateBounds(0, 300, 0.95).upper);
    });

    it("a rate looked at 60 times stays inside its sequence in 95 % of runs, where a fixed 95 % bound looked at as often does not", () => {
        const random = seeded(7);
        const runs = 200;
        let sequenceMisses = 0;
        let fixedMisses = 0;
        for (let r = 0; r < runs; r++) {
            let k = 0;
            let sequenceMissed = false;
            let fixedMissed = false;
            for (let n = 1; n <= 3000; n++) {
                if (random() < 0.01) k++;
                if (n % 50 !== 0) continue;
                const s = rateSequence(k, n, 0.05, { a: 1, b: 99 });
                if (s.lower > 0.01 || s.upper < 0.01) sequenceMissed = true;
                const f = rateBounds(k, n, 0.975);
                if (f.lower > 0.01 || f.upper < 0.01) fixedMissed = true;
            }
            if (sequenceMissed) sequenceMisses++;
            if (fixedMissed) fixedMisses++;
        }
        assert.ok(sequenceMisses <= runs * 0.05, `the sequence missed in ${sequenceMisses}/${runs} runs`);
        assert.ok(fixedMisses > runs * 0.1, `a fixed bound looked at 60 times missed in only ${fixedMisses}/${runs} runs`);
    });

    it("the rollback SPRT rejects a rate at its boundary in at most alpha of runs, and grows with the count", () => {
        const random = seeded(11);
        let rejected = 0;
        for (let r = 0; r < 300; r++) {
            let k = 0;
            for (let n = 1; n <= 4000; n++) {
                if (random() < 0.005) k++;
                if (n % 100 === 0 && logRateSprt(k, n, 0.005, [2, 4, 8]) >= Math.log(1 / 0.05)) {
                    rejected++;
                    break;
                }
            }
        }
        assert.ok(rejected <= 15, `${rejected}/300 runs rejected a true null`);
        assert.ok(logRateSprt(30, 1000, 0.005, [2, 4, 8]) > logRateSprt(10, 1000, 0.005, [2, 4, 8]));
        assert.ok(logRateSprt(0, 1000, 0.005, [2, 4, 8]) < 0);
    });

    it("the quantile sequence's ranks hold the true count above p95", () => {
        const { low, high } = countSequence(0.05, 2000, 0.01, { a: 5, b: 95 });
        assert.ok(low < 100 && 100 < high && low > 50 && high < 150, `${low}-${high}`);
    });

    it("counts requests above a value, splitting its bucket linearly, the overflow whole or not at all", () => {
        const h: Histogram = { bounds: [10, 20, 30], counts: [0, 10, 10, 5], count: 25 };
        assert.equal(countAbove(h, 15, "below"), 5 + 10 + 5);
        assert.equal(countAbove(h, 30, "below"), 0);
        assert.equal(countAbove(h, 30, "above"), 5);
        assert.equal(countAbove(h, 5, "below"), 25);
        // The same interpolation as the p95 read: 5 % of requests above the p95.
        const wide: Histogram = { bounds: [10, 20, 30, 40], counts: [0, 30, 40, 30, 0], count: 100 };
        close(countAbove(wide, histogramQuantile(wide, 0.95)!.value, "below"), 5, 1e-9, "share above p95");
    });
});

describe("the sequential rule's budget", () => {
    const rollbackOf = (l: SequentialLevels): number => l.rollbackCanaryErrors + l.rollbackCanaryLatency + l.rollbackStableErrors + l.rollbackStableLatency;
    it("spends exactly the rollout's false rollback budget: the pooled sequences once, each later rung's own once; the whole promote budget at the last rung, pooled and guard", () => {
        for (const judged of [1, 2, 3, 5, 9]) {
            // The pooled sequences run over the whole rollout: one budget however many rungs read them.
            let rollback = rollbackOf(sequentialLevels(0, judged).rollout);
            for (let rung = 0; rung < judged; rung++) {
                const l = sequentialLevels(rung, judged);
                close(rollbackOf(l.rollout), rollbackOf(sequentialLevels(0, judged).rollout), 1e-15, "one pooled sequence set");
                assert.equal(l.rung === undefined, rung === 0, "the first rung's data is the rollout's: no rung-only sequences there");
                if (l.rung) rollback += rollbackOf(l.rung);
            }
            close(rollback, CANARY_ERROR_BUDGET.falseRollback, 1e-12, `${judged} rungs`);
            const last = sequentialLevels(judged - 1, judged);
            assert.equal(last.rollout.promoteErrors, CANARY_ERROR_BUDGET.falsePromote);
            close(last.rollout.promoteLatencyCanary + last.rollout.promoteLatencyStable, CANARY_ERROR_BUDGET.falsePromote, 1e-12, "p95's two sequences");
            assert.equal(last.rollout.promoteErrorCeiling, CANARY_THRESHOLDS.maxErrorRate);
            assert.equal(last.rollout.promoteLatencyRatio, CANARY_THRESHOLDS.maxLatencyRatio);
            if (judged > 1) {
                assert.equal(last.rung?.promoteErrors, CANARY_ERROR_BUDGET.falsePromote, "the last rung's own guard at the whole budget");
                assert.equal(last.rung?.promoteErrorCeiling, CANARY_THRESHOLDS.maxErrorRate * CANARY_SEQUENTIAL.guardWiden);
            }
        }
        assert.equal(sequentialLevels(0, 3).rollout.promoteErrorCeiling, CANARY_THRESHOLDS.maxErrorRate * CANARY_SEQUENTIAL.firstStepWiden);
        assert.equal(sequentialLevels(1, 3).rollout.promoteErrorCeiling, CANARY_THRESHOLDS.maxErrorRate * CANARY_SEQUENTIAL.stepWiden);
    });
});

describe("judgeLook: the sequential rule at one look", () => {
    const t = CANARY_THRESHOLDS;
    const look = (canary: RevisionObservation, stable: RevisionObservation, index: number, problems?: string[], rollout?: { canary: RevisionObservation; stable: RevisionObservation }) =>
        judgeLook({ canary, stable, thresholds: t, problems, rollout, rung: { index, judgedRungs: 3 } });

    it("never promotes under the minimum sample, on no data, or on data it cannot trust", () => {
        assert.equal(look(rev("c", 99, 0), rev("s", 20_000, 10), 0).decision, "hold");
        assert.equal(look(rev("c", 0, 0), rev("s", 0, 0), 2).decision, "hold");
        assert.equal(look(rev("c", 5000, 0), rev("s", 20_000, 10), 2, ["request counts could not be read: 403"]).decision, "hold");
        // Not even a rollback on untrusted numbers.
        assert.equal(look(rev("c", 300, 60), rev("s", 20_000, 10), 0, ["the split serving is not the one judged"]).decision, "hold");
        assert.equal(look(rev("c", 5000, 0), rev("s", 20_000, 10), 2).decision, "promote");
    });

    it("the first rung steps up on its minimum sample unless grossly broken; the last rung asks for under the 1 % threshold itself", () => {
        assert.equal(look(rev("c", 100, 0), rev("s", 20_000, 10), 0).decision, "promote");
        assert.equal(look(rev("c", 99, 0), rev("s", 20_000, 10), 0).decision, "hold");
        // 10 % 5xx: past six times the tolerance, not a step up (and rolled back once shown).
        assert.notEqual(look(rev("c", 100, 10), rev("s", 20_000, 10), 0).decision, "promote");
        // The rung between asks for under 2 %: 1.5 % is not shown under it on 400 requests.
        assert.equal(look(rev("c", 400, 6), rev("s", 20_000, 10), 1).gates.errors.verdict, "inconclusive");
        assert.equal(look(rev("c", 3000, 24), rev("s", 20_000, 10), 0).decision, "promote");
        const last = look(rev("c", 3000, 24), rev("s", 20_000, 10), 2);
        assert.equal(last.decision, "hold");
        assert.match(last.reasons[0], /not yet shown under 1\.00 % at 0\.995/);
        assert.match(last.rule ?? "", /rung 3 of 3, the last rung before 100 %/);
    });

    it("pools the whole rollout at the last rung: promotes on evidence the rung alone lacks, never under the rung's own minimum sample", () => {
        const rungOnly = [rev("c", 600, 1), rev("s", 600, 1)] as const;
        const pooled = { canary: rev("c", 3000, 5), stable: rev("s", 30_000, 40) };
        assert.equal(look(...rungOnly, 2).decision, "hold", "600 requests alone do not show under 1 % at 99.5 %");
        const j = look(...rungOnly, 2, undefined, pooled);
        assert.equal(j.decision, "promote");
        assert.match(j.gates.errors.reason, /at this rung's load alone/);
        assert.equal(look(rev("c", 99, 0), rev("s", 600, 1), 2, undefined, pooled).decision, "hold", "the rung's own minimum sample");
        assert.equal(look(rev("c", 0, 0), rev("s", 0, 0), 2, undefined, pooled).decision, "hold", "no data at this rung");
    });

    it("a regression that starts at a rung's load is judged on the rung alone: rolled back, or at least never promoted on the rollout's healthy past", () => {
        const pooled = { canary: rev("c", 20_000, 20), stable: rev("s", 60_000, 60) };
        // 5 % 5xx since this rung began: the pooled rate (0.33 %) still looks healthy, the rung does not.
        const late = look(rev("c", 1000, 50), rev("s", 1000, 1), 2, undefined, { canary: rev("c", 21_000, 70), stable: rev("s", 61_000, 61) });
        assert.equal(late.decision, "rollback");
        assert.match(late.reasons[0], /at this rung's load alone/);
        // 1.3 % at the last rung, too little to roll back: the pooled rate passes, the guard (under 2 % on the rung alone at 99.5 %) holds it.
        const guarded = look(rev("c", 300, 4), rev("s", 300, 0), 2, undefined, { canary: rev("c", 20_300, 24), stable: rev("s", 60_300, 60) });
        assert.equal(guarded.gates.errors.verdict, "inconclusive");
        assert.match(guarded.gates.errors.reason, /at this rung's load alone/);
        assert.equal(guarded.decision, "hold");
        assert.equal(look(rev("c", 2000, 2), rev("s", 2000, 2), 2, undefined, pooled).decision, "promote", "the same past with a healthy rung promotes");
    });

    it("rolls back a clear 5xx regression at any rung, but not a canary as bad as its stable revision", () => {
        assert.equal(look(rev("c", 300, 24), rev("s", 20_000, 10), 0).decision, "rollback");
        assert.equal(look(rev("c", 20_000, 160), rev("s", 20_000, 160), 2).decision, "hold");
        assert.equal(look(rev("c", 300, 1), rev("s", 20_000, 10), 0).gates.errors.verdict === "fail", false);
    });

    it("holds when the stable revision itself is failing", () => {
        const j = look(rev("c", 3000, 300), rev("s", 20_000, 2000), 1);
        assert.equal(j.decision, "hold");
        assert.match(j.reasons[0], /stable revision itself is failing/);
    });

    it("judges p95 by the share of canary requests above a mark set from stable's p95: rolls back a slow canary, promotes a close one", () => {
        const slow = look(rev("c", 2000, 0, 300, 900), rev("s", 20_000, 10), 1);
        assert.equal(slow.decision, "rollback");
        assert.match(slow.reasons[0], /p95/);
        // p95 163 ms against 154: within the healthy half of the tolerance.
        assert.equal(look(rev("c", 4000, 0, 40, 170), rev("s", 20_000, 10), 2).decision, "promote");
        // p95 192 ms against 154 (25 % worse, 38 ms): inside the 50 ms floor, but past the healthy half of the tolerance (1.1x or 25 ms), where a rollback may be proven.
        assert.equal(look(rev("c", 4000, 0, 40, 200), rev("s", 20_000, 10), 2).decision, "rollback");
    });
});

describe("the sequential rule on seeded simulated rollouts (the bench's small cousin)", function () {
    this.timeout(60_000);
    for (const band of [
        { name: "10 rps", rps: 10 },
        { name: "200 rps", rps: 200 },
    ])
        it(`${band.name}: no false promote or rollback, healthy releases at least twice as fast, regressions rolled back no later than today's rule`, () => {
            const rollouts = simulateLadder(90, 424242, [band]);
            const healthy = rollouts.filter((r) => r.healthy);
            const regressed = rollouts.filter((r) => !r.healthy);
            assert.deepEqual([regressed.filter((r) => falsePromote(r, "sequential")).length, healthy.filter((r) => falseRollback(r, "sequential")).length], [0, 0]);
            // The same rollouts tell today's rule apart: it promotes regressions at the threshold.
            assert.ok(regressed.filter((r) => falsePromote(r, "window")).length > 5);
            const s = summarize(rollouts, band.name);
            assert.ok(s.healthyMedian.sequential * 2 <= s.healthyMedian.window, JSON.stringify(s));
            assert.ok(s.rollbackMedian.sequential <= s.rollbackMedian.window, JSON.stringify(s));
        });
});

// The judge's pure parts: exact binomial bounds, percentiles of every bucket layout, and the
// decision rule on its edges.
import { strict as assert } from "node:assert";
import { CANARY_THRESHOLDS } from "../../catalog";
import { bucketBounds, histogramQuantile, mergeHistograms, type Histogram } from "../../canary/histogram";
import { judgeStage, type RevisionObservation } from "../../canary/judge";
import { rateBounds } from "../../canary/stats";

const close = (actual: number, expected: number, tolerance: number, what: string): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

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
        for (const bad of [{}, { exponentialBuckets: { numFiniteBuckets: 3, growthFactor: 1, scale: 1 } }, { explicitBuckets: { bounds: [3, 2] } }, { linearBuckets: { numFiniteBuckets: 0, width: 1, offset: 0 } }]) {
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
    // Samples spread over [lo, hi) ms in 10 ms linear buckets.
    const latency = (n: number, lo: number, hi: number): Histogram => {
        const bounds = Array.from({ length: 101 }, (_, i) => i * 10);
        const counts = new Array<number>(102).fill(0);
        for (let i = 0; i < n; i++) counts[Math.floor((lo + ((hi - lo) * i) / n) / 10) + 1]++;
        return { bounds, counts, count: n };
    };
    const rev = (revision: string, requests: number, errors: number, lo = 40, hi = 160): RevisionObservation => ({ revision, requests, errors, latency: latency(requests, lo, hi) });

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

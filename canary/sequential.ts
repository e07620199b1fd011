// The sequential rule: one look at a rung, on everything the rung has seen so far. Every bound is
// a confidence sequence (catalog/canary.ts CANARY_SEQUENTIAL gives the sources), valid at every
// look at once, so a look a minute spends no more of the error budget than one look at the end.
// Pure: the rollout, the bench and the tests share it.

import { CANARY_SEQUENTIAL, type CanaryThresholds, type SequentialLevels, sequentialLevels } from "../catalog";
import { type Histogram, histogramQuantile } from "./histogram";
import { type GateResult, type RevisionNumbers, type RevisionObservation, type StageInput, type StageJudgement, dataGate, decide, revisionNumbers } from "./judge";
import { type RatePrior, countSequence, logRateSprt, rateSequence } from "./stats";

/** Where a look stands in the ladder: its rung (0-based) of the judged ones (those under 100 %). */
export interface RungPosition {
    index: number;
    judgedRungs: number;
}

export interface LookInput extends StageInput {
    rung: RungPosition;
    /**
     * Everything the canary revision and its stable one have served in this rollout so far, every
     * rung's data from the first rung's first whole minute; `canary` and `stable` are the rung's own.
     * Absent: the rung's own data stands in (a subset: every bound stays valid, only slower).
     */
    rollout?: { canary: RevisionObservation; stable: RevisionObservation };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "beyond the histogram");

/**
 * Requests of a histogram above a value: the bucket the value falls in is split linearly (as its
 * quantiles are read); the overflow bucket, whose spread is unknown, counts whole or not at all.
 */
export function countAbove(h: Histogram, value: number, overflow: "above" | "below"): number {
    const last = h.bounds.length;
    let above = 0;
    for (let i = 0; i <= last; i++) {
        const c = h.counts[i] ?? 0;
        if (c <= 0) continue;
        if (i === last) {
            if (value < h.bounds[last - 1] || overflow === "above") above += c;
            continue;
        }
        const hi = h.bounds[i];
        const lo = i === 0 ? Math.min(0, hi) : h.bounds[i - 1];
        if (value <= lo) above += c;
        else if (value < hi) above += (c * (hi - value)) / (hi - lo);
    }
    return above;
}

/** The latency a canary may reach: the ratio over stable's p95, or the floor over it, whichever is higher. */
export function latencyMark(stableP95: number, ratio: number, floorMs: number): number {
    return Math.max(stableP95 * ratio, stableP95 + floorMs);
}

/** The value at a quantile level, Infinity when it lies in the overflow bucket (nothing known above it). */
function valueAt(h: Histogram, level: number): number {
    const q = histogramQuantile(h, Math.min(1, Math.max(level, 1e-9)));
    return q === undefined || q.atLeast ? Infinity : q.value;
}

/** The promotion bound's prior: centred on the ceiling it is compared with. */
function priorAt(ceiling: number, w: number = CANARY_SEQUENTIAL.priorWeight): RatePrior {
    return { a: w * ceiling, b: w * (1 - ceiling) };
}

const rejects = (k: number, n: number, p0: number, alpha: number): boolean => logRateSprt(k, n, p0, CANARY_SEQUENTIAL.rollbackAlternatives) >= Math.log(1 / alpha);
/** The mirror of `rejects`: shows the rate under the ceiling (rejects "at least the ceiling"). */
const under = (k: number, n: number, ceiling: number, alpha: number, alternatives: readonly number[]): boolean => logRateSprt(k, n, ceiling, alternatives) >= Math.log(1 / alpha);

/** The 5xx bounds a look reports: the canary's rollback lower bound and promotion upper bound, the stable revision's sequence. */
function errorBounds(
    l: SequentialLevels,
    t: CanaryThresholds,
): { canary: (k: number, n: number) => { lower: number; upper: number }; stable: (k: number, n: number) => { lower: number; upper: number } } {
    return {
        canary: (k, n) => ({
            lower: rateSequence(k, n, l.rollbackCanaryErrors, priorAt(t.maxErrorRate)).lower,
            upper: rateSequence(k, n, l.promoteErrors, priorAt(l.promoteErrorCeiling, l.promotePriorWeight)).upper,
        }),
        stable: (k, n) => rateSequence(k, n, l.rollbackStableErrors, priorAt(t.maxErrorRate)),
    };
}

/** 5xx on the bounds errorBounds gave the numbers: the canary's lower one (roll back), its upper one (promote), the stable revision's pair. */
function errorGate(c: RevisionNumbers, s: RevisionNumbers, t: CanaryThresholds, l: SequentialLevels): GateResult {
    const healthy = t.maxErrorRate * CANARY_SEQUENTIAL.healthyShareOfTolerance;
    const shown = (r: RevisionNumbers): string => `${r.errors}/${r.requests} 5xx (${pct(r.errorRate)}, always-valid bounds ${pct(r.errorRateLower)}-${pct(r.errorRateUpper)})`;
    if (s.errors >= t.rollbackMinErrors && s.errorRateLower > t.maxErrorRate) {
        return { verdict: "inconclusive", reason: `the stable revision itself is failing: ${shown(s)} is clearly above ${pct(t.maxErrorRate)}; a canary cannot be judged against it` };
    }
    // Healthy: at most half the threshold, or no worse than the stable revision (its upper bound).
    const bar = Math.max(healthy, s.errorRateUpper);
    if (c.errors >= t.rollbackMinErrors && rejects(c.errors, c.requests, bar, l.rollbackCanaryErrors)) {
        return {
            verdict: "fail",
            reason: `canary 5xx rate clearly above ${pct(bar)} (the healthy ${pct(healthy)}, half the ${pct(t.maxErrorRate)} threshold, or the stable revision's upper bound): ${shown(c)}, a sequential test at ${(1 - l.rollbackCanaryErrors).toFixed(5)}`,
        };
    }
    if (c.requests < t.minRequests) return { verdict: "inconclusive", reason: `canary 5xx ${shown(c)}: too few requests to say it is under ${pct(l.promoteErrorCeiling)}` };
    if (under(c.errors, c.requests, l.promoteErrorCeiling, l.promoteErrors, CANARY_SEQUENTIAL.promoteErrorAlternatives)) {
        return { verdict: "pass", reason: `canary 5xx ${shown(c)}: shown under ${pct(l.promoteErrorCeiling)} by a sequential test at ${(1 - l.promoteErrors).toFixed(3)}` };
    }
    return { verdict: "inconclusive", reason: `canary 5xx ${shown(c)}: not yet shown under ${pct(l.promoteErrorCeiling)} at ${(1 - l.promoteErrors).toFixed(3)} (more requests needed)` };
}

function latencyGate(cObs: Histogram | undefined, sObs: Histogram | undefined, c: RevisionNumbers, s: RevisionNumbers, t: CanaryThresholds, l: SequentialLevels, minSamples: number): GateResult {
    if (!cObs || !sObs || cObs.count <= 0 || sObs.count <= 0) return { verdict: "inconclusive", reason: `no latency samples to compare p95: canary ${c.latencySamples}, stable ${s.latencySamples}` };
    const tail = 1 - CANARY_SEQUENTIAL.quantile;
    const prior = priorAt(tail);
    const share = CANARY_SEQUENTIAL.healthyShareOfTolerance;
    // Stable's p95, bounded from below for a promotion and from above for a rollback: the canary is held to the harder mark each way.
    const nS = sObs.count;
    const promotePrior = priorAt(tail, l.promotePriorWeight);
    const stableLow = valueAt(sObs, 1 - countSequence(tail, nS, l.promoteLatencyStable, promotePrior).high / nS);
    const stableHigh = valueAt(sObs, 1 - countSequence(tail, nS, l.rollbackStableLatency, prior).low / nS);
    if (!Number.isFinite(stableLow)) return { verdict: "inconclusive", reason: "the stable p95 is beyond the histogram's last bucket" };
    const healthyRatio = 1 + (t.maxLatencyRatio - 1) * share;
    const promoteMark = latencyMark(stableLow, l.promoteLatencyRatio, l.promoteLatencyFloorMs);
    const rollbackMark = latencyMark(stableHigh, healthyRatio, t.latencyFloorMs * share);
    const nC = cObs.count;
    const overPromote = countAbove(cObs, promoteMark, "above");
    const overRollback = Number.isFinite(rollbackMark) ? countAbove(cObs, rollbackMark, "below") : 0;
    const upper = rateSequence(overPromote, nC, l.promoteLatencyCanary, promotePrior).upper;
    const p95 = `canary p95 ${c.p95Ms === undefined ? "n/a" : ms(c.p95Ms)}${c.p95AtLeast ? " or more" : ""} vs stable ${s.p95Ms === undefined ? "n/a" : ms(s.p95Ms)}`;
    if (rejects(overRollback, nC, tail, l.rollbackCanaryLatency)) {
        return {
            verdict: "fail",
            reason: `${p95}: clearly beyond the healthy ${healthyRatio.toFixed(2)}x stable: ${pct(overRollback / nC)} of canary requests above ${ms(rollbackMark)}, more than ${pct(tail)} by a sequential test at ${(1 - l.rollbackCanaryLatency).toFixed(5)}`,
        };
    }
    if (c.latencySamples < minSamples || s.latencySamples < minSamples) {
        return { verdict: "inconclusive", reason: `${p95}: too few latency samples to promote on p95: canary ${c.latencySamples}, stable ${s.latencySamples} (at least ${minSamples} each)` };
    }
    if (under(overPromote, nC, tail, l.promoteLatencyCanary, CANARY_SEQUENTIAL.promoteLatencyAlternatives)) {
        return {
            verdict: "pass",
            reason: `${p95}: within ${l.promoteLatencyRatio.toFixed(2)}x (or ${l.promoteLatencyFloorMs} ms) of stable: ${pct(overPromote / nC)} of canary requests above ${ms(promoteMark)}, shown under ${pct(tail)} by a sequential test at ${(1 - l.promoteLatencyCanary - l.promoteLatencyStable).toFixed(3)} (upper bound ${pct(upper)})`,
        };
    }
    return {
        verdict: "inconclusive",
        reason: `${p95}: not yet shown within ${l.promoteLatencyRatio.toFixed(2)}x of stable (${pct(overPromote / nC)} of canary requests above ${ms(promoteMark)}, upper bound ${pct(upper)}; more samples needed)`,
    };
}

/** Both sets of sequences of one metric: a fail on either rolls back; a pass needs the rollout's and, where it guards, the rung's. */
function combine(rollout: GateResult, rung: GateResult | undefined, guards: boolean): GateResult {
    if (!rung) return rollout;
    if (rollout.verdict === "fail") return rollout;
    if (rung.verdict === "fail") return { verdict: "fail", reason: `at this rung's load alone: ${rung.reason}` };
    if (rollout.verdict !== "pass") return rollout;
    if (guards && rung.verdict !== "pass") return { verdict: "inconclusive", reason: `at this rung's load alone: ${rung.reason}` };
    return guards ? { verdict: "pass", reason: `${rollout.reason}; at this rung's load alone: ${rung.reason}` } : rollout;
}

/** One look at a rung: roll back on a clear regression, promote once both metrics are shown within tolerance, hold otherwise. */
export function judgeLook(input: LookInput): StageJudgement {
    const t = input.thresholds;
    const problems = input.problems ?? [];
    const levels = sequentialLevels(input.rung.index, input.rung.judgedRungs, t);
    const final = input.rung.index >= input.rung.judgedRungs - 1;
    const whole = input.rollout ?? { canary: input.canary, stable: input.stable };
    const on = (l: SequentialLevels, c: RevisionObservation, s: RevisionObservation) => {
        const bounds = errorBounds(l, t);
        const cn = revisionNumbers(c, t.confidence, bounds.canary);
        const sn = revisionNumbers(s, t.confidence, bounds.stable);
        // A step up reads p95 from the minimum sample on; the release (the last rung) from the latency minimum.
        const minSamples = final ? t.latencyMinSamples : t.minRequests;
        return { canary: cn, stable: sn, errors: errorGate(cn, sn, t, l), latency: latencyGate(c.latency, s.latency, cn, sn, t, l, minSamples) };
    };
    const pooled = on(levels.rollout, whole.canary, whole.stable);
    const rung = levels.rung ? on(levels.rung, input.canary, input.stable) : undefined;
    const canary = rung?.canary ?? pooled.canary;
    const stable = rung?.stable ?? pooled.stable;
    const gates = {
        // The minimum sample is the rung's own: no promotion on a rung that has served too little, whatever came before it.
        data: dataGate(canary, stable, t, problems),
        errors: combine(pooled.errors, rung?.errors, final),
        latency: combine(pooled.latency, rung?.latency, final),
    };
    const l = levels.rollout;
    const step = `${final ? "the last rung before 100 %" : "a step up"}: promote at ${(1 - l.promoteErrors).toFixed(3)} under ${pct(l.promoteErrorCeiling)} 5xx and p95 within ${l.promoteLatencyRatio.toFixed(2)}x or ${l.promoteLatencyFloorMs} ms of stable on the whole rollout so far${final && levels.rung ? `, and within ${levels.rung.promoteLatencyRatio.toFixed(2)}x and ${pct(levels.rung.promoteErrorCeiling)} on this rung alone` : ""}`;
    const rule = `sequential, valid at every look (rung ${input.rung.index + 1} of ${input.rung.judgedRungs}, ${step}; roll back beyond the healthy half of each tolerance on the rollout${levels.rung ? " or this rung" : ""}; at least ${t.minRequests} requests each at this rung)`;
    return { ...decide(gates, problems), gates, canary, stable, rule };
}

// The judgement of one canary stage: the canary revision against the stable one, on the 5xx rate
// (with exact confidence bounds and a minimum sample) and on p95 latency (from merged
// histograms, with order-statistic bounds and an absolute floor). Pure: numbers in, decision,
// reasons and numbers out, so the CLI, the bench and a later rollout driver share it.

import type { CanaryThresholds } from "../catalog";
import { type Histogram, histogramQuantile } from "./histogram";
import { quantileLevelBounds, rateBounds } from "./stats";

export type Decision = "promote" | "hold" | "rollback";
export type GateVerdict = "pass" | "fail" | "inconclusive";

/** What was observed of one revision over the window. */
export interface RevisionObservation {
    revision: string;
    /** Requests counted by request_count, every response class. */
    requests: number;
    /** Of those, class 5xx. */
    errors: number;
    /** The revision's merged request_latencies histogram (ms), when any. */
    latency?: Histogram;
}

export interface StageInput {
    canary: RevisionObservation;
    stable: RevisionObservation;
    thresholds: CanaryThresholds;
    /** Why the data cannot be trusted (a failed read, incomplete data, another split serving): each one holds the stage. */
    problems?: readonly string[];
}

export interface RevisionNumbers {
    revision: string;
    requests: number;
    errors: number;
    errorRate: number;
    /** One-sided Clopper-Pearson bounds of the 5xx rate at the thresholds' confidence. */
    errorRateLower: number;
    errorRateUpper: number;
    /** Samples in the latency histogram (its count). */
    latencySamples: number;
    p50Ms?: number;
    p95Ms?: number;
    /** Order-statistic bounds of p95, read from the same histogram. */
    p95LowerMs?: number;
    p95UpperMs?: number;
    /** p95 fell in the overflow bucket: the value is a lower bound only. */
    p95AtLeast?: boolean;
}

export interface GateResult {
    verdict: GateVerdict;
    reason: string;
}

export interface StageJudgement {
    decision: Decision;
    /** The reasons for the decision first, then every gate's finding. */
    reasons: string[];
    gates: { data: GateResult; errors: GateResult; latency: GateResult };
    canary: RevisionNumbers;
    stable: RevisionNumbers;
    /** The rule that judged, in one line, when it is not the single-window rule (the evidence prints it). */
    rule?: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const ms = (x: number | undefined): string => (x === undefined ? "n/a" : `${x.toFixed(1)} ms`);

/** A revision's numbers; the 5xx rate's bounds are Clopper-Pearson's unless `rate` gives others (the sequential rule's). */
export function revisionNumbers(
    o: RevisionObservation,
    confidence: number,
    rate: (errors: number, requests: number) => { lower: number; upper: number } = (k, n) => rateBounds(k, n, confidence),
): RevisionNumbers {
    const requests = Math.max(0, o.requests);
    const errors = Math.min(Math.max(0, o.errors), requests);
    const bounds = rate(errors, requests);
    const out: RevisionNumbers = {
        revision: o.revision,
        requests,
        errors,
        errorRate: requests > 0 ? errors / requests : 0,
        errorRateLower: bounds.lower,
        errorRateUpper: bounds.upper,
        latencySamples: o.latency?.count ?? 0,
    };
    const h = o.latency;
    if (h && h.count > 0) {
        const p95 = histogramQuantile(h, 0.95);
        const levels = quantileLevelBounds(0.95, h.count, confidence);
        out.p50Ms = histogramQuantile(h, 0.5)?.value;
        out.p95Ms = p95?.value;
        out.p95AtLeast = p95?.atLeast ?? false;
        out.p95LowerMs = histogramQuantile(h, levels.lower)?.value;
        out.p95UpperMs = histogramQuantile(h, levels.upper)?.value;
    }
    return out;
}

/** The data gate (every read trusted, the minimum sample on both sides): the window rule's and the sequential one's. */
export function dataGate(c: RevisionNumbers, s: RevisionNumbers, t: CanaryThresholds, problems: readonly string[]): GateResult {
    if (problems.length > 0) return { verdict: "inconclusive", reason: `the data cannot be trusted: ${problems.join("; ")}` };
    const short = [c, s].filter((r) => r.requests < t.minRequests);
    if (short.length > 0) {
        const which = short.map((r) => `${r === c ? "canary" : "stable"} ${r.revision} has ${r.requests}`).join(", ");
        return { verdict: "inconclusive", reason: `too few requests to promote: ${which} (at least ${t.minRequests} each)` };
    }
    return { verdict: "pass", reason: `enough requests: canary ${c.requests}, stable ${s.requests} (at least ${t.minRequests} each)` };
}

function errorGate(c: RevisionNumbers, s: RevisionNumbers, t: CanaryThresholds): GateResult {
    const level = `${Math.round(t.confidence * 100)} %`;
    const clearlyAbove = (r: RevisionNumbers): boolean => r.errors >= t.rollbackMinErrors && r.errorRateLower > t.maxErrorRate;
    const describe = (r: RevisionNumbers): string => `${r.errors}/${r.requests} 5xx (${pct(r.errorRate)}, ${level} bounds ${pct(r.errorRateLower)}-${pct(r.errorRateUpper)})`;
    if (clearlyAbove(s)) {
        return { verdict: "inconclusive", reason: `the stable revision itself is failing: ${describe(s)} is clearly above ${pct(t.maxErrorRate)}; a canary cannot be judged against it` };
    }
    if (clearlyAbove(c)) {
        return { verdict: "fail", reason: `canary 5xx rate clearly above ${pct(t.maxErrorRate)}: ${describe(c)}, lower bound above the threshold` };
    }
    if (c.requests < t.minRequests) return { verdict: "inconclusive", reason: `canary 5xx ${describe(c)}: not clearly above ${pct(t.maxErrorRate)}, too few requests to say it is under` };
    if (c.errorRate > t.maxErrorRate) return { verdict: "inconclusive", reason: `canary 5xx rate above ${pct(t.maxErrorRate)} but not clearly: ${describe(c)}` };
    if (c.errorRateUpper > t.errorRateCeiling) {
        return {
            verdict: "inconclusive",
            reason: `canary 5xx ${describe(c)}: under ${pct(t.maxErrorRate)} as observed, but its upper bound is above ${pct(t.errorRateCeiling)} (more requests needed)`,
        };
    }
    return { verdict: "pass", reason: `canary 5xx ${describe(c)}: under ${pct(t.maxErrorRate)}, upper bound at most ${pct(t.errorRateCeiling)}` };
}

function latencyGate(c: RevisionNumbers, s: RevisionNumbers, t: CanaryThresholds): GateResult {
    if (c.latencySamples < t.latencyMinSamples || s.latencySamples < t.latencyMinSamples) {
        return { verdict: "inconclusive", reason: `too few latency samples to compare p95: canary ${c.latencySamples}, stable ${s.latencySamples} (at least ${t.latencyMinSamples} each)` };
    }
    if (c.p95Ms === undefined || s.p95Ms === undefined) return { verdict: "inconclusive", reason: "p95 could not be read from the histograms" };
    const limit = s.p95Ms * t.maxLatencyRatio;
    const ratio = s.p95Ms > 0 ? c.p95Ms / s.p95Ms : Infinity;
    const shown = `canary p95 ${ms(c.p95Ms)}${c.p95AtLeast ? " or more" : ""} (bounds ${ms(c.p95LowerMs)}-${ms(c.p95UpperMs)}) vs stable ${ms(s.p95Ms)}${s.p95AtLeast ? " or more" : ""}, ratio ${Number.isFinite(ratio) ? ratio.toFixed(2) : "inf"}`;
    if (s.p95AtLeast) return { verdict: "inconclusive", reason: `${shown}: the stable p95 is beyond the histogram's last bucket` };
    const over = c.p95Ms - s.p95Ms;
    if (over <= t.latencyFloorMs) return { verdict: "pass", reason: `${shown}: within ${t.latencyFloorMs} ms of stable` };
    if ((c.p95LowerMs ?? c.p95Ms) > limit) {
        return { verdict: "fail", reason: `${shown}: even its lower bound is above ${t.maxLatencyRatio}x stable, and ${over.toFixed(1)} ms over it` };
    }
    if (c.p95Ms <= limit && !c.p95AtLeast) return { verdict: "pass", reason: `${shown}: at most ${t.maxLatencyRatio}x stable` };
    return { verdict: "inconclusive", reason: `${shown}: above ${t.maxLatencyRatio}x stable but not clearly (more samples needed)` };
}

/** Combines the gates: any clear failure rolls back, all passing promotes, anything else holds; untrusted data holds whatever the numbers. */
export function decide(gates: StageJudgement["gates"], problems: readonly string[]): Pick<StageJudgement, "decision" | "reasons"> {
    const all = [gates.data, gates.errors, gates.latency];
    let decision: Decision;
    // Untrusted data decides nothing, not even a rollback: the numbers may belong to another split.
    if (problems.length > 0) decision = "hold";
    else if (all.some((g) => g.verdict === "fail")) decision = "rollback";
    else if (all.every((g) => g.verdict === "pass")) decision = "promote";
    else decision = "hold";
    const leading = decision === "rollback" ? all.filter((g) => g.verdict === "fail") : decision === "hold" ? all.filter((g) => g.verdict !== "pass") : all;
    const reasons = [...leading.map((g) => g.reason), ...all.filter((g) => !leading.includes(g)).map((g) => g.reason)];
    return { decision, reasons };
}

/** Judges one stage: any clear failure rolls back, all gates passing promotes, anything else holds. */
export function judgeStage(input: StageInput): StageJudgement {
    const t = input.thresholds;
    const problems = input.problems ?? [];
    const canary = revisionNumbers(input.canary, t.confidence);
    const stable = revisionNumbers(input.stable, t.confidence);
    const gates = { data: dataGate(canary, stable, t, problems), errors: errorGate(canary, stable, t), latency: latencyGate(canary, stable, t) };
    return { ...decide(gates, problems), gates, canary, stable };
}

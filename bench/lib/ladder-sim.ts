// Whole simulated canary rollouts, minute by minute, judged by three rules on the very same data:
// the sequential rule (canary/sequential.ts, a look a minute on the rung so far and the rollout so
// far), today's fixed-window rule
// (canary/judge.ts: wait window + lag, judge the window, hold up to --max-holds times) and a
// Flagger-style rule (a check a minute on the last minute's numbers against the runbook's
// thresholds; a pass steps up, 5 failed checks roll back). Traffic is Poisson per minute,
// latencies log-normal in Cloud Run's exponential buckets, 5xx binomial; Monitoring's ingestion lag
// applies to every rule. Seeded: a run is reproducible. Shared by the bench and a fast test.
import { CANARY_LADDER, CANARY_THRESHOLDS, CANARY_WINDOW } from "../../catalog";
import { type Histogram, bucketBounds, histogramQuantile } from "../../canary/histogram";
import { type Decision, type RevisionObservation, judgeStage } from "../../canary/judge";
import { judgeLook, latencyMark } from "../../canary/sequential";

const BUCKETS = { exponentialBuckets: { numFiniteBuckets: 64, growthFactor: 1.4, scale: 1 } };
const BOUNDS = bucketBounds(BUCKETS)!;
const LOG_BOUNDS = BOUNDS.map(Math.log);
const MINUTE = 60_000;
const LAG = CANARY_WINDOW.ingestionLagMs / MINUTE;
const WINDOW = CANARY_WINDOW.defaultMs / MINUTE;
const MAX_HOLDS = 3;
const RUNGS = CANARY_LADDER.filter((p) => p > 0 && p < 100);
/**
 * Flagger's `analysis.threshold` as its docs' examples set it: failed checks before a rollback
 * (fluxcd/flagger pkg/controller/scheduler.go, `rollback`: "failed checks threshold reached";
 * no values found counts as a failed check, scheduler_metrics.go).
 */
const FLAGGER_THRESHOLD = 5;

export type RuleName = "sequential" | "window" | "flagger";
export const RULES: readonly RuleName[] = ["sequential", "window", "flagger"];

/** mulberry32: a small seeded generator. */
export function generator(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function normal(random: () => number): number {
    return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Binomial(n, p): exact inversion for a small mean, the normal approximation above it. */
function binomial(n: number, p: number, random: () => number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    const mean = n * p;
    if (mean < 25 && n * (1 - p) > 25) {
        const u = random();
        let x = 0;
        let pr = Math.exp(n * Math.log1p(-p));
        let cum = pr;
        const odds = p / (1 - p);
        while (u > cum && x < n) {
            x++;
            pr *= ((n - x + 1) / x) * odds;
            cum += pr;
            if (pr < 1e-300 && x > mean) break;
        }
        return x;
    }
    return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(random))));
}

function poisson(mean: number, random: () => number): number {
    if (mean < 30) {
        const limit = Math.exp(-mean);
        let k = 0;
        let p = random();
        while (p > limit) {
            k++;
            p *= random();
        }
        return k;
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
}

/** Φ (Abramowitz and Stegun 7.1.26 through erf; 1e-7, far below a bucket's share that matters). */
function phi(z: number): number {
    const x = Math.abs(z) / Math.SQRT2;
    const t = 1 / (1 + 0.3275911 * x);
    const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

interface Profile {
    errorRate: number;
    medianMs: number;
    sigma: number;
}

/** One minute of one revision: requests, 5xx and the latency histogram's counts. */
interface Minute {
    requests: number;
    errors: number;
    counts: Float64Array;
}

function minuteOf(n: number, p: Profile, random: () => number): Minute {
    const counts = new Float64Array(BOUNDS.length + 1);
    const mu = Math.log(p.medianMs);
    let left = n;
    let mass = 1;
    let below = 0;
    for (let i = 0; i <= BOUNDS.length && left > 0; i++) {
        const cdf = i < BOUNDS.length ? phi((LOG_BOUNDS[i] - mu) / p.sigma) : 1;
        const share = cdf - below;
        below = cdf;
        if (share <= 0) continue;
        const k = i === BOUNDS.length || share >= mass ? left : binomial(left, share / mass, random);
        counts[i] = k;
        left -= k;
        mass -= share;
    }
    return { requests: n, errors: binomial(n, p.errorRate, random), counts };
}

export function observation(revision: string, minutes: readonly Minute[], from: number, to: number): RevisionObservation {
    const counts = new Array<number>(BOUNDS.length + 1).fill(0);
    let requests = 0;
    let errors = 0;
    for (let m = Math.max(0, from); m <= to && m < minutes.length; m++) {
        const x = minutes[m];
        requests += x.requests;
        errors += x.errors;
        for (let i = 0; i < counts.length; i++) counts[i] += x.counts[i];
    }
    const latency: Histogram = { bounds: BOUNDS, counts, count: requests };
    return { revision, requests, errors, latency };
}

export type Kind = "healthy" | "noisy" | "5xx-at-threshold" | "5xx-2x" | "5xx-5x" | "p95-at-threshold" | "p95-beyond" | "late-5xx" | "late-p95";
export const HEALTHY_KINDS: readonly Kind[] = ["healthy", "noisy"];
/** The scenario mix: weights per kind (healthy releases are half of all). */
export const MIX: ReadonlyArray<[Kind, number]> = [
    ["healthy", 4],
    ["noisy", 1],
    ["5xx-at-threshold", 1],
    ["5xx-2x", 0.75],
    ["5xx-5x", 0.5],
    ["p95-at-threshold", 1],
    ["p95-beyond", 0.75],
    ["late-5xx", 0.5],
    ["late-p95", 0.5],
];

export interface Band {
    name: string;
    /** Requests per second on the whole service. */
    rps: number;
}

export const BANDS: readonly Band[] = [
    { name: "10 rps", rps: 10 },
    { name: "40 rps", rps: 40 },
    { name: "200 rps", rps: 200 },
    { name: "1000 rps", rps: 1000 },
];

export interface Outcome {
    /** promoted: 100 % reached; held: the rung's deadline passed (a person decides). */
    result: "promoted" | "rolled-back" | "held";
    /** Minutes from the first rung's up to the outcome. */
    minutes: number;
    /** Looks or judgements made. */
    looks: number;
    /** Minutes spent at each rung reached. */
    rungs: number[];
}

export interface Rollout {
    kind: Kind;
    band: string;
    healthy: boolean;
    outcomes: Record<RuleName, Outcome>;
}

interface World {
    /** Minute-by-minute data of a revision at a share, made on demand and kept (every rule reads the same minutes). */
    minute(role: "canary" | "stable", m: number, percent: number): Minute;
}

/** The expected histogram of a profile (no sampling): each bucket's share. */
function shares(p: Profile): number[] {
    const mu = Math.log(p.medianMs);
    const out: number[] = [];
    let below = 0;
    for (let i = 0; i <= BOUNDS.length; i++) {
        const cdf = i < BOUNDS.length ? phi((LOG_BOUNDS[i] - mu) / p.sigma) : 1;
        out.push(Math.max(0, cdf - below));
        below = cdf;
    }
    return out;
}

/**
 * p95 as Cloud Monitoring reports it: read from the buckets, linear inside the one it falls in
 * (histogramQuantile). With buckets 40 % wide, the runbook's +20 % can only be judged on this
 * value, so a latency regression "at the threshold" is one whose reported p95 is at the mark.
 */
function reportedP95(p: Profile): number {
    const h: Histogram = { bounds: BOUNDS, counts: shares(p), count: 1 };
    return histogramQuantile(h, 0.95)?.value ?? Infinity;
}

/** The median multiplier that puts the canary's reported p95 at `times` the tolerated mark over stable's. */
function latencyFactor(stable: Profile, times: number): number {
    const s = reportedP95(stable);
    const target = latencyMark(s, CANARY_THRESHOLDS.maxLatencyRatio, CANARY_THRESHOLDS.latencyFloorMs) * times;
    let lo = 1;
    let hi = 4 * times;
    for (let i = 0; i < 40; i++) {
        const mid = (lo + hi) / 2;
        if (reportedP95({ ...stable, medianMs: stable.medianMs * mid }) < target) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

/** When a late regression begins: after 1-3 minutes of serving, or once the canary takes 25 % or 50 % (a load-triggered bug). */
type Trigger = { minute: number } | { percent: number };

/** Draws one rollout's world: the stable revision, what the canary is, traffic, per-minute noise. */
export function world(kind: Kind, rps: number, random: () => number): { w: World; healthy: boolean } {
    const noisy = kind === "noisy";
    const stable: Profile = { errorRate: random() * 0.005, medianMs: 80 + random() * 220, sigma: noisy ? 0.5 + random() * 0.4 : 0.3 + random() * 0.4 };
    const regressed: Profile = { ...stable };
    const healthy = kind === "healthy" || kind === "noisy";
    if (kind === "5xx-at-threshold") regressed.errorRate = CANARY_THRESHOLDS.maxErrorRate;
    else if (kind === "5xx-2x") regressed.errorRate = 2 * CANARY_THRESHOLDS.maxErrorRate;
    else if (kind === "5xx-5x" || kind === "late-5xx") regressed.errorRate = 5 * CANARY_THRESHOLDS.maxErrorRate;
    else if (kind === "p95-at-threshold") regressed.medianMs = stable.medianMs * latencyFactor(stable, 1);
    else if (!healthy) regressed.medianMs = stable.medianMs * latencyFactor(stable, 1.25);
    let trigger: Trigger = { minute: 0 };
    if (kind === "late-5xx" || kind === "late-p95") trigger = random() < 0.5 ? { minute: 1 + Math.floor(random() * 3) } : { percent: random() < 0.5 ? 25 : 50 };
    const on = (m: number, percent: number): boolean => !healthy && ("minute" in trigger ? m >= trigger.minute : percent >= trigger.percent);
    const perMinute = rps * 60;
    // Per-minute load swings, shared by both revisions (a noisy stable revision swings harder).
    const swings: Array<{ traffic: number; errors: number; latency: number }> = [];
    const swing = (m: number) => {
        while (swings.length <= m) {
            swings.push({
                traffic: Math.exp(0.15 * normal(random)),
                errors: noisy ? Math.exp(0.6 * normal(random) - 0.18) : 1,
                latency: noisy ? Math.exp(0.12 * normal(random)) : 1,
            });
        }
        return swings[m];
    };
    const cache = new Map<string, Minute>();
    const w: World = {
        minute(role, m, percent) {
            const key = `${role}:${m}:${percent}`;
            const hit = cache.get(key);
            if (hit) return hit;
            const s = swing(m);
            const base = role === "canary" && on(m, percent) ? regressed : stable;
            const profile: Profile = { errorRate: Math.min(1, base.errorRate * s.errors), medianMs: base.medianMs * s.latency, sigma: base.sigma };
            const share = role === "canary" ? percent / 100 : 1 - percent / 100;
            const made = minuteOf(poisson(perMinute * s.traffic * share, random), profile, random);
            cache.set(key, made);
            return made;
        },
    };
    return { w, healthy };
}

/** The minutes of one rung as each revision saw them (the rung starts at minute `start`). */
export function rungMinutes(w: World, start: number, percent: number, upTo: number): { canary: Minute[]; stable: Minute[] } {
    const canary: Minute[] = [];
    const stable: Minute[] = [];
    for (let m = start; m <= upTo; m++) {
        canary.push(w.minute("canary", m, percent));
        stable.push(w.minute("stable", m, percent));
    }
    return { canary, stable };
}

function runSequential(w: World): Outcome {
    let t = 0;
    let looks = 0;
    const rungs: number[] = [];
    const deadline = (1 + MAX_HOLDS) * (WINDOW + LAG);
    // The minutes every earlier rung served, at its share: the rollout's pooled data starts with them.
    const before: { canary: Minute[]; stable: Minute[] } = { canary: [], stable: [] };
    for (let r = 0; r < RUNGS.length; r++) {
        const start = t;
        let decided: Decision = "hold";
        for (let at = start + LAG + 1; at <= start + deadline; at++) {
            const lastMinute = at - LAG - 1;
            const { canary, stable } = rungMinutes(w, start, RUNGS[r], lastMinute);
            const all = { canary: [...before.canary, ...canary], stable: [...before.stable, ...stable] };
            looks++;
            const j = judgeLook({
                canary: observation("canary", canary, 0, canary.length - 1),
                stable: observation("stable", stable, 0, stable.length - 1),
                rollout: { canary: observation("canary", all.canary, 0, all.canary.length - 1), stable: observation("stable", all.stable, 0, all.stable.length - 1) },
                thresholds: CANARY_THRESHOLDS,
                rung: { index: r, judgedRungs: RUNGS.length },
            });
            t = at;
            decided = j.decision;
            if (decided !== "hold") break;
        }
        rungs.push((decided === "hold" ? start + deadline : t) - start);
        if (decided === "rollback") return { result: "rolled-back", minutes: t, looks, rungs };
        if (decided === "hold") return { result: "held", minutes: start + deadline, looks, rungs };
        const served = rungMinutes(w, start, RUNGS[r], t - 1);
        before.canary.push(...served.canary);
        before.stable.push(...served.stable);
    }
    return { result: "promoted", minutes: t, looks, rungs };
}

function runWindow(w: World): Outcome {
    let t = 0;
    let looks = 0;
    const rungs: number[] = [];
    for (let r = 0; r < RUNGS.length; r++) {
        const start = t;
        let decided: Decision = "hold";
        for (let j = 1; j <= 1 + MAX_HOLDS; j++) {
            const at = start + j * (WINDOW + LAG);
            const last = at - LAG - 1;
            const { canary, stable } = rungMinutes(w, start, RUNGS[r], last);
            looks++;
            const from = canary.length - WINDOW;
            decided = judgeStage({
                canary: observation("canary", canary, from, canary.length - 1),
                stable: observation("stable", stable, from, stable.length - 1),
                thresholds: CANARY_THRESHOLDS,
            }).decision;
            t = at;
            if (decided !== "hold") break;
        }
        rungs.push(t - start);
        if (decided !== "promote") return { result: decided === "rollback" ? "rolled-back" : "held", minutes: t, looks, rungs };
    }
    return { result: "promoted", minutes: t, looks, rungs };
}

/** The last minute's p95 from its histogram, linear inside the bucket (as the judge reads it). */
function p95Of(m: Minute): number | undefined {
    const rank = 0.95 * m.requests;
    let before = 0;
    for (let i = 0; i < m.counts.length; i++) {
        const c = m.counts[i];
        if (c > 0 && before + c >= rank) {
            if (i >= BOUNDS.length) return BOUNDS[BOUNDS.length - 1];
            const lo = i === 0 ? 0 : BOUNDS[i - 1];
            return lo + ((rank - before) / c) * (BOUNDS[i] - lo);
        }
        before += c;
    }
    return undefined;
}

function runFlagger(w: World): Outcome {
    const t0 = CANARY_THRESHOLDS;
    let t = 0;
    let looks = 0;
    const rungs: number[] = [];
    let failed = 0;
    for (let r = 0; r < RUNGS.length; r++) {
        const start = t;
        for (let at = start + LAG + 1; ; at++) {
            const last = at - LAG - 1;
            const c = w.minute("canary", last, RUNGS[r]);
            const s = w.minute("stable", last, RUNGS[r]);
            looks++;
            t = at;
            const cp95 = p95Of(c);
            const sp95 = p95Of(s);
            // No values found is a failed check (Flagger's ErrNoValuesFound).
            const ok = c.requests > 0 && cp95 !== undefined && sp95 !== undefined && c.errors / c.requests <= t0.maxErrorRate && cp95 <= latencyMark(sp95, t0.maxLatencyRatio, t0.latencyFloorMs);
            if (ok) break;
            failed++;
            if (failed >= FLAGGER_THRESHOLD) return { result: "rolled-back", minutes: t, looks, rungs: [...rungs, t - start] };
        }
        rungs.push(t - start);
    }
    return { result: "promoted", minutes: t, looks, rungs };
}

export function simulateRollout(kind: Kind, band: Band, seed: number): Rollout {
    const random = generator(seed);
    const { w, healthy } = world(kind, band.rps, random);
    return {
        kind,
        band: band.name,
        healthy,
        outcomes: { sequential: runSequential(w), window: runWindow(w), flagger: runFlagger(w) },
    };
}

/** `perBand` rollouts in each band, kinds drawn from the mix; rollout i of a band has seed `seed + i`. */
export function simulateLadder(perBand: number, seed = 20261205, bands: readonly Band[] = BANDS): Rollout[] {
    const total = MIX.reduce((s, [, w]) => s + w, 0);
    const out: Rollout[] = [];
    bands.forEach((band, b) => {
        for (let i = 0; i < perBand; i++) {
            // Kinds in fixed proportions (a stratified draw): the counts per kind do not depend on the seed.
            let x = ((i + 0.5) / perBand) * total;
            let kind: Kind = MIX[0][0];
            for (const [k, wgt] of MIX) {
                if (x < wgt) {
                    kind = k;
                    break;
                }
                x -= wgt;
            }
            out.push(simulateRollout(kind, band, seed + b * 1_000_003 + i));
        }
    });
    return out;
}

/** Whether a rule's outcome is a false promote (a regressed canary reached 100 %) or a false rollback (a healthy one was rolled back). */
export function falsePromote(r: Rollout, rule: RuleName): boolean {
    return !r.healthy && r.outcomes[rule].result === "promoted";
}

export function falseRollback(r: Rollout, rule: RuleName): boolean {
    return r.healthy && r.outcomes[rule].result === "rolled-back";
}

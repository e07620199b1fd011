// The canary judge on simulated stages, in-process, beside the runbook's bare rule (observed 5xx
// rate <= 1 % and p95 <= 1.2x stable, no minimum sample) judged on the very same data.
// Healthy stages: the canary is drawn from the stable revision's own distributions. Regressed
// stages: the canary's 5xx rate is 1.5-5x the threshold, or its latency 1.4-2.5x stable's.
// Canary samples are log-uniform from 30 to 5,000 requests; the stable revision gets the rest of
// the traffic at a 5, 25 or 50 % stage. Latencies are log-normal, bucketed like Cloud Run's
// request_latencies (exponential buckets); everything is seeded, so a run is reproducible.
import { CANARY_THRESHOLDS } from "../catalog";
import { judgeStage, type Decision, type RevisionObservation } from "../canary/judge";
import { bucketBounds, histogramQuantile, type Histogram } from "../canary/histogram";
import type { Bench, BenchFigure } from "./figure";
import { generator } from "./lib/ladder-sim";

const STAGES = 10_000;
const BUCKETS = { exponentialBuckets: { numFiniteBuckets: 64, growthFactor: 1.4, scale: 1 } };
const BOUNDS = bucketBounds(BUCKETS)!;
const SIZE_BANDS: readonly [number, number][] = [
    [30, 99],
    [100, 299],
    [300, 999],
    [1000, 5000],
];

interface Profile {
    errorRate: number;
    medianMs: number;
    sigma: number;
}

function observe(revision: string, n: number, p: Profile, random: () => number): RevisionObservation {
    const counts = new Array<number>(BOUNDS.length + 1).fill(0);
    const logG = Math.log(BUCKETS.exponentialBuckets.growthFactor);
    let errors = 0;
    // ln(value) is normal: the bucket index follows from it without an exp() per request.
    const logMedian = Math.log(p.medianMs / BUCKETS.exponentialBuckets.scale);
    const place = (z: number): void => {
        const index = Math.floor((logMedian + p.sigma * z) / logG) + 1;
        counts[Math.min(BOUNDS.length, Math.max(0, index))]++;
    };
    for (let i = 0; i < n; i += 2) {
        // Box-Muller gives two normals per pair of uniforms.
        const radius = Math.sqrt(-2 * Math.log(1 - random()));
        const angle = 2 * Math.PI * random();
        place(radius * Math.cos(angle));
        if (i + 1 < n) place(radius * Math.sin(angle));
    }
    for (let i = 0; i < n; i++) if (random() < p.errorRate) errors++;
    const latency: Histogram = { bounds: BOUNDS, counts, count: n };
    return { revision, requests: n, errors, latency };
}

/** The runbook's rule as written: observed rate and p95 ratio, no minimum, no bounds. */
function bareRule(canary: RevisionObservation, stable: RevisionObservation): Decision {
    const rate = canary.requests > 0 ? canary.errors / canary.requests : 0;
    const c = canary.latency ? histogramQuantile(canary.latency, 0.95)?.value : undefined;
    const s = stable.latency ? histogramQuantile(stable.latency, 0.95)?.value : undefined;
    const latencyOk = c === undefined || s === undefined || c <= s * 1.2;
    return rate <= 0.01 && latencyOk ? "promote" : "rollback";
}

interface Tally {
    healthy: number;
    healthyPromoted: number;
    healthyRolledBack: number;
    regressed: number;
    regressedPromoted: number;
    regressedRolledBack: number;
    belowMinimumPromoted: number;
}

const emptyTally = (): Tally => ({ healthy: 0, healthyPromoted: 0, healthyRolledBack: 0, regressed: 0, regressedPromoted: 0, regressedRolledBack: 0, belowMinimumPromoted: 0 });

function add(t: Tally, healthy: boolean, decision: Decision, belowMinimum: boolean): void {
    if (healthy) {
        t.healthy++;
        if (decision === "promote") t.healthyPromoted++;
        if (decision === "rollback") t.healthyRolledBack++;
    } else {
        t.regressed++;
        if (decision === "promote") t.regressedPromoted++;
        if (decision === "rollback") t.regressedRolledBack++;
    }
    if (belowMinimum && decision === "promote") t.belowMinimumPromoted++;
}

const share = (k: number, n: number): number => (n > 0 ? (100 * k) / n : 0);
const cell = (x: number): string => `${x.toFixed(1).padStart(5)} %`;

export interface CanaryBenchResult {
    judge: Tally;
    bare: Tally;
    judgeBySize: Tally[];
    bareBySize: Tally[];
    judgeLarge: Tally;
    bareLarge: Tally;
    durationMs: number;
}

export function simulate(stages = STAGES, seed = 20261201): CanaryBenchResult {
    const random = generator(seed);
    const t = CANARY_THRESHOLDS;
    const result: CanaryBenchResult = {
        judge: emptyTally(),
        bare: emptyTally(),
        judgeBySize: SIZE_BANDS.map(emptyTally),
        bareBySize: SIZE_BANDS.map(emptyTally),
        judgeLarge: emptyTally(),
        bareLarge: emptyTally(),
        durationMs: 0,
    };
    const started = performance.now();
    for (let i = 0; i < stages; i++) {
        const percent = [5, 25, 50][Math.floor(random() * 3)];
        const nCanary = Math.round(Math.exp(Math.log(30) + random() * (Math.log(5000) - Math.log(30))));
        const nStable = Math.round((nCanary * (100 - percent)) / percent);
        const stable: Profile = { errorRate: random() * 0.005, medianMs: 80 + random() * 220, sigma: 0.3 + random() * 0.4 };
        const healthy = random() < 0.5;
        const canary: Profile = { ...stable };
        if (!healthy) {
            if (random() < 0.5) canary.errorRate = t.maxErrorRate * (1.5 + random() * 3.5);
            else canary.medianMs = stable.medianMs * (1.4 + random() * 1.1);
        }
        const c = observe("canary", nCanary, canary, random);
        const s = observe("stable", nStable, stable, random);
        const judged = judgeStage({ canary: c, stable: s, thresholds: t }).decision;
        const bare = bareRule(c, s);
        const below = nCanary < t.minRequests;
        const band = SIZE_BANDS.findIndex(([lo, hi]) => nCanary >= lo && nCanary <= hi);
        add(result.judge, healthy, judged, below);
        add(result.bare, healthy, bare, below);
        if (band >= 0) {
            add(result.judgeBySize[band], healthy, judged, below);
            add(result.bareBySize[band], healthy, bare, below);
        }
        if (nCanary >= 300) {
            add(result.judgeLarge, healthy, judged, below);
            add(result.bareLarge, healthy, bare, below);
        }
    }
    result.durationMs = performance.now() - started;
    return result;
}

function table(r: CanaryBenchResult): string {
    const lines = ["canary requests | judge: healthy promoted, false rollback, false promote | bare rule: healthy promoted, false rollback, false promote"];
    SIZE_BANDS.forEach(([lo, hi], i) => {
        const j = r.judgeBySize[i];
        const b = r.bareBySize[i];
        lines.push(
            `${`${lo}-${hi}`.padEnd(15)} | ${cell(share(j.healthyPromoted, j.healthy))} ${cell(share(j.healthyRolledBack, j.healthy))} ${cell(share(j.regressedPromoted, j.regressed))}` +
                ` | ${cell(share(b.healthyPromoted, b.healthy))} ${cell(share(b.healthyRolledBack, b.healthy))} ${cell(share(b.regressedPromoted, b.regressed))}   (${j.healthy} healthy, ${j.regressed} regressed)`,
        );
    });
    return lines.join("\n");
}

const bench: Bench = () => {
    const r = simulate();
    process.stdout.write(`${r.judge.healthy + r.judge.regressed} simulated stages in ${r.durationMs.toFixed(0)} ms\n${table(r)}\n`);
    const figure = (name: string, measured: number, baseline: number, goal: BenchFigure["goal"]): BenchFigure => ({
        name,
        measured,
        baselineLabel: "the runbook's bare rule on the same stages",
        baseline,
        unit: "%",
        goal,
    });
    return Promise.resolve([
        figure("false promote (regressed stages promoted)", share(r.judge.regressedPromoted, r.judge.regressed), share(r.bare.regressedPromoted, r.bare.regressed), { atMost: 1 }),
        figure("false rollback (healthy stages rolled back)", share(r.judge.healthyRolledBack, r.judge.healthy), share(r.bare.healthyRolledBack, r.bare.healthy), { atMost: 2 }),
        figure("healthy stages with 300+ canary requests promoted", share(r.judgeLarge.healthyPromoted, r.judgeLarge.healthy), share(r.bareLarge.healthyPromoted, r.bareLarge.healthy), {
            atLeast: 80,
        }),
        figure(
            `stages under ${CANARY_THRESHOLDS.minRequests} canary requests promoted`,
            share(r.judge.belowMinimumPromoted, r.judgeBySize[0].healthy + r.judgeBySize[0].regressed),
            share(r.bare.belowMinimumPromoted, r.bareBySize[0].healthy + r.bareBySize[0].regressed),
            { atMost: 0 },
        ),
    ]);
};

export default bench;

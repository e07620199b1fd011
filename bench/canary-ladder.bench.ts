// Whole canary rollouts (bench/lib/ladder-sim.ts), a look every minute, judged by the sequential
// rule, today's fixed-window rule and a Flagger-style per-minute threshold rule on the same data.
// Per traffic band: time to 100 % for healthy releases, time to rollback for regressed ones, and
// false promote and false rollback per rollout, with 95 % Clopper-Pearson intervals.
import { betaQuantile } from "../canary/stats";
import type { Bench, BenchFigure } from "./figure";
import { BANDS, HEALTHY_KINDS, type Kind, MIX, RULES, type Rollout, type RuleName, falsePromote, falseRollback, simulateLadder } from "./lib/ladder-sim";

/** Rollouts per band: healthy and regressed about 1,000 each, so 0.5 % is about five events in a band and twenty overall. */
export const PER_BAND = 2000;

/** The traffic from which the issue's speed goals are held: every band, down to 10 rps (where the 5 % rung sees 30 requests a minute). */
const GOAL_FROM_RPS = 10;

function quantile(values: number[], q: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Two-sided 95 % Clopper-Pearson interval of k in n, in percent. */
function interval(k: number, n: number): [number, number] {
    const lower = k === 0 ? 0 : betaQuantile(0.025, k, n - k + 1);
    const upper = k === n ? 1 : betaQuantile(0.975, k + 1, n - k);
    return [lower * 100, upper * 100];
}

const minutes = (x: number): string => (Number.isFinite(x) ? `${x}` : "-");
const rate = (k: number, n: number): string => {
    const [lo, hi] = interval(k, n);
    return `${k}/${n} = ${((100 * k) / n).toFixed(2)} % [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
};
const LABEL: Record<RuleName, string> = { sequential: "sequential", window: "today's window", flagger: "Flagger-style" };

/** Minutes to 100 % of the healthy (Infinity when not promoted), to rollback of the regressed (Infinity when not rolled back). */
const toPromote = (r: Rollout, rule: RuleName): number => (r.outcomes[rule].result === "promoted" ? r.outcomes[rule].minutes : Infinity);
const toRollback = (r: Rollout, rule: RuleName): number => (r.outcomes[rule].result === "rolled-back" ? r.outcomes[rule].minutes : Infinity);

export interface LadderSummary {
    band: string;
    healthyMedian: Record<RuleName, number>;
    /** Regressions today's rule rolls back: median minutes to rollback by each rule, on those same rollouts. */
    rollbackMedian: Record<RuleName, number>;
}

export function summarize(rollouts: readonly Rollout[], band: string): LadderSummary {
    const inBand = rollouts.filter((r) => r.band === band);
    const healthy = inBand.filter((r) => r.healthy);
    const caughtToday = inBand.filter((r) => !r.healthy && r.outcomes.window.result === "rolled-back");
    const per = (f: (rule: RuleName) => number): Record<RuleName, number> => ({ sequential: f("sequential"), window: f("window"), flagger: f("flagger") });
    return {
        band,
        healthyMedian: per((rule) =>
            quantile(
                healthy.map((r) => toPromote(r, rule)),
                0.5,
            ),
        ),
        rollbackMedian: per((rule) =>
            quantile(
                caughtToday.map((r) => toRollback(r, rule)),
                0.5,
            ),
        ),
    };
}

function report(rollouts: readonly Rollout[], ms: number): string {
    const lines = [`${rollouts.length} simulated rollouts (${PER_BAND} per band; ladder 5 -> 25 -> 50 -> 100, a look every minute, 3 min ingestion lag) in ${(ms / 1000).toFixed(1)} s`];
    const kinds: Kind[] = MIX.map(([k]) => k).filter((k) => !HEALTHY_KINDS.includes(k));
    for (const band of BANDS) {
        const inBand = rollouts.filter((r) => r.band === band.name);
        const healthy = inBand.filter((r) => r.healthy);
        const regressed = inBand.filter((r) => !r.healthy);
        lines.push("", `== ${band.name} on the service (${healthy.length} healthy, ${regressed.length} regressed)`);
        lines.push("rule            | healthy to 100 %: median, p90 min, held | regressed: rolled back, median min | false promote / rollout [95 % CI]   | false rollback / rollout [95 % CI]");
        for (const rule of RULES) {
            const times = healthy.map((r) => toPromote(r, rule));
            const held = healthy.filter((r) => r.outcomes[rule].result === "held").length;
            const rolled = regressed.filter((r) => r.outcomes[rule].result === "rolled-back");
            lines.push(
                `${LABEL[rule].padEnd(15)} | ${minutes(quantile(times, 0.5)).padStart(6)} ${minutes(quantile(times, 0.9)).padStart(6)} ${`${((100 * held) / healthy.length).toFixed(1)} %`.padStart(8)}              | ${`${((100 * rolled.length) / regressed.length).toFixed(1)} %`.padStart(7)} ${minutes(
                    quantile(
                        regressed.map((r) => toRollback(r, rule)),
                        0.5,
                    ),
                ).padStart(
                    6,
                )}           | ${rate(regressed.filter((r) => falsePromote(r, rule)).length, regressed.length).padEnd(35)} | ${rate(healthy.filter((r) => falseRollback(r, rule)).length, healthy.length)}`,
            );
        }
        lines.push(`  median minutes to 100 % by healthy kind (- not promoted), ${RULES.map((r) => LABEL[r]).join(" / ")}:`);
        for (const kind of HEALTHY_KINDS) {
            const of = healthy.filter((r) => r.kind === kind);
            const cells = RULES.map((rule) =>
                minutes(
                    quantile(
                        of.map((r) => toPromote(r, rule)),
                        0.5,
                    ),
                ),
            ).join(" / ");
            const rolled = RULES.map((rule) => `${of.filter((r) => falseRollback(r, rule)).length}`).join("/");
            lines.push(`    ${kind.padEnd(17)} ${cells.padEnd(14)} (n ${of.length}; rolled back: ${rolled})`);
        }
        lines.push(`  median minutes to rollback by kind (- never within the ladder), ${RULES.map((r) => LABEL[r]).join(" / ")}:`);
        for (const kind of kinds) {
            const of = regressed.filter((r) => r.kind === kind);
            const cells = RULES.map((rule) =>
                minutes(
                    quantile(
                        of.map((r) => toRollback(r, rule)),
                        0.5,
                    ),
                ),
            ).join(" / ");
            const promoted = RULES.map((rule) => `${of.filter((r) => falsePromote(r, rule)).length}`).join("/");
            lines.push(`    ${kind.padEnd(17)} ${cells.padEnd(14)} (n ${of.length}; promoted to 100 %: ${promoted})`);
        }
    }
    return lines.join("\n");
}

const bench: Bench = () => {
    const started = performance.now();
    const rollouts = simulateLadder(PER_BAND);
    const ms = performance.now() - started;
    process.stdout.write(`${report(rollouts, ms)}\n\n`);
    const healthy = rollouts.filter((r) => r.healthy);
    const regressed = rollouts.filter((r) => !r.healthy);
    const share = (k: number, n: number): number => (100 * k) / n;
    const figures: BenchFigure[] = [
        {
            name: `false promote per rollout, sequential rule (${regressed.length} regressed rollouts, all bands)`,
            measured: share(regressed.filter((r) => falsePromote(r, "sequential")).length, regressed.length),
            baselineLabel: "today's fixed-window rule on the same rollouts",
            baseline: share(regressed.filter((r) => falsePromote(r, "window")).length, regressed.length),
            unit: "%",
            goal: { atMost: 0.5 },
        },
        {
            name: `false rollback per rollout, sequential rule (${healthy.length} healthy rollouts, all bands)`,
            measured: share(healthy.filter((r) => falseRollback(r, "sequential")).length, healthy.length),
            baselineLabel: "today's fixed-window rule on the same rollouts",
            baseline: share(healthy.filter((r) => falseRollback(r, "window")).length, healthy.length),
            unit: "%",
            goal: { atMost: 0.5 },
        },
    ];
    // The speed goals hold from GOAL_FROM_RPS: each is checked on the band where the sequential rule comes closest to today's rule.
    const summaries = BANDS.map((band) => ({ band, s: summarize(rollouts, band.name) }));
    const held = summaries.filter(({ band }) => band.rps >= GOAL_FROM_RPS);
    const worst = (ratio: (s: LadderSummary) => number) => held.reduce((a, b) => (ratio(b.s) > ratio(a.s) ? b : a));
    const speed = worst((s) => s.healthyMedian.sequential / s.healthyMedian.window);
    const rollback = worst((s) => s.rollbackMedian.sequential / s.rollbackMedian.window);
    figures.push(
        {
            name: `median minutes to 100 % of a healthy release, sequential rule, at ${speed.band.name} (of the bands from ${GOAL_FROM_RPS} rps, the one closest to today's rule)`,
            measured: speed.s.healthyMedian.sequential,
            baselineLabel: "today's fixed-window rule",
            baseline: speed.s.healthyMedian.window,
            unit: "min",
            goalRatio: 0.5,
        },
        {
            name: `median minutes to rollback of the regressions today's rule rolls back, sequential rule, at ${rollback.band.name} (of the bands from ${GOAL_FROM_RPS} rps, the one closest to today's rule)`,
            measured: rollback.s.rollbackMedian.sequential,
            baselineLabel: "today's fixed-window rule",
            baseline: rollback.s.rollbackMedian.window,
            unit: "min",
            goalRatio: 1,
        },
    );
    // Bands below GOAL_FROM_RPS, if any: reported without a goal.
    for (const { band, s } of summaries.filter(({ band }) => band.rps < GOAL_FROM_RPS)) {
        figures.push(
            {
                name: `median minutes to 100 % of a healthy release at ${band.name}, sequential rule (no goal below ${GOAL_FROM_RPS} rps)`,
                measured: s.healthyMedian.sequential,
                baselineLabel: "today's fixed-window rule",
                baseline: s.healthyMedian.window,
                unit: "min",
            },
            {
                name: `median minutes to rollback at ${band.name} of the regressions today's rule rolls back, sequential rule (no goal below ${GOAL_FROM_RPS} rps)`,
                measured: s.rollbackMedian.sequential,
                baselineLabel: "today's fixed-window rule",
                baseline: s.rollbackMedian.window,
                unit: "min",
            },
        );
    }
    return Promise.resolve(figures);
};

export default bench;

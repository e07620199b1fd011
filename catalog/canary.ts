// The control service's canary: the ladder it walks and the numbers each stage is judged by.
// The config, the policy pack and the canary analysis all read them here.

/** The documented canary ladder for the control service (percent on the new revision). */
export const CANARY_LADDER = [0, 5, 25, 50, 100] as const;

/** Whether a traffic share sits on the ladder: it, or its complement (the stable revision's share), is a rung. */
export function isOnCanaryLadder(percent: number, ladder: readonly number[] = CANARY_LADDER): boolean {
    return ladder.includes(percent) || ladder.includes(100 - percent);
}

/** One target of the control service's traffic: a revision, its share, and its role (the traffic tag it carries). */
export interface SplitTarget {
    revision: string;
    percent: number;
    role: "sole" | "stable" | "canary";
}

/**
 * The split a deploy means: the stable revision keeps what the canary does not take. With no
 * stable revision, or the deploy's own, the deploy's revision takes everything. Both targets of
 * a canary stay listed at 0 % (each keeps its tagged URL); the program declares this, the stack
 * outputs report it, and the gate judges what serves against it.
 */
export function canarySplit(revision: string, stableRevision: string, canaryPercent: number): SplitTarget[] {
    const stable = stableRevision.trim();
    if (stable === "" || stable === revision) return [{ revision, percent: 100, role: "sole" }];
    return [
        { revision: stable, percent: 100 - canaryPercent, role: "stable" },
        { revision, percent: canaryPercent, role: "canary" },
    ];
}

/** The share of traffic a split gives the deploy's revision. */
export function canaryShare(split: readonly SplitTarget[]): number {
    return split.find((t) => t.role !== "stable")?.percent ?? 0;
}

/**
 * Why a canary split is a no-op, or undefined: the stable revision is the very revision this
 * deploy creates, so a share between 1 and 99 percent moves traffic from a revision to itself.
 */
export function canarySplitProblem(stableRevision: string, revision: string, canaryPercent: number): string | undefined {
    if (stableRevision === "" || stableRevision !== revision || canaryPercent <= 0 || canaryPercent >= 100) return undefined;
    return `the stable revision is this deploy's own revision, so a ${canaryPercent}% canary splits ${revision} with itself`;
}

/** What a canary stage is judged by (docs/canary.md, "Canary analysis", gives the reasoning). */
export interface CanaryThresholds {
    /** Highest tolerated 5xx rate (the runbook's "under 1 %"), as a fraction. */
    maxErrorRate: number;
    /** Promote only when the 5xx rate's upper confidence bound is at most this (a fraction). */
    errorRateCeiling: number;
    /** Highest tolerated canary p95 over stable p95 (the runbook's "at most 20 % worse"). */
    maxLatencyRatio: number;
    /** A p95 difference at or under this many ms never counts as a regression. */
    latencyFloorMs: number;
    /** Requests each revision needs in the window before anything is promoted. */
    minRequests: number;
    /** Latency samples each revision needs before p95 is compared at all. */
    latencyMinSamples: number;
    /** 5xx a canary needs before its error rate can roll it back (one failed request is an anecdote). */
    rollbackMinErrors: number;
    /** One-sided confidence of every bound (Clopper-Pearson for rates, order statistics for p95). */
    confidence: number;
}

export const CANARY_THRESHOLDS: CanaryThresholds = {
    maxErrorRate: 0.01,
    errorRateCeiling: 0.02,
    maxLatencyRatio: 1.2,
    latencyFloorMs: 50,
    minRequests: 100,
    latencyMinSamples: 200,
    rollbackMinErrors: 2,
    confidence: 0.95,
};

/** The analysis window of one stage, and how far behind now it ends (Monitoring ingestion lags 2-3 min). */
export const CANARY_WINDOW = {
    defaultMs: 10 * 60_000,
    ingestionLagMs: 3 * 60_000,
    /** Monitoring's smallest alignment period. */
    minMs: 60_000,
    maxMs: 24 * 60 * 60_000,
} as const;

/** The Cloud Run metrics the analysis reads (monitored resource cloud_run_revision). */
export const CANARY_METRICS = {
    requestCount: "run.googleapis.com/request_count",
    requestLatencies: "run.googleapis.com/request_latencies",
    resourceType: "cloud_run_revision",
} as const;

/**
 * The sequential rule's error budget for a whole rollout (docs/canary.md, "The sequential rule"):
 * a rollout that reaches 100 % with a regressed canary (false promote), or rolls back a healthy one
 * (false rollback), each at most this often, however many times it is looked at.
 */
export const CANARY_ERROR_BUDGET = { falsePromote: 0.005, falseRollback: 0.005 } as const;

/**
 * How the sequential rule looks and what it is sure of at each look. Every bound is a confidence
 * sequence, valid at every look at once: Robbins' method of mixtures with a beta prior over a
 * binomial rate (H. Robbins, "Statistical methods related to the law of the iterated logarithm",
 * Ann. Math. Statist. 41(5) 1970; the beta-binomial mixture of Howard, Ramdas, McAuliffe and
 * Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49(2)
 * 2021, arXiv:1810.08240, implemented by its authors as BetaBinomialMixture in
 * gostevehoward/confseq src/confseq/uniform_boundaries.h), and for p95 the same sequence over the
 * count of requests above a value (Howard and Ramdas, "Sequential estimation of quantiles with
 * applications to A/B-testing and best-arm identification", Bernoulli 28(3) 2022, arXiv:1906.09712).
 */
export const CANARY_SEQUENTIAL = {
    /** A look a minute: Monitoring samples every 60 s, so a look more often sees nothing new. */
    lookEveryMs: 60_000,
    /**
     * The healthy zone is this share of each tolerance: a canary at or under half the 5xx
     * threshold (0.5 %), or with p95 within 1.1x (or 25 ms of) stable, is healthy and is rolled
     * back at most with the rollback budget; one at or beyond the tolerance itself (1 %, 1.2x and
     * 50 ms) is regressed and is promoted to 100 % at most with the promote budget. In between
     * the rule may hold, promote or roll back: no test can part 0.99 % from 1.01 % in minutes.
     */
    healthyShareOfTolerance: 0.5,
    /**
     * A step up is not a release: the last rung decides, on everything the canary served. The
     * first rung (the scarcest traffic) steps up once its minimum sample is in and the canary is
     * not grossly broken: shown under `firstStepWiden` times each tolerance at `firstStepConfidence`.
     * The rungs between step up at `stepConfidence` within `stepWiden` times each tolerance, on the
     * rollout's data: a filter that keeps a regression twice the tolerance from the last rung.
     */
    firstStepConfidence: 0.5,
    firstStepWiden: 6,
    stepConfidence: 0.8,
    stepWiden: 2,
    /** A step's bounds are read at a few hundred requests: their prior weighs this much (a light prior is tighter there). */
    stepPriorWeight: 20,
    /** The last rung's own guard: its data alone within this many times each tolerance, at the whole promote budget. */
    guardWiden: 2,
    /** The share of the rollback budget the rollout's pooled sequences hold; the rung-only ones share the rest. */
    pooledRollbackShare: 0.5,
    /** The level the latency tests compare at: p95, so 5 % of requests above the mark. */
    quantile: 0.95,
    /**
     * A promotion's bound is a beta-binomial confidence sequence whose prior is centred on the
     * ceiling it is compared with (a mixture is tightest where its prior has its mass): this many
     * pseudo-observations, their mean at the ceiling.
     */
    priorWeight: 100,
    /**
     * A rollback is a one-sided mixture SPRT: the alternatives, as multiples of the healthy
     * boundary it rejects, weighted evenly (Robbins' method of mixtures with a discrete mixing
     * distribution; every component is Wald's likelihood ratio, a supermartingale under any rate
     * at or below the boundary, so their average is one too).
     */
    rollbackAlternatives: [2, 4, 8],
    /**
     * A promotion is the mirror test: a one-sided mixture SPRT that rejects "the rate is at least
     * the ceiling", its alternatives as fractions of the ceiling (each likelihood ratio is a
     * supermartingale under any rate at or above the ceiling). For 5xx they span the healthy
     * zone (at most half the threshold); for the share above the latency mark they reach close to
     * the ceiling, since a healthy canary's share above 1.2x stable's p95 lies anywhere under 5 %.
     */
    promoteErrorAlternatives: [0.5, 0.25, 0.1],
    promoteLatencyAlternatives: [0.8, 0.6, 0.4, 0.2],
} as const;

/** What one look is sure of with one set of sequences: the miscoverage of each, the budget split so the whole rollout keeps it. */
export interface SequentialLevels {
    /** Promote: the canary's 5xx upper bound (5xx alone decides whether a 5xx-regressed canary gets past). */
    promoteErrors: number;
    /** Promote: the canary's share above the latency mark, and the stable p95 the mark is set from (they add up). */
    promoteLatencyCanary: number;
    promoteLatencyStable: number;
    /** What a promotion proves the canary within: the tolerance itself for the release, a multiple of it for a step up or the rung's guard. */
    promoteErrorCeiling: number;
    promoteLatencyRatio: number;
    promoteLatencyFloorMs: number;
    /** The weight of the promotion bounds' prior (CANARY_SEQUENTIAL.priorWeight, stepPriorWeight for a step up). */
    promotePriorWeight: number;
    /** Roll back: the canary's and the stable revision's sequences of each metric. */
    rollbackCanaryErrors: number;
    rollbackCanaryLatency: number;
    rollbackStableErrors: number;
    rollbackStableLatency: number;
}

/** The levels of one look: the rollout's sequences (everything the canary has served so far) and, after the first rung, the rung's own. */
export interface LookLevels {
    rollout: SequentialLevels;
    /** The rung's own data: a rollback on it, and at the last rung a guard every promotion must also pass. Absent at the first rung (its data is the rollout's). */
    rung?: SequentialLevels;
}

/** A rung's share of the rollback budget for its own sequences: the rollout's pooled ones take `pooledRollbackShare`, each later rung an even part of the rest. */
export function rollbackShare(rung: number, judgedRungs: number): number {
    const rungs = Math.max(1, Math.floor(judgedRungs));
    if (rungs === 1 || rung <= 0) return 0;
    return (1 - CANARY_SEQUENTIAL.pooledRollbackShare) / (rungs - 1);
}

function levelsOf(promote: number, widen: number, rollback: number, t: CanaryThresholds, ceiling: number, promotePriorWeight: number = CANARY_SEQUENTIAL.priorWeight): SequentialLevels {
    return {
        promotePriorWeight,
        promoteErrors: promote,
        promoteLatencyCanary: promote / 2,
        promoteLatencyStable: promote / 2,
        promoteErrorCeiling: ceiling,
        promoteLatencyRatio: 1 + (t.maxLatencyRatio - 1) * widen,
        promoteLatencyFloorMs: t.latencyFloorMs * widen,
        rollbackCanaryErrors: rollback * 0.4,
        rollbackCanaryLatency: rollback * 0.4,
        rollbackStableErrors: rollback * 0.1,
        rollbackStableLatency: rollback * 0.1,
    };
}

/**
 * The levels at rung `rung` (0-based) of a ladder with `judgedRungs` judged rungs (those under
 * 100 %). Every canary request of a rollout goes to one revision, so the rollout's sequences run
 * over all of them, across rungs: one confidence sequence is valid at every look of every rung at
 * once (Ville's inequality), and pooling needs no split of the budget over rungs.
 * Roll back: the rollout's sequences hold `pooledRollbackShare` of the budget; the rest is split
 * (Bonferroni) over the rung-only sequences of the rungs after the first (the first rung's data
 * is the rollout's), which catch a regression that only shows under a rung's load; within each,
 * 40 % to each metric's canary sequence and 10 % to each stable one. Promote: a rollout reaches
 * 100 % only through the last rung, and a canary regressed all along has to get past the
 * rollout's sequence of the metric it regressed in there, so that sequence holds the whole budget
 * (p95's split between its two sequences); a promotion at the last rung must also pass the rung's
 * own guard at the same level within `guardWiden` times each tolerance, so a regression that
 * starts at the last rung's load is bounded as well (a promotion needs both: each bounds its own
 * case). Earlier rungs step up at `stepConfidence` within `stepWiden` times each tolerance on the
 * rollout's data: a filter against gross regressions, not a release.
 */
export function sequentialLevels(rung: number, judgedRungs: number, t: CanaryThresholds = CANARY_THRESHOLDS): LookLevels {
    const final = rung >= judgedRungs - 1;
    const pooled = judgedRungs <= 1 ? 1 : CANARY_SEQUENTIAL.pooledRollbackShare;
    const first = rung <= 0 && !final;
    const q = CANARY_SEQUENTIAL;
    const promote = final ? CANARY_ERROR_BUDGET.falsePromote : 1 - (first ? q.firstStepConfidence : q.stepConfidence);
    const widen = final ? 1 : first ? q.firstStepWiden : q.stepWiden;
    const rollout = levelsOf(
        promote,
        widen,
        CANARY_ERROR_BUDGET.falseRollback * pooled,
        t,
        final ? t.maxErrorRate : t.maxErrorRate * widen,
        final ? CANARY_SEQUENTIAL.priorWeight : CANARY_SEQUENTIAL.stepPriorWeight,
    );
    if (rung <= 0) return { rollout };
    const g = CANARY_SEQUENTIAL.guardWiden;
    return { rollout, rung: levelsOf(CANARY_ERROR_BUDGET.falsePromote, g, CANARY_ERROR_BUDGET.falseRollback * rollbackShare(rung, judgedRungs), t, t.maxErrorRate * g) };
}

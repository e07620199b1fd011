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

// The looks at one rung of the rollout: the first once a whole minute of data is past
// Monitoring's ingestion lag, then one a minute, each on everything the rung has served so far
// (from its first whole minute), until the rule promotes or rolls back, or the rung's deadline
// (today's window plus --max-holds windows) passes with a hold. The clock is the waits': a look
// is due when the waits so far say so, or later when the real clock says so.

import type { AnalyzeRun } from "./analyze";

export interface LookSchedule {
    /** Between looks (a minute: Monitoring samples every 60 s). */
    everyMs: number;
    /** Monitoring's ingestion lag: no look reads data younger than it. */
    lagMs: number;
    /** From the rung's up to its last look. */
    deadlineMs: number;
}

export interface LookWindow {
    start: Date;
    end: Date;
}

export interface RungLookDeps {
    /** Waits ms; false when interrupted. */
    wait(ms: number): Promise<boolean>;
    now(): Date;
    /** One look: the analysis of the window. */
    look(window: LookWindow, index: number): Promise<AnalyzeRun>;
    /** Whether a stop signal came in (checked after each hold). */
    interrupted(): boolean;
}

export type RungEnd =
    { end: "decided"; run: AnalyzeRun; looks: number } | { end: "deadline"; run: AnalyzeRun; looks: number; elapsedMs: number } | { end: "interrupted"; while: "waiting" | "holding"; looks: number };

const MINUTE = 60_000;

/** Looks at a rung until the rule decides, the deadline passes, or a signal stops it. */
export const lookUntilDecided = async (schedule: LookSchedule, deps: RungLookDeps): Promise<RungEnd> => {
    const upAt = deps.now().getTime();
    // The rung's data starts at its first whole minute: the minute of the up also served the split before it.
    const dataFrom = Math.ceil(upAt / MINUTE) * MINUTE;
    let elapsed = 0;
    let due = dataFrom - upAt + schedule.lagMs + Math.max(MINUTE, schedule.everyMs);
    // A deadline shorter than the first look (a 1-minute window, no holds) still waits for one whole minute past the lag.
    const deadline = Math.max(schedule.deadlineMs, due);
    let looks = 0;
    for (;;) {
        const target = Math.min(due, deadline);
        if (!(await deps.wait(Math.max(0, target - elapsed)))) return { end: "interrupted", while: "waiting", looks };
        elapsed = Math.max(target, deps.now().getTime() - upAt);
        const end = Math.floor((upAt + elapsed - schedule.lagMs) / MINUTE) * MINUTE;
        const run = await deps.look({ start: new Date(dataFrom), end: new Date(end) }, looks++);
        if (run.judgement.decision !== "hold") return { end: "decided", run, looks };
        if (elapsed >= deadline) return { end: "deadline", run, looks, elapsedMs: elapsed };
        if (deps.interrupted()) return { end: "interrupted", while: "holding", looks };
        due = target + schedule.everyMs;
    }
};

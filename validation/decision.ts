// GO / NO-GO, derived from the result rows only (as the old gate derived its summary): the run
// fails on any required failure or any required skip; an interrupted run is never GO.

import type { CheckResult } from "./check";

export interface Counts {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    requiredFailures: number;
    optionalFailures: number;
    requiredSkipped: number;
    optionalSkipped: number;
}

export interface Decision {
    overall: "passed" | "failed";
    go: boolean;
    counts: Counts;
    /** Required failures and required skips, in check order. */
    blockers: CheckResult[];
    interrupted: boolean;
}

export function countResults(results: readonly CheckResult[]): Counts {
    const c: Counts = { total: results.length, passed: 0, failed: 0, skipped: 0, requiredFailures: 0, optionalFailures: 0, requiredSkipped: 0, optionalSkipped: 0 };
    for (const r of results) {
        if (r.status === "passed") c.passed++;
        if (r.status === "failed") {
            c.failed++;
            if (r.required) c.requiredFailures++;
            else c.optionalFailures++;
        }
        if (r.status === "skipped") {
            c.skipped++;
            if (r.required) c.requiredSkipped++;
            else c.optionalSkipped++;
        }
    }
    return c;
}

export function decide(results: readonly CheckResult[], interrupted = false): Decision {
    const counts = countResults(results);
    const blockers = results.filter((r) => r.required && r.status !== "passed");
    const go = blockers.length === 0 && !interrupted && results.length > 0;
    return { overall: go ? "passed" : "failed", go, counts, blockers, interrupted };
}

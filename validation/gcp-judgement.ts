// Shared by the Cloud Run state checks: a read that may have failed (judged, never thrown), and
// a verdict built from the list of problems a judgement found.

import type { CheckVerdict } from "./check";
import { GcpApiError } from "../io/gcp/errors";

/** A read that either gave the resource or failed with a cause. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: GcpApiError };

/** Runs an API read; a GcpApiError becomes a failed Read, anything else (a bug) still throws. */
export async function read<T>(work: () => Promise<T>): Promise<Read<T>> {
    try {
        return { ok: true, value: await work() };
    } catch (err) {
        if (err instanceof GcpApiError) return { ok: false, error: err };
        throw err;
    }
}

/** What a pure judgement returns: failures, log lines showing what was compared, and warnings. */
export interface Judgement {
    problems: string[];
    lines: string[];
    warnings: string[];
}

/** A verdict from a judgement: the first problem leads the cause, the count says if there are more. */
export function verdictOf(problems: readonly string[], warnings: readonly string[], passNote: string, action?: string): CheckVerdict {
    if (problems.length === 0) return { status: "passed", cause: passNote, warnings: [...warnings] };
    const more = problems.length > 1 ? ` (+${problems.length - 1} more in the log)` : "";
    return { status: "failed", cause: `${problems[0]}${more}`, warnings: [...warnings], ...(action ? { action } : {}) };
}

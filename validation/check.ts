// The contract between the gate's runner and its checks. A check is one async function that
// returns a verdict; the runner owns concurrency, deadlines, interruption, redaction and the
// evidence files. A new check is one new module and one line in the check list.

export type CheckStatus = "passed" | "failed" | "skipped";

export interface CheckContext {
    /** Aborted when the check's deadline passes or the run is interrupted: pass it to every request. */
    readonly signal: AbortSignal;
    /** Epoch milliseconds after which the runner marks the check failed. */
    readonly deadline: number;
    /** Appends a line to logs/<check_id>.log (the runner redacts secrets before writing). */
    log(line: string): void;
}

export interface CheckVerdict {
    status: "passed" | "failed";
    /** One line: why it failed (required for a failure), or a short note on a pass. */
    cause?: string;
    /** Things a reviewer should see that do not fail the check (e.g. /healthz swallowed by Google's front end). */
    warnings?: string[];
}

export interface Check {
    /** Stable id, as in the old gate's matrix (e.g. control-staging-health). */
    readonly id: string;
    readonly required: boolean;
    readonly description: string;
    /** What the check does, as one line for results.tsv's command column (never a secret). */
    readonly command: string;
    /** When set, the check does not run and is recorded as skipped with this reason. */
    readonly skipReason?: string;
    run(ctx: CheckContext): Promise<CheckVerdict>;
}

export interface CheckResult {
    id: string;
    required: boolean;
    status: CheckStatus;
    description: string;
    command: string;
    /** Failure cause, or skip reason, or pass note. */
    cause?: string;
    warnings: string[];
    /** Path of the log relative to the output directory (logs/<id>.log). */
    logPath: string;
    startedAt: string;
    durationMs: number;
}

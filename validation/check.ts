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
    log: (line: string) => void;
}

export interface CheckVerdict {
    status: "passed" | "failed";
    /** One line: why it failed (required for a failure), or a short note on a pass. */
    cause?: string;
    /** Things a reviewer should see that do not fail the check (e.g. /healthz swallowed by Google's front end). */
    warnings?: string[];
    /** Extension (part 1): for a failure, what to do about it (SUMMARY.md's Go/No-Go section). */
    action?: string;
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
    /** Extension (part 1): for a skip, what to do so the check runs (SUMMARY.md's Go/No-Go section). */
    readonly skipAction?: string;
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
    /** Extension (part 1): the verdict's action, or the check's skipAction for a skip. */
    action?: string;
    startedAt: string;
    durationMs: number;
}

// Extensions made by part 1 (issue 4), all optional so existing checks stay valid:
// - CheckVerdict.action / Check.skipAction / CheckResult.action feed SUMMARY.md's Go/No-Go section.
// - A check is built by a CheckFactory (validation/checks/index.ts) from GateOptions
//   (validation/options.ts) and CheckDeps: the shared HttpClient (validation/http.ts: request(),
//   withRetry(), expectStatus()), the Redactor, and an ID-token source. Part 2 adds its
//   factories to CHECK_LIST there (validation/checks/cloud-state.ts).
// - The runner catches anything a check throws (failed, "check crashed: ..."), but checks should
//   return verdicts; the HttpClient never throws.

// Runs checks concurrently under a bound, each with a deadline, the whole run with an overall
// deadline, and an interrupt signal. Nothing aborts the run early: a failing, crashing or
// hanging check becomes one failed result and the others go on. On interrupt, every unfinished
// check is failed "interrupted" at once so the caller can write the evidence and exit.

import type { Check, CheckContext, CheckResult, CheckVerdict } from "./check";
import type { Redactor } from "../io/redact";
import { escapeControl } from "../io/text";

export interface RunOptions {
    /** Checks run at once; 0 = all of them. */
    concurrency: number;
    /** Per-check deadline in ms from the check's start. */
    checkTimeoutMs: number;
    /** Whole-run deadline in ms from the run's start. */
    overallTimeoutMs: number;
    /** Aborted on SIGINT/SIGTERM. */
    interrupt?: AbortSignal;
    redactor: Redactor;
    onStart?: (check: Check) => void;
    onFinish?: (result: CheckResult) => void;
    now?: () => number;
}

export interface RunOutcome {
    results: CheckResult[];
    /** Redacted log lines per check id. */
    logs: Map<string, string[]>;
    interrupted: boolean;
    startedAt: string;
    durationMs: number;
}

/** A result with every value that may carry server text redacted (its id, status and flags are structure: never). */
export function redactResult(result: CheckResult, redactor: Redactor): CheckResult {
    const redact = (text: string): string => escapeControl(redactor.redact(text));
    return {
        ...result,
        description: redact(result.description),
        command: redact(result.command),
        cause: result.cause === undefined ? undefined : redact(result.cause),
        warnings: result.warnings.map(redact),
        action: result.action === undefined ? undefined : redact(result.action),
    };
}

/**
 * The outcome with every value redacted again by the redactor as it is now: a secret learned
 * late in the run (a cookie, a token in an answer) is masked in what earlier checks logged.
 */
export function redactOutcome(outcome: RunOutcome, redactor: Redactor): RunOutcome {
    const logs = new Map<string, string[]>();
    for (const [id, lines] of outcome.logs)
        logs.set(
            id,
            lines.map((l) => escapeControl(redactor.redact(l))),
        );
    return { ...outcome, results: outcome.results.map((r) => redactResult(r, redactor)), logs };
}

export function logPathOf(id: string): string {
    return `logs/${id}.log`;
}

export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<RunOutcome> {
    const now = options.now ?? Date.now;
    const runStart = now();
    const startedAt = new Date(runStart).toISOString();
    const overallDeadline = runStart + options.overallTimeoutMs;
    const results = new Map<string, CheckResult>();
    const logs = new Map<string, string[]>();
    const running = new Map<string, { check: Check; started: number; controller: AbortController }>();
    // Set when a check's timer hits the overall deadline (timers may fire a millisecond before the clock agrees).
    let overallExpired = false;
    // Everything a check reports may carry server text: redacted, then its control characters shown.
    const redact = (text: string): string => escapeControl(options.redactor.redact(text));

    const record = (result: CheckResult): void => {
        if (results.has(result.id)) return;
        const safe = redactResult(result, options.redactor);
        results.set(result.id, safe);
        const lines = logs.get(result.id) ?? [];
        for (const w of safe.warnings) lines.push(`warning: ${w}`);
        lines.push(`result: ${safe.status}${safe.cause ? `: ${safe.cause}` : ""}`);
        logs.set(result.id, lines);
        options.onFinish?.(safe);
    };
    const base = (check: Check, started: number): Omit<CheckResult, "status" | "warnings"> => ({
        id: check.id,
        required: check.required,
        description: redact(check.description),
        command: redact(check.command),
        logPath: logPathOf(check.id),
        startedAt: new Date(started).toISOString(),
        durationMs: Math.max(0, now() - started),
    });

    // Skips are recorded up front: they never occupy a slot.
    const toRun: Check[] = [];
    for (const check of checks) {
        logs.set(check.id, []);
        if (check.skipReason !== undefined) {
            logs.get(check.id)!.push(`skipped: ${redact(check.skipReason)}`);
            record({ ...base(check, now()), status: "skipped", cause: check.skipReason, warnings: [], action: check.skipAction });
        } else {
            toRun.push(check);
        }
    }

    const interrupt = options.interrupt;
    let interrupted = interrupt?.aborted ?? false;
    let stopWaiting: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
        stopWaiting = resolve;
    });
    const onInterrupt = (): void => {
        interrupted = true;
        for (const { check, started, controller } of running.values()) {
            controller.abort();
            record({ ...base(check, started), status: "failed", cause: "interrupted", warnings: [], action: "re-run the gate to completion" });
        }
        stopWaiting();
    };
    interrupt?.addEventListener("abort", onInterrupt, { once: true });

    const runOne = async (check: Check): Promise<void> => {
        const started = now();
        const controller = new AbortController();
        const deadline = Math.min(started + options.checkTimeoutMs, overallDeadline);
        running.set(check.id, { check, started, controller });
        options.onStart?.(check);
        const lines = logs.get(check.id)!;
        const ctx: CheckContext = {
            signal: controller.signal,
            deadline,
            log: (line: string) => {
                // Lines logged after the result is recorded (a check still unwinding) are dropped.
                if (!results.has(check.id)) lines.push(`${new Date(now()).toISOString()} ${redact(line)}`);
            },
        };
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<CheckVerdict>((resolve) => {
            timer = setTimeout(
                () => {
                    controller.abort();
                    const overall = deadline === overallDeadline && overallDeadline < started + options.checkTimeoutMs;
                    if (overall) overallExpired = true;
                    resolve({
                        status: "failed",
                        cause: overall ? `overall deadline of ${options.overallTimeoutMs} ms passed before the check finished` : `check deadline of ${options.checkTimeoutMs} ms passed`,
                        action: "find out what hangs (see the log), or raise --check-timeout / --timeout",
                    });
                },
                Math.max(0, deadline - now()),
            );
        });
        let verdict: CheckVerdict;
        try {
            verdict = await Promise.race([Promise.resolve().then(() => check.run(ctx)), timedOut]);
        } catch (error) {
            verdict = { status: "failed", cause: `check crashed: ${error instanceof Error ? error.message : String(error)}`, action: "a bug in the gate: report it with this log" };
        } finally {
            clearTimeout(timer);
            running.delete(check.id);
        }
        controller.abort();
        if (verdict.status !== "passed" && verdict.status !== "failed") {
            verdict = { status: "failed", cause: `check returned an invalid status '${String(verdict.status)}'` };
        }
        if (verdict.status === "failed" && !verdict.cause) verdict = { ...verdict, cause: "failed without a cause" };
        record({ ...base(check, started), status: verdict.status, cause: verdict.cause, warnings: verdict.warnings ?? [], action: verdict.action });
    };

    // A fixed pool of workers pulling from the queue: at most `concurrency` checks at once.
    let next = 0;
    const worker = async (): Promise<void> => {
        while (!interrupted && next < toRun.length) {
            const check = toRun[next++];
            if (overallExpired || now() >= overallDeadline) {
                const t = now();
                record({ ...base(check, t), status: "failed", cause: "not started: the overall deadline had passed", warnings: [], action: "raise --timeout or lower the number of slow checks" });
                continue;
            }
            await runOne(check);
        }
    };
    const slots = options.concurrency > 0 ? Math.min(options.concurrency, toRun.length) : toRun.length;
    const workers = Array.from({ length: Math.max(1, slots) }, () => worker());
    await Promise.race([Promise.all(workers), stopped]);
    interrupt?.removeEventListener("abort", onInterrupt);

    // Whatever never ran (interrupt before its turn) is failed "interrupted" too.
    for (const check of toRun) {
        if (!results.has(check.id)) record({ ...base(check, now()), status: "failed", cause: "interrupted", warnings: [], action: "re-run the gate to completion" });
    }
    return {
        results: checks.map((c) => results.get(c.id)!),
        logs,
        interrupted,
        startedAt,
        durationMs: now() - runStart,
    };
}

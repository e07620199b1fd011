// The `rollout` and `rollback` commands: options, signals, the real stack (Automation API) and
// the real deps. A first SIGINT/SIGTERM stops at the current rung (during a wait at once; during
// an `up`, once it has finished: cancelling it would leave the stack locked with pending
// operations); a second one cancels an `up` in flight; a third exits at once. The pulumi CLI runs
// in a process group of its own (pulumi-command.ts), so a terminal's Ctrl-C reaches it only
// through these stages.

import { CANARY_WINDOW } from "../catalog";
import { assertWritableDir } from "../io/evidence/atomic";
import { HttpClient } from "../io/http";
import { UsageError } from "../io/usage-error";
import { SECRET_ENV_VARS } from "../validation/options";
import { secretEnvVars } from "../io/options";
import { ANALYZE_OPTIONS } from "./options";
import { Redactor } from "../io/redact";
import { onStopSignals } from "../io/stop-signals";
import { excerpt } from "../io/text";
import { rollbackExitCode, runRollback } from "./rollback";
import { type RolloutDeps, runRollout } from "./rollout";
import { cloudRunRevisionCreated, cloudRunTraffic, countdown, environmentGate, rolloutTokenNotice, stackFileCommit, stageAnalysis } from "./rollout-deps";
import { ROLLOUT_OPTIONS, type RolloutOptions, resolveRolloutOptions } from "./rollout-options";
import { type RolloutStack, StackError, automationStack } from "./stack";

export interface Signals {
    interrupt: AbortController;
    cancelUp: AbortController;
    exitCode: () => number | undefined;
}

/** The rollout's and rollback's signal stages (the header above says what each one does). */
export function handleSignals(): Signals {
    const { stages, exitCode } = onStopSignals(["stopping at the current rung (an up in progress finishes first; signal again to cancel it)", "cancelling the up in progress"]);
    return { interrupt: stages[0], cancelUp: stages[1], exitCode };
}

function options(argv: readonly string[], command: "rollout" | "rollback"): RolloutOptions | number {
    try {
        const o = resolveRolloutOptions(argv, command);
        assertWritableDir(o.outputDir, "--output-dir");
        return o;
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof UsageError || message.startsWith("--output-dir")) {
            process.stderr.write(`error: ${message}\n`);
            return 2;
        }
        throw error;
    }
}

async function openStack(o: RolloutOptions): Promise<RolloutStack | number> {
    try {
        return await automationStack({ projectDir: o.projectDir, stackName: o.stackName, environment: o.environment });
    } catch (error) {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        return error instanceof StackError && error.kind !== "cli-missing" ? 4 : 2;
    }
}

function realDeps(o: RolloutOptions, stack: RolloutStack, signals: Signals, command: "rollout" | "rollback"): RolloutDeps {
    // Every secret the gate and the analysis read from this environment: their tables' secret rows.
    const redactor = new Redactor([...new Set([...SECRET_ENV_VARS, ...secretEnvVars(ANALYZE_OPTIONS)])].map((name) => process.env[name]));
    const write = (text: string): void => void process.stdout.write(text);
    const http = new HttpClient({ timeoutMs: 30_000, userAgent: "openagents-canary-rollout" });
    // A rollback is one up and a gate: only the ladder can outlive a token.
    const tokenNotice = command === "rollout" ? rolloutTokenNotice(o, process.env) : undefined;
    if (tokenNotice) write(`warning: ${tokenNotice}\n`);
    return {
        stack,
        readTraffic: cloudRunTraffic(process.env, o.environment, http, redactor),
        revisionCreated: cloudRunRevisionCreated(process.env, o.environment, http, redactor),
        analyze: stageAnalysis(o, process.env, { write, interrupt: signals.interrupt.signal, http }),
        gate: environmentGate(o, process.env, { write, interrupt: signals.interrupt.signal }),
        wait: countdown(o.plain, write, signals.interrupt.signal),
        commit: stackFileCommit(o),
        write: (line) => write(`${excerpt(line, 2000, redactor)}\n`),
        now: () => new Date(),
        interrupt: signals.interrupt.signal,
        cancelUp: signals.cancelUp.signal,
        stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined,
        redactor,
    };
}

/** The command that continues this rollout (printed on a hold or an interrupt): every choice that was made, again. */
export function resumeCommand(o: RolloutOptions, cwd = process.cwd()): string {
    const args = ["--environment", o.environment, "--stack", o.stackName];
    if (o.ladder.join(",") !== ROLLOUT_OPTIONS.ladder.default.join(",")) args.push("--ladder", o.ladder.join(","));
    if (o.windowMs !== ROLLOUT_OPTIONS.windowMs.default) args.push("--window", `${o.windowMs / 1000}s`);
    if (o.maxHolds !== ROLLOUT_OPTIONS.maxHolds.default) args.push("--max-holds", String(o.maxHolds));
    if (o.projectDir !== cwd) args.push("--project-dir", o.projectDir);
    if (o.push) args.push("--push", o.push);
    if (!o.commit) args.push("--no-commit");
    if (o.plain) args.push("--plain");
    return `npm run canary -- rollout ${args.join(" ")}`;
}

export async function rolloutMain(argv: readonly string[]): Promise<number> {
    const o = options(argv, "rollout");
    if (typeof o === "number") return o;
    const stack = await openStack(o);
    if (typeof stack === "number") return stack;
    const signals = handleSignals();
    const result = await runRollout(
        {
            environment: o.environment,
            ladder: o.ladder,
            waitMs: o.windowMs + CANARY_WINDOW.ingestionLagMs,
            maxHolds: o.maxHolds,
            outputDir: o.outputDir,
            resumeCommand: resumeCommand(o),
            rollbackCommand: `npm run canary -- rollback --environment ${o.environment} --stack ${o.stackName}`,
            stage: o.stage,
            gated: o.gated,
        },
        realDeps(o, stack, signals, "rollout"),
    );
    process.stdout.write(`evidence: ${o.outputDir}/SUMMARY.md, ${o.outputDir}/rollout.json\n`);
    return result.record.outcome === "interrupted" ? (signals.exitCode() ?? 130) : result.exitCode;
}

export async function rollbackMain(argv: readonly string[]): Promise<number> {
    const o = options(argv, "rollback");
    if (typeof o === "number") return o;
    const stack = await openStack(o);
    if (typeof stack === "number") return stack;
    const signals = handleSignals();
    const deps = realDeps(o, stack, signals, "rollback");
    const result = await runRollback(o.to, deps, `${o.outputDir}/gate`);
    deps.write(`${result.exitCode === 0 ? "ROLLED BACK" : "ROLLBACK INCOMPLETE"}: ${result.message}`);
    return rollbackExitCode(result, signals.exitCode());
}

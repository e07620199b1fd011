// `canary rollout`: the control service's ladder driven end to end. Start: the revision serving
// 100 % becomes controlStableRevision and the new revision goes up at 0 %, then the gate. Each
// rung: controlCanaryPercent, `up`, then a look a minute once the ingestion lag has passed, each
// judged by the sequential rule on the rung so far (rung-looks.ts): promote (next rung), roll back
// (0 %, `up`, the gate), or hold until the window plus --max-holds windows. At 100 %: the new
// revision becomes controlStableRevision and the stack file is committed, so main holds what is
// deployed. A rerun reads where the stack is (config and trafficStatuses) and continues there.
// The shape: a pure plan (rollout-plan.ts) names the next step from what was observed and the last
// step's outcome; the named steps (rollout-steps.ts) do the I/O and return outcomes; this loop
// runs one after the other until the plan says stop.

import type { ServingTarget } from "../validation/gcp/traffic";
import { Redactor } from "../validation/redact";
import { excerpt } from "../validation/text";
import type { AnalyzeRun } from "./analyze";
import type { StageInput, StageJudgement } from "./judge";
import type { LookWindow } from "./rung-looks";
import type { RolloutRecord } from "./rollout-evidence";
import { type Observed, type Pair, type PlanState, type RolloutOutcome, type Step, type StopStep, nextStep } from "./rollout-plan";
import { type RolloutRun, currentRung, runStep, saveRecord } from "./rollout-steps";
import type { RolloutStack } from "./stack";

export const ROLLOUT_EXIT = { promoted: 0, staged: 0, "rolled-back": 1, "no-go": 1, usage: 2, held: 3, "up-failed": 4, error: 5, nothing: 0 } as const;

export interface RolloutSettings {
    environment: "staging" | "prod";
    /** The rungs after 0 %, ending at 100. */
    ladder: readonly number[];
    /** Today's window plus Monitoring's ingestion lag: a rung lasts at most (1 + maxHolds) of these. */
    waitMs: number;
    maxHolds: number;
    /** Between looks at a rung (default CANARY_SEQUENTIAL.lookEveryMs). */
    lookEveryMs?: number;
    /** Monitoring's ingestion lag: no look before it has passed (default CANARY_WINDOW.ingestionLagMs). */
    ingestionLagMs?: number;
    outputDir: string;
    /** The command a person runs to resume (printed on a hold or an interrupt). */
    resumeCommand: string;
    rollbackCommand: string;
    /** Stop once the new revision is up at 0 % (the gate runs as its own CI step). */
    stage?: boolean;
    /** The 0 % gate already passed (CI runs it as its own step): a resume at 0 % goes straight to the first rung. */
    gated?: boolean;
}

export interface GateOutcome {
    go: boolean;
    /** One line: the verdict and its blockers. */
    summary: string;
    evidence?: string;
}

/** What the rollout needs besides the stack: each is a real thing in the CLI and a stand-in-backed one in tests. */
export interface RolloutDeps {
    stack: RolloutStack;
    /** The control service's split as Cloud Run serves it. */
    readTraffic(outputs: Record<string, unknown>): Promise<ServingTarget[]>;
    /** The canary analysis of one look at a stage (its evidence goes to outputDir): the window it reads and the rule that judges it. */
    analyze(stage: { canary: string; stable: string; percent: number; outputs: Record<string, unknown>; outputDir: string; window?: LookWindow; judge?: (input: StageInput) => StageJudgement }): Promise<AnalyzeRun>;
    /** The post-deploy gate on this environment, from these outputs. */
    gate(outputs: Record<string, unknown>, outputDir: string): Promise<GateOutcome>;
    /** Waits ms (a countdown while it does); false when interrupted. */
    wait(ms: number, what: string): Promise<boolean>;
    /** Commits the stack file; returns what happened, in one line. */
    commit(file: string, message: string): Promise<string>;
    write(line: string): void;
    now(): Date;
    /** Aborted on the first SIGINT/SIGTERM. */
    interrupt: AbortSignal;
    /** Aborted on a second signal: an `up` in flight is cancelled then. */
    cancelUp: AbortSignal;
    stepSummaryFile?: string;
    /** The run's secrets: the evidence is redacted with them. */
    redactor?: Redactor;
}

export type { RolloutOutcome };

export interface RolloutResult {
    record: RolloutRecord;
    exitCode: number;
}

/** What the run finds before its first step: the stack's config, its outputs, the split Cloud Run serves. */
async function observe(deps: RolloutDeps): Promise<Observed> {
    const percentText = await deps.stack.getConfig("controlCanaryPercent");
    const stableConfig = (await deps.stack.getConfig("controlStableRevision")) ?? "";
    const outputs = await deps.stack.outputs();
    const traffic = await deps.readTraffic(outputs);
    const imageTag = await deps.stack.getConfig("controlImageTag");
    return {
        percent: percentText === undefined || percentText === "" ? 100 : Number(percentText),
        percentText,
        stableConfig,
        traffic,
        deployed: typeof outputs.controlRevision === "string" ? outputs.controlRevision : "",
        imageTag,
        deployedImage: typeof outputs.controlImage === "string" ? outputs.controlImage : undefined,
    };
}

/** The revisions a step names go into the record as it starts. */
function recordRevisions(record: RolloutRecord, step: Step): void {
    const pair: Partial<Pair> | undefined = "pair" in step ? step.pair : step.step === "stage" ? { stable: step.stable } : step.step === "stop" ? step.revisions : undefined;
    if (pair?.stable !== undefined) record.stableRevision = pair.stable;
    if (pair?.canary !== undefined) record.canaryRevision = pair.canary;
}

/** Drives the ladder: the plan names each step, the step hands back its outcome. Never throws past here except on a bug: every stop is an outcome with evidence. */
export async function runRollout(settings: RolloutSettings, deps: RolloutDeps): Promise<RolloutResult> {
    const record: RolloutRecord = {
        schemaVersion: 1,
        environment: settings.environment,
        stack: deps.stack.name,
        ladder: [...settings.ladder],
        waitSeconds: settings.waitMs / 1000,
        maxHolds: settings.maxHolds,
        startedAt: deps.now().toISOString(),
        outcome: "interrupted",
        message: "",
        rungs: [],
    };
    const run: RolloutRun = { settings, deps, record, redactor: deps.redactor ?? new Redactor() };
    let stop: StopStep;
    try {
        const state: PlanState = { settings, observed: await observe(deps), interrupted: deps.interrupt.aborted };
        for (;;) {
            state.interrupted = deps.interrupt.aborted;
            const step = nextStep(state);
            recordRevisions(record, step);
            if (step.step === "stop") {
                stop = step;
                break;
            }
            state.last = { step, outcome: await runStep(run, step) };
            saveRecord(run);
        }
        if (stop.finishRung) {
            const rung = currentRung(run);
            if (rung) rung.finishedAt = deps.now().toISOString();
        }
    } catch (error) {
        stop = {
            step: "stop",
            outcome: "error",
            message: `the rollout stopped on an error (${excerpt(error instanceof Error ? error.message : String(error), 400, run.redactor)}); traffic is as the last successful up left it: resume with \`${settings.resumeCommand}\` or roll back with \`${settings.rollbackCommand}\``,
        };
    }
    record.outcome = stop.outcome;
    record.message = excerpt(stop.message, 2000, run.redactor);
    if (stop.outcome === "held" || stop.outcome === "interrupted" || stop.outcome === "error") record.resume = settings.resumeCommand;
    saveRecord(run, deps.stepSummaryFile);
    deps.write(`${stop.outcome.toUpperCase()}: ${record.message}`);
    return { record, exitCode: exitCodeOf(stop.outcome) };
}

export function exitCodeOf(outcome: RolloutOutcome): number {
    if (outcome === "interrupted") return 130;
    return ROLLOUT_EXIT[outcome];
}

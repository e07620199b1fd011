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

import { Redactor } from "../io/redact";
import { excerpt } from "../io/text";
import type { RolloutRecord } from "./rollout-evidence";
import type { RolloutDeps, RolloutSettings } from "./rollout-inputs";
import { type Observed, type Pair, type PlanState, type RolloutOutcome, type Step, type StopStep, nextStep } from "./rollout-plan";
import { type RolloutRun, currentRung, runStep, saveRecord } from "./rollout-steps";

export const ROLLOUT_EXIT = { promoted: 0, staged: 0, "rolled-back": 1, "no-go": 1, usage: 2, held: 3, "up-failed": 4, error: 5, nothing: 0 } as const;

export type { GateOutcome, RolloutDeps, RolloutSettings } from "./rollout-inputs";
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
    if (stop.finishWith) record.resume = stop.finishWith;
    else if (stop.outcome === "held" || stop.outcome === "interrupted" || stop.outcome === "error" || stop.outcome === "up-failed") record.resume = settings.resumeCommand;
    saveRecord(run, deps.stepSummaryFile);
    deps.write(`${stop.outcome.toUpperCase()}: ${record.message}`);
    return { record, exitCode: exitCodeOf(stop.outcome) };
}

export function exitCodeOf(outcome: RolloutOutcome): number {
    if (outcome === "interrupted") return 130;
    return ROLLOUT_EXIT[outcome];
}

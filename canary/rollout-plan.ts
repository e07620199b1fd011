// The rollout's plan: "where are we, what next" as one pure function. It reads what was observed
// when the run began (the stack's config, the split Cloud Run serves, the deployed revision) and
// the last step with its outcome, and names the next step or the stop. The steps (rollout-steps.ts)
// do the I/O and hand back outcomes as values; runRollout (rollout.ts) only loops between them.
// A resume is another run of the same rollout, not a new one: its looks pool from the canary
// revision's creation like every earlier run's (rollout-steps.ts pooledFrom), so the error budget
// holds across holds, interrupts and resumes.

import { CONTROL, imageFromTag, sameImage } from "../catalog";
import type { ServingTarget } from "../io/gcp/traffic";
import type { Decision } from "./judge";
import type { RolloutRecord } from "./rollout-evidence";

export type RolloutOutcome = RolloutRecord["outcome"];

/** What the run found before its first step. */
export interface Observed {
    /** controlCanaryPercent (100 when unset or empty). */
    percent: number;
    /** controlCanaryPercent as the stack file holds it (undefined when unset). */
    percentText?: string;
    /** controlStableRevision ("" when unset). */
    stableConfig: string;
    traffic: ServingTarget[];
    /** The controlRevision output ("" when absent). */
    deployed: string;
    /** controlImageTag. */
    imageTag?: string;
    /** The controlImage output. */
    deployedImage?: string;
}

export interface PlanSettings {
    /** The rungs after 0 %, ending at 100. */
    ladder: readonly number[];
    maxHolds: number;
    stage?: boolean;
    gated?: boolean;
    resumeCommand: string;
    rollbackCommand: string;
}

export interface Pair {
    stable: string;
    canary: string;
}

/** Where a gate runs: on the start rung, on a new rung of a resume at 0 %, or on the rollback's rung. */
export type GateAt = "start" | "resume" | "rollback";

export type Step =
    /** stable + 0 %, `up`: the new revision goes up beside the one serving 100 %. */
    | { step: "stage"; stable: string }
    /** The start's up made no new revision: the config goes back to what it was. */
    | { step: "undo-stage"; pair: Pair; stableConfig: string; percentText?: string }
    /** A resume with --stage at 0 %: `up` again, still at 0 %. */
    | { step: "restage"; pair: Pair }
    | { step: "resume"; pair: Pair; percent: number }
    | { step: "gate"; pair: Pair; at: GateAt; why?: string }
    /** A rung below 100 %: its up (unless a resume found it applied), then a check that the up deployed the judged revision. */
    | { step: "apply-rung"; pair: Pair; index: number; percent: number; applied: boolean }
    | { step: "look"; pair: Pair; index: number; percent: number }
    /** 100 % and the new revision becomes controlStableRevision. */
    | { step: "promote"; pair: Pair }
    /** Cloud Run serves the new revision alone after the promotion. */
    | { step: "confirm"; pair: Pair }
    /** Back to 0 % from the rung at `percent`. */
    | { step: "roll-back"; pair: Pair; why: string; percent?: number }
    /** `unconfirmed`: a promotion whose up succeeded but whose split could not be read (committed, then an error). */
    | { step: "commit"; pair: Pair; kind: "promote" | "roll-back"; why?: string; gateSummary?: string; unconfirmed?: string }
    | {
          step: "stop";
          outcome: RolloutOutcome;
          message: string;
          finishRung?: boolean;
          revisions?: Partial<Pair>;
          /** The command that finishes what this stop left undone, when it is not the resume command. */
          finishWith?: string;
      };

export type StepName = Step["step"];
export type StopStep = Extract<Step, { step: "stop" }>;

export type StepOutcome =
    | { outcome: "done" }
    /** An up ran; deployed is the controlRevision output after it. */
    | { outcome: "applied"; deployed: string }
    | { outcome: "up-failed"; message: string }
    | { outcome: "gate"; go: boolean; summary: string }
    | { outcome: "looked"; end: "decided" | "deadline"; decision: Decision; reason?: string; looks: number; elapsedMs: number }
    | { outcome: "look-interrupted"; while: "waiting" | "holding" }
    /** What Cloud Run serves; `unreadable` says why it could not be read. */
    | { outcome: "serving"; traffic: ServingTarget[]; unreadable?: string }
    | { outcome: "committed"; commit: string };

export interface PlanState {
    settings: PlanSettings;
    observed: Observed;
    /** The last step and what came of it (none before the first). */
    last?: { step: Step; outcome: StepOutcome };
    /** A stop signal came in. */
    interrupted: boolean;
}

const shown = (traffic: readonly ServingTarget[]): string => traffic.map((t) => `${t.revision} ${t.percent} %`).join(", ") || "nothing";
const stop = (outcome: RolloutOutcome, message: string, more: Omit<StopStep, "step" | "outcome" | "message"> = {}): StopStep => ({ step: "stop", outcome, message, ...more });

/** The stack is settled (one revision serves): a run starts a rollout rather than resuming one. */
export const isSettled = (o: Observed): boolean => o.stableConfig === "" || o.percent >= 100;

/** Where a resume goes on: the first rung at or above the current percent, and whether that rung is already applied. */
export function resumeAt(ladder: readonly number[], percent: number): { index: number; applied: boolean } {
    let index = ladder.findIndex((p) => p >= percent);
    if (index < 0) index = ladder.length - 1;
    return { index, applied: percent > 0 && ladder[index] === percent };
}

/** The next step, from what was observed and the last step's outcome. */
export function nextStep(state: PlanState): Step {
    const { settings: s, observed: o, last } = state;
    const interruptedStop = (where: string): StopStep =>
        stop("interrupted", `interrupted ${where}: traffic is as it was; resume with \`${s.resumeCommand}\` or roll back with \`${s.rollbackCommand}\``);
    /** Rung index of the ladder, entered only when no signal came in. */
    const enter = (pair: Pair, index: number, applied: boolean): Step => {
        if (index >= s.ladder.length) return stop("error", `the ladder ${s.ladder.join(",")} ended without reaching 100 %`);
        const percent = s.ladder[index];
        if (state.interrupted) return interruptedStop(`before ${percent} %`);
        if (percent >= 100) return { step: "promote", pair };
        return { step: "apply-rung", pair, index, percent, applied };
    };
    const upFailed = (failed: Step, message: string): StopStep => {
        // A rollback whose up failed leaves the canary on its share: what was decided and how to finish it come first.
        if (failed.step === "roll-back") {
            const share = failed.percent === undefined ? "its share" : `${failed.percent} %`;
            return stop("up-failed", `the rollback's up failed (${failed.why}): ${message}; ${failed.pair.canary} still takes ${share}: roll back with \`${s.rollbackCommand}\``, {
                finishWith: s.rollbackCommand,
            });
        }
        return stop("up-failed", message);
    };

    if (!last) return isSettled(o) ? begin(o) : resume(s, o);
    const { step, outcome } = last;
    if (outcome.outcome === "up-failed") return upFailed(step, outcome.message);
    switch (step.step) {
        case "stage": {
            const canary = outcome.outcome === "applied" ? outcome.deployed : "";
            const pair = { stable: step.stable, canary };
            if (canary === "" || canary === step.stable) return { step: "undo-stage", pair, stableConfig: o.stableConfig, percentText: o.percentText };
            if (state.interrupted) return interruptedStop("after the 0 % up (the new revision is up at 0 %, ungated)");
            if (s.stage) return stop("staged", `${canary} is up at 0 % (reachable by its canary tag), ${step.stable} serves 100 %; gate it, then \`${s.resumeCommand}\``, { finishRung: true });
            return { step: "gate", pair, at: "start" };
        }
        case "undo-stage":
            if (step.pair.canary === "") return stop("error", "the stack has no controlRevision output after the up: cannot tell what was deployed");
            return stop("nothing", `nothing to roll out: the stack's control revision ${step.pair.stable} already serves 100 %`);
        case "restage": {
            const canary = outcome.outcome === "applied" ? outcome.deployed : "";
            return stop("staged", `${canary} is up at 0 %, ${step.pair.stable} serves 100 %; gate it, then \`${s.resumeCommand}\``, { revisions: { canary } });
        }
        case "resume": {
            if (step.percent === 0 && !s.gated) return { step: "gate", pair: step.pair, at: "resume" };
            const at = resumeAt(s.ladder, step.percent);
            return enter(step.pair, at.index, at.applied);
        }
        case "gate": {
            const go = outcome.outcome === "gate" && outcome.go;
            const summary = outcome.outcome === "gate" ? outcome.summary : "";
            const { stable, canary } = step.pair;
            if (step.at === "rollback") return { step: "commit", pair: step.pair, kind: "roll-back", why: step.why, gateSummary: summary };
            if (!go) {
                const where = step.at === "start" ? " (controlStableRevision is set to it, controlCanaryPercent 0)" : "";
                return stop("no-go", `the gate said NO-GO with ${canary} at 0 %: ${summary}; ${stable} still serves 100 %${where}`);
            }
            return enter(step.pair, step.at === "start" ? 0 : resumeAt(s.ladder, o.percent).index, false);
        }
        case "apply-rung": {
            if (outcome.outcome === "applied" && outcome.deployed !== step.pair.canary) {
                return {
                    step: "roll-back",
                    pair: step.pair,
                    percent: step.percent,
                    why: `the up deployed ${outcome.deployed || "no revision"}, not ${step.pair.canary} (the stack file changed under the rollout): an unjudged revision must not take traffic`,
                };
            }
            return { step: "look", pair: step.pair, index: step.index, percent: step.percent };
        }
        case "look": {
            if (outcome.outcome === "look-interrupted") return interruptedStop(`while ${outcome.while} at ${step.percent} %`);
            if (outcome.outcome !== "looked") return stop("error", `the look at ${step.percent} % gave no judgement`);
            if (outcome.end === "deadline") {
                return stop(
                    "held",
                    `held at ${step.percent} % for ${Math.round(outcome.elapsedMs / 60_000)} min and ${outcome.looks} looks (the window plus --max-holds ${s.maxHolds}): ${outcome.reason ?? ""}; traffic stays at ${step.percent} %; resume with \`${s.resumeCommand}\` or roll back with \`${s.rollbackCommand}\``,
                );
            }
            if (outcome.decision === "rollback")
                return { step: "roll-back", pair: step.pair, percent: step.percent, why: `the analysis at ${step.percent} %: ${outcome.reason ?? "a clear regression"}` };
            // Only a promote goes on to the next rung.
            if (outcome.decision !== "promote") return stop("error", `the look at ${step.percent} % ended on ${outcome.decision}, not a decision`);
            return enter(step.pair, step.index + 1, false);
        }
        case "promote":
            return { step: "confirm", pair: step.pair };
        case "confirm": {
            // The up succeeded, so the stack file names what is deployed: it is committed even when the check cannot be read.
            if (outcome.outcome === "serving" && outcome.unreadable !== undefined) return { step: "commit", pair: step.pair, kind: "promote", unconfirmed: outcome.unreadable };
            const serving = outcome.outcome === "serving" ? outcome.traffic : [];
            if (!(serving.length === 1 && serving[0].revision === step.pair.canary && serving[0].percent === 100)) {
                return stop("error", `after the promotion Cloud Run serves ${shown(serving)}, not ${step.pair.canary} alone: check the service before anything else`);
            }
            return { step: "commit", pair: step.pair, kind: "promote" };
        }
        case "roll-back":
            return { step: "gate", pair: step.pair, at: "rollback", why: step.why };
        case "commit": {
            const commit = outcome.outcome === "committed" ? outcome.commit : "";
            if (step.kind === "promote" && step.unconfirmed !== undefined) {
                return stop(
                    "error",
                    `the promotion's up succeeded and the stack file is committed, but Cloud Run's split could not be read (${step.unconfirmed}): check that ${step.pair.canary} serves 100 % alone; ${commit}`,
                );
            }
            if (step.kind === "promote") return stop("promoted", `${step.pair.canary} serves 100 % and is the stable revision; ${commit}`);
            return stop("rolled-back", `rolled back to ${step.pair.stable} (100 %): ${step.why ?? ""}; gate after the rollback: ${step.gateSummary ?? ""}; ${commit}`);
        }
        case "stop":
            return step;
    }
}

/** A settled stack: whatever serves 100 % now is the stable revision; the new one goes up at 0 %. */
function begin(o: Observed): Step {
    const serving = o.traffic.length === 1 && o.traffic[0].percent === 100 ? o.traffic[0].revision : undefined;
    if (!serving) {
        return stop(
            "usage",
            `cannot start: the stack says one revision serves (controlCanaryPercent ${o.percent}, controlStableRevision "${o.stableConfig}") but Cloud Run serves ${shown(o.traffic)}; bring them together first (pulumi up, or roll back)`,
        );
    }
    return { step: "stage", stable: serving };
}

/** A stack mid-ladder: the service must serve exactly what its config says. */
function resume(s: PlanSettings, o: Observed): Step {
    const pair = { stable: o.stableConfig, canary: o.deployed };
    const { stable, canary } = pair;
    const revisions = pair;
    const share = (r: string): number => o.traffic.find((t) => t.revision === r)?.percent ?? 0;
    const others = o.traffic.filter((t) => t.revision !== stable && t.revision !== canary);
    if (canary === "" || canary === stable || share(stable) !== 100 - o.percent || share(canary) !== o.percent || others.length > 0) {
        return stop(
            "usage",
            `cannot resume: the stack says ${stable} ${100 - o.percent} % and ${canary || "<no controlRevision output>"} ${o.percent} %, but Cloud Run serves ${shown(o.traffic)}; run \`pulumi up\` to apply the stack or roll back first`,
            { revisions },
        );
    }
    if (s.stage) {
        if (o.percent > 0)
            return stop("usage", `a rollout of ${canary} is in progress at ${o.percent} %: resume it (\`${s.resumeCommand}\`) or roll back (\`${s.rollbackCommand}\`) before staging another`, {
                revisions,
            });
        // Staged before: this up deploys what the stack file holds now, still at 0 %.
        return { step: "restage", pair };
    }
    if (o.imageTag && o.deployedImage && !sameImage(imageFromTag(CONTROL.imageRepository, o.imageTag), o.deployedImage)) {
        return stop(
            "usage",
            `the stack file's control image is ${o.imageTag} but the rollout in progress (${canary}) runs ${o.deployedImage}: finish or roll back that rollout (\`${s.rollbackCommand}\`) before rolling out another image`,
            { revisions },
        );
    }
    return { step: "resume", pair, percent: o.percent };
}

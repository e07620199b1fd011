// The rollout's named steps: each does its I/O (config, `up`, the gate, the looks, the commit),
// writes what happened into the run's record, and returns an outcome value for the plan
// (rollout-plan.ts) to read. A failed `up` is an outcome; only a bug or an unreadable dependency throws.

import { CANARY_SEQUENTIAL, CANARY_WINDOW } from "../catalog";
import type { Redactor } from "../io/redact";
import { excerpt } from "../io/text";
import type { StageRule } from "./analyze";
import type { StageJudgement } from "./judge";
import type { RolloutDeps, RolloutSettings } from "./rollout-inputs";
import type { GateAt, Pair, Step, StepOutcome } from "./rollout-plan";
import { type RolloutRecord, type RungRecord, writeRolloutEvidence } from "./rollout-evidence";
import { lookUntilDecided } from "./rung-looks";
import { judgeLook } from "./sequential";
import { StackError } from "./stack";

/** One run of the rollout: what every step reads and writes. */
export interface RolloutRun {
    settings: RolloutSettings;
    deps: RolloutDeps;
    record: RolloutRecord;
    redactor: Redactor;
    /** The canary's creation, read once per run (undefined: not yet read; null: unreadable). */
    canaryCreated?: { revision: string; at: Date | null };
}

const wholeMinute = (ms: number): Date => new Date(Math.ceil(ms / 60_000) * 60_000);

/**
 * Where the rollout's pooled sequences start. A time-uniform confidence sequence is valid over every
 * look from one fixed start, so every run of a rollout (a hold, an interrupt, a resume) must share
 * it: the canary revision's creation, before any of its traffic. Only when Cloud Run does not say
 * does a run pool from its own first judged rung, and then the error budget holds per run.
 */
async function pooledFrom(run: RolloutRun, pair: Pair, outputs: Record<string, unknown>): Promise<Date | undefined> {
    const { deps, record } = run;
    if (deps.revisionCreated && run.canaryCreated?.revision !== pair.canary) {
        let at: Date | null = null;
        try {
            at = await deps.revisionCreated(outputs, pair.canary);
        } catch (error) {
            record.pooledFrom = {
                at: "",
                source: `the canary's createTime could not be read (${excerpt(error instanceof Error ? error.message : String(error), 300, run.redactor)}): this run pools from its own first judged rung, so the error budget holds per run, not across resumes`,
            };
        }
        run.canaryCreated = { revision: pair.canary, at };
        if (at) record.pooledFrom = { at: wholeMinute(at.getTime()).toISOString(), source: `the canary revision's createTime (${at.toISOString()}): every run of this rollout pools from it` };
    }
    if (run.canaryCreated?.at) return wholeMinute(run.canaryCreated.at.getTime());
    const first = record.rungs.find((r) => r.percent > 0 && r.percent < 100);
    if (!first) return undefined;
    const from = wholeMinute(Date.parse(first.startedAt));
    if (!deps.revisionCreated) record.pooledFrom = { at: from.toISOString(), source: "this run's first judged rung (no createTime reader): the error budget holds per run" };
    else if (record.pooledFrom) record.pooledFrom.at = from.toISOString();
    return from;
}

const KEYS = { percent: "controlCanaryPercent", stable: "controlStableRevision" } as const;
type ConfigValues = Partial<Record<keyof typeof KEYS, string>>;

const now = (run: RolloutRun): string => run.deps.now().toISOString();
const say = (run: RolloutRun, line: string): void => run.deps.write(line);
const revisionOf = (outputs: Record<string, unknown>): string => (typeof outputs.controlRevision === "string" ? outputs.controlRevision : "");

/** Writes the record as it stands (evidence survives any stop). */
export function saveRecord(run: RolloutRun, stepSummaryFile?: string): void {
    run.record.finishedAt = now(run);
    writeRolloutEvidence(run.settings.outputDir, run.record, stepSummaryFile, run.redactor);
}

function newRung(run: RolloutRun, percent: number): RungRecord {
    const rung: RungRecord = { percent, startedAt: now(run), analyses: [] };
    run.record.rungs.push(rung);
    return rung;
}

/** The rung steps act on: the last one opened. */
export function currentRung(run: RolloutRun): RungRecord | undefined {
    return run.record.rungs[run.record.rungs.length - 1];
}

function finish(run: RolloutRun): void {
    const rung = currentRung(run);
    if (rung) rung.finishedAt = now(run);
}

/** Sets config and runs `up`; on a failed up the config goes back to what is deployed. */
async function apply(run: RolloutRun, rung: RungRecord, values: ConfigValues): Promise<StepOutcome> {
    const { deps } = run;
    const before: Partial<Record<keyof typeof KEYS, string | undefined>> = {};
    for (const [k, v] of Object.entries(values) as Array<[keyof typeof KEYS, string]>) {
        before[k] = await deps.stack.getConfig(KEYS[k]);
        await deps.stack.setConfig(KEYS[k], v);
    }
    say(
        run,
        `pulumi up: ${Object.entries(values)
            .map(([k, v]) => `${KEYS[k as keyof typeof KEYS]}=${v === "" ? '""' : v}`)
            .join(", ")}`,
    );
    if (deps.interrupt.aborted) say(run, "a signal came in: this up runs to its end (cancelling it would leave the stack locked with pending operations); signal again to cancel it");
    try {
        const up = await deps.stack.up({ onOutput: (l) => say(run, `  | ${l}`), signal: deps.cancelUp });
        rung.up = up;
        say(
            run,
            `pulumi up: ${up.result} (${
                Object.entries(up.changes)
                    .map(([k, n]) => `${n} ${k}`)
                    .join(", ") || "no changes"
            })`,
        );
    } catch (error) {
        for (const [k, v] of Object.entries(before) as Array<[keyof typeof KEYS, string | undefined]>) await deps.stack.setConfig(KEYS[k], v ?? "");
        const message = error instanceof StackError ? error.message : `pulumi up failed: ${error instanceof Error ? error.message : String(error)}`;
        rung.up = { result: "failed", changes: {}, durationMs: 0 };
        rung.error = message;
        const cancelled = deps.cancelUp.aborted ? " (cancelled by a second signal: run `pulumi cancel` and `pulumi refresh` before anything else)" : "";
        return {
            outcome: "up-failed",
            message: `${message}${cancelled}; the stack file's config is back to what was deployed, traffic is as the last successful up left it: resume with \`${run.settings.resumeCommand}\` or roll back with \`${run.settings.rollbackCommand}\``,
        };
    }
    return { outcome: "applied", deployed: revisionOf(await deps.stack.outputs()) };
}

/** stable + 0 %: the new revision goes up beside the one serving 100 %. */
export async function stage(run: RolloutRun, stable: string): Promise<StepOutcome> {
    const applied = await apply(run, newRung(run, 0), { stable, percent: "0" });
    if (applied.outcome === "applied") run.record.canaryRevision = applied.deployed;
    return applied;
}

/** The start made no new revision: the config goes back to what the stack file held. */
export async function undoStage(run: RolloutRun, stableConfig: string, percentText: string | undefined): Promise<StepOutcome> {
    finish(run);
    await run.deps.stack.setConfig(KEYS.stable, stableConfig);
    if (percentText !== undefined) await run.deps.stack.setConfig(KEYS.percent, percentText);
    return { outcome: "done" };
}

/** A resume with --stage at 0 %: this up deploys what the stack file holds now, still at 0 %. */
export async function restage(run: RolloutRun): Promise<StepOutcome> {
    const applied = await apply(run, newRung(run, 0), { percent: "0" });
    if (applied.outcome === "applied") finish(run);
    return applied;
}

export function announceResume(run: RolloutRun, pair: Pair, percent: number): StepOutcome {
    say(run, `resuming at ${percent} %: ${pair.canary} against ${pair.stable}`);
    return { outcome: "done" };
}

const GATE_LABEL: Record<GateAt, string> = {
    start: "new revision at 0 %, reachable by its canary tag",
    resume: "resuming at 0 %",
    rollback: "after the rollback",
};

/** The post-deploy gate on the current rung (a resume at 0 % opens one for it). */
export async function gate(run: RolloutRun, at: GateAt): Promise<StepOutcome> {
    const { deps, settings, record } = run;
    const rung = at === "resume" ? newRung(run, 0) : (currentRung(run) ?? newRung(run, 0));
    say(run, `gate (${GATE_LABEL[at]}) on ${settings.environment}`);
    const outcome = await deps.gate(await deps.stack.outputs(), `${settings.outputDir}/gate-${record.rungs.length}-${rung.percent}`);
    rung.gate = { go: outcome.go, summary: outcome.summary, evidence: outcome.evidence };
    say(run, `gate: ${outcome.summary}`);
    rung.finishedAt = now(run);
    return { outcome: "gate", go: outcome.go, summary: outcome.summary };
}

/** A rung below 100 %: its up, or (a resume found it applied) a note saying so. */
export async function applyRung(run: RolloutRun, percent: number, applied: boolean): Promise<StepOutcome> {
    const rung = newRung(run, percent);
    if (applied) {
        rung.note = "resumed: this rung was already applied";
        return { outcome: "done" };
    }
    return apply(run, rung, { percent: String(percent) });
}

/** The rung's looks until the sequential rule decides, the deadline passes, or a signal stops them. */
export async function look(run: RolloutRun, pair: Pair, index: number, percent: number): Promise<StepOutcome> {
    const { deps, settings, record } = run;
    const rung = currentRung(run) as RungRecord;
    const schedule = {
        everyMs: settings.lookEveryMs ?? CANARY_SEQUENTIAL.lookEveryMs,
        lagMs: settings.ingestionLagMs ?? CANARY_WINDOW.ingestionLagMs,
        deadlineMs: (1 + settings.maxHolds) * settings.waitMs,
    };
    const judgedRungs = settings.ladder.filter((p) => p < 100).length;
    const ended = await lookUntilDecided(schedule, {
        wait: (ms) => deps.wait(ms, `${percent} % on ${pair.canary}`),
        now: () => deps.now(),
        interrupted: () => deps.interrupt.aborted,
        look: async (window, n) => {
            const judge: StageRule = (input, rollout) => judgeLook({ ...input, rollout, rung: { index, judgedRungs } });
            const outputs = await deps.stack.outputs();
            const rolloutStart = await pooledFrom(run, pair, outputs);
            const analysis = await deps.analyze({
                canary: pair.canary,
                stable: pair.stable,
                percent,
                outputs,
                outputDir: `${settings.outputDir}/analysis-${record.rungs.length}-${percent}-${n}`,
                window,
                rolloutStart,
                judge,
            });
            rung.analyses.push(summaryOf(analysis.judgement, analysis.files.summary));
            saveRecord(run);
            say(run, `${percent} %: look ${n + 1}: ${analysis.judgement.decision.toUpperCase()}: ${analysis.judgement.reasons[0] ?? ""}`);
            return analysis;
        },
    });
    if (ended.end === "interrupted") return { outcome: "look-interrupted", while: ended.while };
    const decision = ended.run.judgement.decision;
    if (ended.end === "deadline" || decision === "promote" || decision === "rollback") rung.finishedAt = now(run);
    return { outcome: "looked", end: ended.end, decision, reason: ended.run.judgement.reasons[0], looks: ended.looks, elapsedMs: ended.end === "deadline" ? ended.elapsedMs : 0 };
}

/** The last rung: the new revision is the stable one from now on (traffic unchanged by this up). */
export async function promote(run: RolloutRun, pair: Pair): Promise<StepOutcome> {
    const applied = await apply(run, newRung(run, 100), { percent: "100", stable: pair.canary });
    if (applied.outcome === "applied") finish(run);
    return applied;
}

/** What serves after the promotion; a failed read is an outcome (the stack file is committed either way). */
export async function confirmServing(run: RolloutRun): Promise<StepOutcome> {
    const outputs = await run.deps.stack.outputs();
    try {
        return { outcome: "serving", traffic: await run.deps.readTraffic(outputs) };
    } catch (error) {
        return { outcome: "serving", traffic: [], unreadable: excerpt(error instanceof Error ? error.message : String(error), 400, run.redactor) };
    }
}

/** Back to 0 %: a new rung for the rollback, then its up. */
export async function rollBack(run: RolloutRun, why: string): Promise<StepOutcome> {
    const rung = newRung(run, 0);
    rung.note = `roll back: ${why}`;
    say(run, `ROLL BACK: ${why}`);
    return apply(run, rung, { percent: "0" });
}

export async function commitStack(run: RolloutRun, pair: Pair, kind: "promote" | "roll-back"): Promise<StepOutcome> {
    const { deps, record } = run;
    const message =
        kind === "promote" ? `Promote ${pair.canary} to 100 % on ${deps.stack.name} (controlStableRevision)` : `Roll back ${pair.canary} on ${deps.stack.name} (stable ${pair.stable} serves 100 %)`;
    record.commit = await deps.commit(deps.stack.stackFile, message);
    return { outcome: "committed", commit: record.commit };
}

/** Runs one named step (never a stop: the driver ends there). */
export async function runStep(run: RolloutRun, step: Exclude<Step, { step: "stop" }>): Promise<StepOutcome> {
    switch (step.step) {
        case "stage":
            return stage(run, step.stable);
        case "undo-stage":
            return undoStage(run, step.stableConfig, step.percentText);
        case "restage":
            return restage(run);
        case "resume":
            return announceResume(run, step.pair, step.percent);
        case "gate":
            return gate(run, step.at);
        case "apply-rung":
            return applyRung(run, step.percent, step.applied);
        case "look":
            return look(run, step.pair, step.index, step.percent);
        case "promote":
            return promote(run, step.pair);
        case "confirm":
            return confirmServing(run);
        case "roll-back":
            return rollBack(run, step.why);
        case "commit":
            return commitStack(run, step.pair, step.kind);
    }
}

function summaryOf(j: StageJudgement, evidence: string): RungRecord["analyses"][number] {
    const numbers = (r: StageJudgement["canary"]) => ({
        revision: r.revision,
        requests: r.requests,
        errors: r.errors,
        errorRate: r.errorRate,
        errorRateUpper: r.errorRateUpper,
        p95Ms: r.p95Ms,
        latencySamples: r.latencySamples,
    });
    return { decision: j.decision, reasons: j.reasons, canary: numbers(j.canary), stable: numbers(j.stable), ...(j.rule ? { rule: j.rule } : {}), evidence };
}

// `canary rollout`: the control service's ladder driven end to end. Start: the revision serving
// 100 % becomes controlStableRevision and the new revision goes up at 0 %, then the gate. Each
// rung: controlCanaryPercent, `up`, then a look a minute once the ingestion lag has passed, each
// judged by the sequential rule on the rung so far (rung-looks.ts): promote (next rung), roll back
// (0 %, `up`, the gate), or hold until the window plus --max-holds windows. At 100 %: the new
// revision becomes controlStableRevision and the stack file is committed, so main holds what is
// deployed. A rerun reads where the stack is (config and trafficStatuses) and continues there.

import { CANARY_SEQUENTIAL, CANARY_WINDOW, CONTROL, imageFromTag, sameImage } from "../catalog";
import type { ServingTarget } from "../io/gcp/traffic";
import { Redactor } from "../io/redact";
import { excerpt } from "../io/text";
import type { AnalyzeRun } from "./analyze";
import type { RevisionObservation, StageInput, StageJudgement } from "./judge";
import { type LookWindow, lookUntilDecided } from "./rung-looks";
import { judgeLook } from "./sequential";
import { type RolloutRecord, type RungRecord, writeRolloutEvidence } from "./rollout-evidence";
import { type RolloutStack, StackError, type UpSummary } from "./stack";

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
    analyze(stage: { canary: string; stable: string; percent: number; outputs: Record<string, unknown>; outputDir: string; window?: LookWindow; rolloutStart?: Date; judge?: (input: StageInput, rollout?: { canary: RevisionObservation; stable: RevisionObservation }) => StageJudgement }): Promise<AnalyzeRun>;
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

export type RolloutOutcome = RolloutRecord["outcome"];

export interface RolloutResult {
    record: RolloutRecord;
    exitCode: number;
}

class Stop extends Error {
    constructor(
        readonly outcome: RolloutOutcome,
        message: string,
    ) {
        super(message);
    }
}

const KEYS = { percent: "controlCanaryPercent", stable: "controlStableRevision" } as const;

/** Drives the ladder; never throws past here except on a bug: every stop is an outcome with evidence. */
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
    const redactor = deps.redactor ?? new Redactor();
    const save = (): void => {
        record.finishedAt = deps.now().toISOString();
        writeRolloutEvidence(settings.outputDir, record, undefined, redactor);
    };
    const say = (line: string): void => deps.write(line);
    const interrupted = (where: string): Stop => new Stop("interrupted", `interrupted ${where}: traffic is as it was; resume with \`${settings.resumeCommand}\` or roll back with \`${settings.rollbackCommand}\``);
    const stopIfInterrupted = (where: string): void => {
        if (deps.interrupt.aborted) throw interrupted(where);
    };

    /** Sets config and runs `up`; on a failed up the config goes back to what is deployed. */
    const apply = async (rung: RungRecord, values: Partial<Record<keyof typeof KEYS, string>>): Promise<UpSummary> => {
        const before: Partial<Record<keyof typeof KEYS, string | undefined>> = {};
        for (const [k, v] of Object.entries(values) as Array<[keyof typeof KEYS, string]>) {
            before[k] = await deps.stack.getConfig(KEYS[k]);
            await deps.stack.setConfig(KEYS[k], v);
        }
        say(`pulumi up: ${Object.entries(values).map(([k, v]) => `${KEYS[k as keyof typeof KEYS]}=${v === "" ? '""' : v}`).join(", ")}`);
        if (deps.interrupt.aborted) say("a signal came in: this up runs to its end (cancelling it would leave the stack locked with pending operations); signal again to cancel it");
        try {
            const up = await deps.stack.up({ onOutput: (l) => say(`  | ${l}`), signal: deps.cancelUp });
            rung.up = up;
            say(`pulumi up: ${up.result} (${Object.entries(up.changes).map(([k, n]) => `${n} ${k}`).join(", ") || "no changes"})`);
            return up;
        } catch (error) {
            for (const [k, v] of Object.entries(before) as Array<[keyof typeof KEYS, string | undefined]>) await deps.stack.setConfig(KEYS[k], v ?? "");
            const message = error instanceof StackError ? error.message : `pulumi up failed: ${error instanceof Error ? error.message : String(error)}`;
            rung.up = { result: "failed", changes: {}, durationMs: 0 };
            rung.error = message;
            const cancelled = deps.cancelUp.aborted ? " (cancelled by a second signal: run `pulumi cancel` and `pulumi refresh` before anything else)" : "";
            throw new Stop("up-failed", `${message}${cancelled}; the stack file's config is back to what was deployed, traffic is as the last successful up left it`);
        }
    };
    const outputsNow = async (): Promise<Record<string, unknown>> => deps.stack.outputs();
    /** An up that deployed another revision than the one judged (the stack file changed under the rollout): back to the stable one. */
    const guardRevision = async (canary: string, stable: string): Promise<void> => {
        const deployed = revisionOf(await outputsNow());
        if (deployed !== canary) await rollBack(`the up deployed ${deployed || "no revision"}, not ${canary} (the stack file changed under the rollout): an unjudged revision must not take traffic`, canary, stable);
    };
    const runGateOn = async (rung: RungRecord, outputs: Record<string, unknown>, label: string): Promise<GateOutcome> => {
        say(`gate (${label}) on ${settings.environment}`);
        const gate = await deps.gate(outputs, `${settings.outputDir}/gate-${record.rungs.length}-${rung.percent}`);
        rung.gate = { go: gate.go, summary: gate.summary, evidence: gate.evidence };
        say(`gate: ${gate.summary}`);
        return gate;
    };
    const newRung = (percent: number): RungRecord => {
        const rung: RungRecord = { percent, startedAt: deps.now().toISOString(), analyses: [] };
        record.rungs.push(rung);
        return rung;
    };
    const rollBack = async (why: string, canary: string, stable: string): Promise<never> => {
        const rung = newRung(0);
        rung.note = `roll back: ${why}`;
        say(`ROLL BACK: ${why}`);
        await apply(rung, { percent: "0" });
        const gate = await runGateOn(rung, await outputsNow(), "after the rollback");
        rung.finishedAt = deps.now().toISOString();
        const commit = await deps.commit(deps.stack.stackFile, `Roll back ${canary} on ${deps.stack.name} (stable ${stable} serves 100 %)`);
        record.commit = commit;
        throw new Stop("rolled-back", `rolled back to ${stable} (100 %): ${why}; gate after the rollback: ${gate.summary}; ${commit}`);
    };

    try {
        const percentText = await deps.stack.getConfig(KEYS.percent);
        const percent = percentText === undefined || percentText === "" ? 100 : Number(percentText);
        const stableConfig = (await deps.stack.getConfig(KEYS.stable)) ?? "";
        let outputs = await outputsNow();
        const traffic = await deps.readTraffic(outputs);
        const shownTraffic = traffic.map((t) => `${t.revision} ${t.percent} %`).join(", ") || "nothing";
        let stable: string;
        let canary: string;
        let next: number;
        let judgeCurrent = false;

        const settled = stableConfig === "" || percent >= 100;
        if (settled) {
            // Start: whatever serves 100 % now is the stable revision; the new one goes up at 0 %.
            const serving = traffic.length === 1 && traffic[0].percent === 100 ? traffic[0].revision : undefined;
            if (!serving) throw new Stop("usage", `cannot start: the stack says one revision serves (controlCanaryPercent ${percent}, controlStableRevision "${stableConfig}") but Cloud Run serves ${shownTraffic}; bring them together first (pulumi up, or roll back)`);
            stable = serving;
            record.stableRevision = stable;
            const rung = newRung(0);
            await apply(rung, { stable, percent: "0" });
            outputs = await outputsNow();
            canary = revisionOf(outputs);
            record.canaryRevision = canary;
            if (canary === "" || canary === stable) {
                rung.finishedAt = deps.now().toISOString();
                await deps.stack.setConfig(KEYS.stable, stableConfig);
                if (percentText !== undefined) await deps.stack.setConfig(KEYS.percent, percentText);
                if (canary === "") throw new Stop("error", "the stack has no controlRevision output after the up: cannot tell what was deployed");
                throw new Stop("nothing", `nothing to roll out: the stack's control revision ${stable} already serves 100 %`);
            }
            stopIfInterrupted("after the 0 % up (the new revision is up at 0 %, ungated)");
            if (settings.stage) {
                rung.finishedAt = deps.now().toISOString();
                throw new Stop("staged", `${canary} is up at 0 % (reachable by its canary tag), ${stable} serves 100 %; gate it, then \`${settings.resumeCommand}\``);
            }
            const gate = await runGateOn(rung, outputs, "new revision at 0 %, reachable by its canary tag");
            rung.finishedAt = deps.now().toISOString();
            if (!gate.go) throw new Stop("no-go", `the gate said NO-GO with ${canary} at 0 %: ${gate.summary}; ${stable} still serves 100 % (controlStableRevision is set to it, controlCanaryPercent 0)`);
            next = 0;
        } else {
            // Resume: the stack is mid-ladder; the service must serve exactly what its config says.
            stable = stableConfig;
            canary = revisionOf(outputs);
            record.stableRevision = stable;
            record.canaryRevision = canary;
            const share = (r: string): number => traffic.find((t) => t.revision === r)?.percent ?? 0;
            const others = traffic.filter((t) => t.revision !== stable && t.revision !== canary);
            if (canary === "" || canary === stable || share(stable) !== 100 - percent || share(canary) !== percent || others.length > 0) {
                throw new Stop("usage", `cannot resume: the stack says ${stable} ${100 - percent} % and ${canary || "<no controlRevision output>"} ${percent} %, but Cloud Run serves ${shownTraffic}; run \`pulumi up\` to apply the stack or roll back first`);
            }
            if (settings.stage) {
                if (percent > 0) throw new Stop("usage", `a rollout of ${canary} is in progress at ${percent} %: resume it (\`${settings.resumeCommand}\`) or roll back (\`${settings.rollbackCommand}\`) before staging another`);
                // Staged before: this up deploys what the stack file holds now, still at 0 %.
                const rung = newRung(0);
                await apply(rung, { percent: "0" });
                rung.finishedAt = deps.now().toISOString();
                record.canaryRevision = revisionOf(await outputsNow());
                throw new Stop("staged", `${record.canaryRevision} is up at 0 %, ${stable} serves 100 %; gate it, then \`${settings.resumeCommand}\``);
            }
            const tag = await deps.stack.getConfig("controlImageTag");
            const deployedImage = typeof outputs.controlImage === "string" ? outputs.controlImage : undefined;
            if (tag && deployedImage && !sameImage(imageFromTag(CONTROL.imageRepository, tag), deployedImage)) {
                throw new Stop("usage", `the stack file's control image is ${tag} but the rollout in progress (${canary}) runs ${deployedImage}: finish or roll back that rollout (\`${settings.rollbackCommand}\`) before rolling out another image`);
            }
            say(`resuming at ${percent} %: ${canary} against ${stable}`);
            next = settings.ladder.findIndex((p) => p >= percent);
            if (next < 0) next = settings.ladder.length - 1;
            judgeCurrent = percent > 0 && settings.ladder[next] === percent;
            if (percent === 0 && !settings.gated) {
                const rung = newRung(0);
                const gate = await runGateOn(rung, outputs, "resuming at 0 %");
                rung.finishedAt = deps.now().toISOString();
                if (!gate.go) throw new Stop("no-go", `the gate said NO-GO with ${canary} at 0 %: ${gate.summary}; ${stable} still serves 100 %`);
            }
        }
        save();

        const schedule = { everyMs: settings.lookEveryMs ?? CANARY_SEQUENTIAL.lookEveryMs, lagMs: settings.ingestionLagMs ?? CANARY_WINDOW.ingestionLagMs, deadlineMs: (1 + settings.maxHolds) * settings.waitMs };
        for (let i = next; i < settings.ladder.length; i++) {
            const target = settings.ladder[i];
            stopIfInterrupted(`before ${target} %`);
            const rung = newRung(target);
            if (target >= 100) {
                // The last rung: the new revision is the stable one from now on (traffic unchanged by this up).
                await apply(rung, { percent: "100", stable: canary });
                rung.finishedAt = deps.now().toISOString();
                const serving = await deps.readTraffic(await outputsNow());
                if (!(serving.length === 1 && serving[0].revision === canary && serving[0].percent === 100)) {
                    throw new Stop("error", `after the promotion Cloud Run serves ${serving.map((t) => `${t.revision} ${t.percent} %`).join(", ") || "nothing"}, not ${canary} alone: check the service before anything else`);
                }
                record.commit = await deps.commit(deps.stack.stackFile, `Promote ${canary} to 100 % on ${deps.stack.name} (controlStableRevision)`);
                throw new Stop("promoted", `${canary} serves 100 % and is the stable revision; ${record.commit}`);
            }
            if (!(judgeCurrent && i === next)) {
                await apply(rung, { percent: String(target) });
                await guardRevision(canary, stable);
            } else rung.note = "resumed: this rung was already applied";
            save();
            const judged = settings.ladder.filter((p) => p < 100).length;
            const ended = await lookUntilDecided(schedule, {
                wait: (ms) => deps.wait(ms, `${target} % on ${canary}`),
                now: () => deps.now(),
                interrupted: () => deps.interrupt.aborted,
                look: async (window, look) => {
                    const judge = (input: StageInput, rollout?: { canary: RevisionObservation; stable: RevisionObservation }): StageJudgement => judgeLook({ ...input, rollout, rung: { index: i, judgedRungs: judged } });
                    // The rollout's data: from the first judged rung of this run (a resumed run pools from where it resumed).
                    const first = record.rungs.find((r) => r.percent > 0 && r.percent < 100);
                    const rolloutStart = first ? new Date(Math.ceil(Date.parse(first.startedAt) / 60_000) * 60_000) : undefined;
                    const run = await deps.analyze({ canary, stable, percent: target, outputs: await outputsNow(), outputDir: `${settings.outputDir}/analysis-${record.rungs.length}-${target}-${look}`, window, rolloutStart, judge });
                    rung.analyses.push(summaryOf(run.judgement, run.files.summary));
                    save();
                    say(`${target} %: look ${look + 1}: ${run.judgement.decision.toUpperCase()}: ${run.judgement.reasons[0] ?? ""}`);
                    return run;
                },
            });
            if (ended.end === "interrupted") throw interrupted(`while ${ended.while} at ${target} %`);
            if (ended.end === "deadline") {
                rung.finishedAt = deps.now().toISOString();
                throw new Stop("held", `held at ${target} % for ${Math.round(ended.elapsedMs / 60_000)} min and ${ended.looks} looks (the window plus --max-holds ${settings.maxHolds}): ${ended.run.judgement.reasons[0] ?? ""}; traffic stays at ${target} %; resume with \`${settings.resumeCommand}\` or roll back with \`${settings.rollbackCommand}\``);
            }
            if (ended.run.judgement.decision === "rollback") {
                rung.finishedAt = deps.now().toISOString();
                await rollBack(`the analysis at ${target} %: ${ended.run.judgement.reasons[0] ?? "a clear regression"}`, canary, stable);
            }
            // Only a promote goes on to the next rung.
            if (ended.run.judgement.decision !== "promote") throw new Stop("error", `the look at ${target} % ended on ${ended.run.judgement.decision}, not a decision`);
            rung.finishedAt = deps.now().toISOString();
        }
        // The ladder ends at 100 (rollout-options refuses any other): reaching here is a bug, never a promotion.
        throw new Stop("error", `the ladder ${settings.ladder.join(",")} ended without reaching 100 %`);
    } catch (error) {
        const stop =
            error instanceof Stop
                ? error
                : new Stop(
                      "error",
                      `the rollout stopped on an error (${excerpt(error instanceof Error ? error.message : String(error), 400, redactor)}); traffic is as the last successful up left it: resume with \`${settings.resumeCommand}\` or roll back with \`${settings.rollbackCommand}\``,
                  );
        record.outcome = stop.outcome;
        record.message = excerpt(stop.message, 2000, redactor);
        if (stop.outcome === "held" || stop.outcome === "interrupted" || stop.outcome === "error") record.resume = settings.resumeCommand;
        save();
        writeRolloutEvidence(settings.outputDir, record, deps.stepSummaryFile, redactor);
        say(`${stop.outcome.toUpperCase()}: ${record.message}`);
        return { record, exitCode: exitCodeOf(stop.outcome) };
    }
}

function revisionOf(outputs: Record<string, unknown>): string {
    return typeof outputs.controlRevision === "string" ? outputs.controlRevision : "";
}

export function exitCodeOf(outcome: RolloutOutcome): number {
    if (outcome === "interrupted") return 130;
    return ROLLOUT_EXIT[outcome];
}

function summaryOf(j: StageJudgement, evidence: string): RungRecord["analyses"][number] {
    const numbers = (r: StageJudgement["canary"]) => ({ revision: r.revision, requests: r.requests, errors: r.errors, errorRate: r.errorRate, errorRateUpper: r.errorRateUpper, p95Ms: r.p95Ms, latencySamples: r.latencySamples });
    return { decision: j.decision, reasons: j.reasons, canary: numbers(j.canary), stable: numbers(j.stable), ...(j.rule ? { rule: j.rule } : {}), evidence };
}

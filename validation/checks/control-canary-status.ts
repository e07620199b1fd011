// control-canary-status: the control service's traffic split as it is, judged. The old gate
// passed whenever `gcloud run services describe` worked, even with traffic pinned to a Laravel
// revision. Here it fails when a legacy revision or image serves traffic, when a serving
// revision is not ready, when the split is not the one the stack meant (its outputs
// controlRevision, controlStableRevision, controlCanaryPercent; with only a percent known, the
// latest ready revision's share), or when the new revision does not run the expected image.

import { canarySplit, legacyImageReason, legacyNameReason, legacyRevisionReason, sameImage } from "../../catalog";
import type { Check, CheckContext } from "../check";
import type { CloudRunApi } from "../../io/gcp/cloudrun";
import { read, verdictOf, type Judgement, type Read } from "../gcp-judgement";
import { servingTargets, taggedOnly, type ServingTarget } from "../../io/gcp/traffic";
import { primaryImage, shortName, type CloudRunRevision, type CloudRunService } from "../../io/gcp/types";
import type { GateOptions } from "../resolve-options";
import { runAppTieProblem } from "../targets";
import { cloudCheck } from "./cloud-apis";

/** The registry entry: the check wired to the gate's options. */
export const controlCanaryStatus = cloudCheck("control-canary-status", true, (target, _options, apis) =>
    controlCanaryStatusCheck({
        api: () => apis().cloudRun,
        serviceName: target.controlService,
        intended: intendedSplit(target),
        expectedImage: target.expectedControlImage,
        baseUrl: target.controlBaseUrl,
    }),
);

/** The split the stack meant, from its outputs. */
export interface IntendedSplit {
    /**
     * The revision this deploy created (controlRevision). Absent when only a percent is known
     * (CONTROL_CANARY_PERCENT): then the new revision is the service's latest ready one, and only
     * its share is judged.
     */
    revision?: string;
    /** The revision that keeps the rest of the traffic ("" or absent when none). */
    stableRevision?: string;
    /** Percent meant for `revision` (controlCanaryPercent); 100 when there is no stable revision. */
    canaryPercent: number;
}

export interface CanaryState {
    serviceName: string;
    where: string;
    service: Read<CloudRunService>;
    /** The serving revisions, each with what its GET returned. */
    serving: { target: ServingTarget; revision: Read<CloudRunRevision> }[];
    intended?: IntendedSplit;
    /** The image the new revision must run (EXPECTED_CONTROL_IMAGE, else the controlImage output). */
    expectedImage?: string;
    /** The new revision (intended.revision, else the latest ready one) and what its GET returned; read only with an expected image. */
    newRevision?: { name: string; revision: Read<CloudRunRevision> };
}

/** Whether a revision reports itself ready, and its Ready condition in a few words. */
export function revisionReadiness(revision: CloudRunRevision): { ready: boolean; detail: string } {
    const ready = (revision.conditions ?? []).find((c) => c.type === "Ready");
    if (!ready) return { ready: false, detail: "no Ready condition" };
    const why = ready.message ? `: ${ready.message}` : ready.reason ? `: ${ready.reason}` : "";
    return { ready: ready.state === "CONDITION_SUCCEEDED", detail: `Ready ${ready.state ?? "<unknown>"}${why}` };
}

/** The split as revision -> percent, from the intended canary (the stable revision takes the rest). */
export function intendedPercents(intended: IntendedSplit & { revision: string }): Map<string, number> {
    const split = canarySplit(intended.revision, intended.stableRevision ?? "", intended.canaryPercent);
    // The deploy's revision first, as the check reports it.
    const ordered = [...split.filter((t) => t.role !== "stable"), ...split.filter((t) => t.role === "stable")];
    return new Map(ordered.filter((t) => t.percent > 0).map((t) => [t.revision, t.percent]));
}

function describeSplit(split: Map<string, number>): string {
    return [...split.entries()].map(([r, p]) => `${r}=${p}%`).join(", ") || "<no traffic>";
}

/** Pure judgement of the traffic split over what the API returned. */
export function judgeCanaryStatus(state: CanaryState): Judgement {
    const problems: string[] = [];
    const lines: string[] = [];
    const warnings: string[] = [];

    if (!state.service.ok) {
        const e = state.service.error;
        problems.push(e.kind === "not-found" ? `control service '${state.serviceName}' does not exist in ${state.where}` : `control service '${state.serviceName}' could not be read: ${e.message}`);
    } else {
        const service = state.service.value;
        const latestCreated = shortName(service.latestCreatedRevision);
        const latestReady = shortName(service.latestReadyRevision);
        lines.push(`template image: ${primaryImage(service.template?.containers) ?? "<none>"}`);
        lines.push(`latest created revision: ${latestCreated || "<none>"}; latest ready revision: ${latestReady || "<none>"}`);
        // A rollout that never became ready is a failed deploy, whatever still serves.
        if (latestCreated && latestCreated !== latestReady) {
            problems.push(`latest created revision ${latestCreated} is not the latest ready one (${latestReady || "none"}): the newest control rollout did not become ready`);
        }
        const terminal = service.terminalCondition;
        if (terminal?.state && terminal.state !== "CONDITION_SUCCEEDED" && terminal.state !== "CONDITION_RECONCILING") {
            problems.push(`control service '${state.serviceName}' reports ${terminal.type ?? "its terminal condition"} ${terminal.state}${terminal.message ? `: ${terminal.message}` : ""}`);
        }
        if (state.serving.length === 0) problems.push(`control service '${state.serviceName}' reports no revision serving traffic`);

        for (const { target, revision } of state.serving) {
            const tags = target.tags.length ? ` tags ${target.tags.join(",")}` : "";
            // The service's own revisions may carry any image tag ("drop-laravel-1"); others are judged by their service part.
            const legacyRevision = legacyRevisionReason(target.revision, state.serviceName);
            if (legacyRevision) problems.push(`legacy revision ${target.revision} serves ${target.percent}% of traffic: ${legacyRevision}`);
            if (!revision.ok) {
                lines.push(`serving ${target.revision} ${target.percent}%${tags}: <could not be read>`);
                problems.push(`serving revision '${target.revision}' could not be read: ${revision.error.message}`);
                continue;
            }
            const image = primaryImage(revision.value.containers);
            const readiness = revisionReadiness(revision.value);
            lines.push(`serving ${target.revision} ${target.percent}%${tags} image ${image ?? "<none>"} ${readiness.detail}`);
            const legacyImage = image ? legacyImageReason(image) : undefined;
            if (legacyImage) problems.push(`revision ${target.revision} serving ${target.percent}% runs a legacy image: ${legacyImage}`);
            if (!readiness.ready) problems.push(`serving revision ${target.revision} (${target.percent}%) is not ready: ${readiness.detail}`);
        }
        for (const t of taggedOnly(service)) lines.push(`tagged (no traffic) ${t.revision} tag ${t.tag}`);

        const actual = new Map(state.serving.map(({ target }) => [target.revision, target.percent]));
        lines.push(`actual split: ${describeSplit(actual)}`);
        const intent = state.intended;
        if (intent?.revision) {
            const intended = intendedPercents({ ...intent, revision: intent.revision });
            lines.push(`intended split (stack outputs): ${describeSplit(intended)}`);
            const revisions = new Set([...intended.keys(), ...actual.keys()]);
            const differs = [...revisions].some((r) => (intended.get(r) ?? 0) !== (actual.get(r) ?? 0));
            if (differs) problems.push(`traffic split ${describeSplit(actual)} is not the intended ${describeSplit(intended)}`);
        } else if (intent) {
            // Only a percent: the deploy's revision is taken to be the latest ready one.
            lines.push(`intended: the latest ready revision ${latestReady || "<none>"} takes ${intent.canaryPercent}% (no controlRevision in the stack outputs)`);
            if (!latestReady) problems.push(`intended canary ${intent.canaryPercent}% cannot be judged: the service reports no latest ready revision`);
            else if ((actual.get(latestReady) ?? 0) !== intent.canaryPercent) {
                problems.push(`latest ready revision ${latestReady} serves ${actual.get(latestReady) ?? 0}% of traffic, not the intended ${intent.canaryPercent}%`);
            }
        } else {
            warnings.push("intended split unknown (no controlRevision in the stack outputs, no CONTROL_CANARY_PERCENT): only legacy and readiness were judged");
        }
        if (state.expectedImage) judgeNewRevisionImage(state.expectedImage, state.newRevision, lines, problems);
    }

    // Legacy service name last: the traffic findings say more about what to do.
    const legacyService = legacyNameReason(state.serviceName);
    if (legacyService) problems.push(`control service is a legacy lane: ${legacyService}`);
    return { problems, lines, warnings };
}

/** The new revision runs the expected control image (compared with sameImage). */
function judgeNewRevisionImage(expected: string, newRevision: CanaryState["newRevision"], lines: string[], problems: string[]): void {
    lines.push(`expected control image: ${expected}`);
    if (!newRevision) {
        problems.push(`expected control image ${expected} cannot be compared: no new revision known (no controlRevision, no latest ready revision)`);
        return;
    }
    const { name, revision } = newRevision;
    if (!revision.ok) {
        problems.push(revision.error.kind === "not-found" ? `new revision '${name}' does not exist` : `new revision '${name}' could not be read: ${revision.error.message}`);
        return;
    }
    const image = primaryImage(revision.value.containers);
    lines.push(`new revision ${name} image: ${image ?? "<none>"}`);
    if (!image || !sameImage(image, expected)) problems.push(`new revision ${name} runs ${image ?? "no image"}, not the expected control image ${expected}`);
}

export async function readCanaryState(ctx: CheckContext, api: CloudRunApi, serviceName: string, intended?: IntendedSplit, expectedImage?: string): Promise<CanaryState> {
    const service = await read(() => api.getService(ctx, serviceName));
    const targets = service.ok ? servingTargets(service.value) : [];
    const serving = await Promise.all(targets.map(async (target) => ({ target, revision: await read(() => api.getRevision(ctx, serviceName, target.revision)) })));
    let newRevision: CanaryState["newRevision"];
    const newName = intended?.revision || (service.ok ? shortName(service.value.latestReadyRevision) : "");
    if (expectedImage && newName) {
        // A canary at 0% serves nothing yet: read it on its own.
        const served = serving.find((s) => s.target.revision === newName);
        newRevision = { name: newName, revision: served ? served.revision : await read(() => api.getRevision(ctx, serviceName, newName)) };
    }
    return { serviceName, where: api.where, service, serving, intended, expectedImage, newRevision };
}

/**
 * The split the stack meant, when its outputs (or CONTROL_CANARY_PERCENT) say. With a percent
 * but no controlRevision, the share of the latest ready revision is judged against it.
 */
export function intendedSplit(options: Pick<GateOptions, "controlRevision" | "controlStableRevision" | "intendedCanaryPercent">): IntendedSplit | undefined {
    if (!options.controlRevision) return options.intendedCanaryPercent === undefined ? undefined : { canaryPercent: options.intendedCanaryPercent };
    const stable = options.controlStableRevision;
    return {
        revision: options.controlRevision,
        stableRevision: stable,
        canaryPercent: options.intendedCanaryPercent ?? (stable ? 0 : 100),
    };
}

export interface CanaryCheckOptions {
    api: () => CloudRunApi;
    serviceName: string;
    intended?: IntendedSplit;
    /** The image the deploy's new revision must run (EXPECTED_CONTROL_IMAGE, else the controlImage output). */
    expectedImage?: string;
    /** The environment's control URL, tied to the service when it is a run.app URL. */
    baseUrl?: string;
    skipReason?: string;
}

export function controlCanaryStatusCheck(options: CanaryCheckOptions): Check {
    return {
        id: controlCanaryStatus.id,
        required: controlCanaryStatus.required,
        description: "control traffic split: no legacy revision or image serving, serving revisions ready, split as the stack intended, new revision on the expected image",
        command: `Cloud Run Admin API v2: services/${options.serviceName} traffic + serving revisions`,
        skipReason: options.skipReason,
        async run(ctx) {
            const state = await readCanaryState(ctx, options.api(), options.serviceName, options.intended, options.expectedImage);
            const { problems, lines, warnings } = judgeCanaryStatus(state);
            const tie = options.baseUrl && state.service.ok ? runAppTieProblem(options.baseUrl, state.service.value, "control URL") : undefined;
            if (tie) problems.unshift(tie);
            for (const line of lines) ctx.log(line);
            for (const problem of problems) ctx.log(`FAIL ${problem}`);
            const split = state.serving.map(({ target }) => `${target.revision}=${target.percent}%`).join(", ");
            return verdictOf(
                problems,
                warnings,
                `serving ${split}`,
                "route traffic to ready Rust revisions of the canonical control service (pulumi up with the intended canary percent), then re-run",
            );
        },
    };
}

// control-canary-status: the control service's traffic split as it is, judged. The old gate
// passed whenever `gcloud run services describe` worked, even with traffic pinned to a Laravel
// revision. Here it fails when a legacy revision or image serves traffic, when a serving
// revision is not ready, or when the split is not the one the stack meant (its outputs
// controlRevision, controlStableRevision, controlCanaryPercent).

import { legacyImageReason, legacyNameReason } from "../../catalog";
import type { Check, CheckContext } from "../check";
import type { CloudRunApi } from "../gcp/cloudrun";
import { read, verdictOf, type Judgement, type Read } from "../gcp/judgement";
import { servingTargets, taggedOnly, type ServingTarget } from "../gcp/traffic";
import { primaryImage, shortName, type CloudRunRevision, type CloudRunService } from "../gcp/types";

export const CONTROL_CANARY_STATUS_ID = "control-canary-status";

/** The split the stack meant, from its outputs. */
export interface IntendedSplit {
    /** The revision this deploy created (controlRevision). */
    revision: string;
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
}

/** Whether a revision reports itself ready, and its Ready condition in a few words. */
export function revisionReadiness(revision: CloudRunRevision): { ready: boolean; detail: string } {
    const ready = (revision.conditions ?? []).find((c) => c.type === "Ready");
    if (!ready) return { ready: false, detail: "no Ready condition" };
    const why = ready.message ? `: ${ready.message}` : ready.reason ? `: ${ready.reason}` : "";
    return { ready: ready.state === "CONDITION_SUCCEEDED", detail: `Ready ${ready.state ?? "<unknown>"}${why}` };
}

/** The split as revision -> percent, from the intended canary (the stable revision takes the rest). */
export function intendedPercents(intended: IntendedSplit): Map<string, number> {
    const split = new Map<string, number>();
    const stable = intended.stableRevision?.trim();
    if (!stable) {
        split.set(intended.revision, 100);
        return split;
    }
    if (intended.canaryPercent > 0) split.set(intended.revision, intended.canaryPercent);
    if (intended.canaryPercent < 100) split.set(stable, 100 - intended.canaryPercent);
    return split;
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
        problems.push(
            e.kind === "not-found"
                ? `control service '${state.serviceName}' does not exist in ${state.where}`
                : `control service '${state.serviceName}' could not be read: ${e.message}`,
        );
    } else {
        const service = state.service.value;
        const latestCreated = shortName(service.latestCreatedRevision);
        const latestReady = shortName(service.latestReadyRevision);
        lines.push(`template image: ${primaryImage(service.template?.containers) ?? "<none>"}`);
        lines.push(`latest created revision: ${latestCreated || "<none>"}; latest ready revision: ${latestReady || "<none>"}`);
        if (latestCreated && latestCreated !== latestReady) {
            warnings.push(`latest created revision ${latestCreated} is not the latest ready one (${latestReady || "none"}): the newest deploy did not become ready`);
        }
        if (state.serving.length === 0) problems.push(`control service '${state.serviceName}' reports no revision serving traffic`);

        for (const { target, revision } of state.serving) {
            const tags = target.tags.length ? ` tags ${target.tags.join(",")}` : "";
            const legacyRevision = legacyNameReason(target.revision);
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
        if (state.intended?.revision) {
            const intended = intendedPercents(state.intended);
            lines.push(`intended split (stack outputs): ${describeSplit(intended)}`);
            const revisions = new Set([...intended.keys(), ...actual.keys()]);
            const differs = [...revisions].some((r) => (intended.get(r) ?? 0) !== (actual.get(r) ?? 0));
            if (differs) problems.push(`traffic split ${describeSplit(actual)} is not the intended ${describeSplit(intended)}`);
        } else {
            warnings.push("intended split unknown (no controlRevision in the stack outputs): only legacy and readiness were judged");
        }
    }

    // Legacy service name last: the traffic findings say more about what to do.
    const legacyService = legacyNameReason(state.serviceName);
    if (legacyService) problems.push(`control service is a legacy lane: ${legacyService}`);
    return { problems, lines, warnings };
}

export async function readCanaryState(ctx: CheckContext, api: CloudRunApi, serviceName: string, intended?: IntendedSplit): Promise<CanaryState> {
    const service = await read(() => api.getService(ctx, serviceName));
    const targets = service.ok ? servingTargets(service.value) : [];
    const serving = await Promise.all(targets.map(async (target) => ({ target, revision: await read(() => api.getRevision(ctx, serviceName, target.revision)) })));
    return { serviceName, where: api.where, service, serving, intended };
}

export interface CanaryCheckOptions {
    api: () => CloudRunApi;
    serviceName: string;
    intended?: IntendedSplit;
    skipReason?: string;
}

export function controlCanaryStatusCheck(options: CanaryCheckOptions): Check {
    return {
        id: CONTROL_CANARY_STATUS_ID,
        required: true,
        description: "control traffic split: no legacy revision or image serving, serving revisions ready, split as the stack intended",
        command: `Cloud Run Admin API v2: services/${options.serviceName} traffic + serving revisions`,
        skipReason: options.skipReason,
        async run(ctx) {
            const state = await readCanaryState(ctx, options.api(), options.serviceName, options.intended);
            const { problems, lines, warnings } = judgeCanaryStatus(state);
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

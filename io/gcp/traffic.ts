// The traffic split of a service as it is in effect: trafficStatuses (what Cloud Run reports as
// serving), falling back to the requested traffic only when no status is reported. A "latest"
// target names no revision: it is the latest ready one.

import { shortName, type CloudRunService } from "./types";

export interface ServingTarget {
    revision: string;
    percent: number;
    tags: string[];
    /** True when the target follows the latest ready revision rather than naming one. */
    viaLatest: boolean;
}

const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";

/** The split in effect: trafficStatuses when Cloud Run reports any, else the requested traffic. */
function effectiveSplit(service: CloudRunService): NonNullable<CloudRunService["traffic"]> {
    return service.trafficStatuses && service.trafficStatuses.length > 0 ? service.trafficStatuses : (service.traffic ?? []);
}

/** Revisions with a share of traffic (percent > 0), one entry per revision, largest share first. */
export function servingTargets(service: CloudRunService): ServingTarget[] {
    const split = effectiveSplit(service);
    const byRevision = new Map<string, ServingTarget>();
    for (const target of split) {
        const percent = typeof target.percent === "number" ? target.percent : 0;
        const viaLatest = target.type === LATEST || !target.revision;
        const revision = shortName(viaLatest && !target.revision ? service.latestReadyRevision : target.revision);
        if (percent <= 0 || !revision) continue;
        const entry = byRevision.get(revision) ?? { revision, percent: 0, tags: [], viaLatest };
        entry.percent += percent;
        if (target.tag) entry.tags.push(target.tag);
        byRevision.set(revision, entry);
    }
    return [...byRevision.values()].sort((a, b) => b.percent - a.percent);
}

/** Revisions that carry a tag but no traffic (reachable by their tag URL only). */
export function taggedOnly(service: CloudRunService): { revision: string; tag: string }[] {
    return effectiveSplit(service)
        .filter((t) => t.tag && (t.percent ?? 0) <= 0)
        .map((t) => ({ revision: shortName(t.revision || service.latestReadyRevision), tag: t.tag as string }));
}

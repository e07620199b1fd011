// Two environments' targets must be two different services. Caught before anything is sent:
// a URL given for one environment that is another's (the same URL twice, or a run.app URL that
// names the other environment's service or the other lane's).

import { CONTROL, type Environment, RUNTIME, legacyUrlReason, serviceFromRunAppUrl } from "../catalog";

export interface TargetUrls {
    environment: Environment;
    controlBaseUrl: string;
    runtimeBaseUrl: string;
}

const LANES = [
    { key: "controlBaseUrl", lane: "control", names: CONTROL.names },
    { key: "runtimeBaseUrl", lane: "runtime", names: RUNTIME.names },
] as const;

/** A URL reduced to what identifies a target: scheme, host, port and path, without a trailing slash. */
function identity(url: string): string {
    try {
        const u = new URL(url);
        return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, "")}`;
    } catch {
        return url;
    }
}

/** The (lane, environment) a canonical Cloud Run service name belongs to. */
function ownerOf(service: string): { lane: string; environment: Environment } | undefined {
    for (const { lane, names } of LANES) {
        for (const environment of Object.keys(names) as Environment[]) if (names[environment] === service) return { lane, environment };
    }
    return undefined;
}

/**
 * Why the targets of the gated environments are not distinct services; undefined when they are.
 * `gated`: the environments whose HTTP checks are part of the run.
 */
export function targetClashProblem(targets: readonly TargetUrls[], gated: readonly Environment[]): string | undefined {
    const seen = new Map<string, string>();
    for (const t of targets.filter((x) => gated.includes(x.environment))) {
        for (const { key, lane } of LANES) {
            const url = t[key];
            if (url === "") continue;
            const what = `${t.environment} ${lane} URL`;
            // A tagged URL (canary---svc-hash-uc.a.run.app) addresses the service after the tag.
            const service = serviceFromRunAppUrl(url)?.replace(/^.*---/, "");
            const owner = service ? ownerOf(service) : undefined;
            if (owner && (owner.environment !== t.environment || owner.lane !== lane)) {
                return `${what} ${url} addresses ${service}, the ${owner.environment} ${owner.lane} service: each environment's targets must be its own services`;
            }
            // A legacy URL fails every check it feeds with that reason, which says more than a clash.
            if (legacyUrlReason(url)) continue;
            const id = identity(url);
            const earlier = seen.get(id);
            if (earlier) return `${what} and ${earlier} are the same URL ${url}: each environment's targets must be its own services`;
            seen.set(id, what);
        }
    }
    return undefined;
}

// Deterministic names derived from config: revision names, execution tokens, account ids and
// labels. Deterministic so that a preview shows exactly what `up` will create and a rollback
// can name the revision it returns to.

import { Environment, MANAGED_BY, shortHash, tagFragment } from "../catalog";

/** Cloud Run revision names are DNS labels: at most 63 characters. */
const REVISION_MAX = 63;

/**
 * The revision a template creates: `<service>-<tag>-<hash of the template>`. A change of image
 * or of any setting gives a new name (Cloud Run refuses to reuse one); the same config gives
 * the same name on every preview.
 */
export function revisionName(service: string, imageTag: string, template: unknown): string {
    const hash = shortHash(template, 6);
    const room = REVISION_MAX - service.length - hash.length - 2;
    const tag = tagFragment(imageTag, Math.max(0, Math.min(room, 20)));
    return tag ? `${service}-${tag}-${hash}` : `${service}-${hash}`;
}

/** The migrate job's execution token: the catalog's, which the pack checks the job against. */
export { executionToken } from "../catalog";

/** Service account ids: 6-30 characters, lowercase. */
export function accountId(workload: string, environment: Environment): string {
    const id = `oa-${workload}-${environment}`;
    if (id.length > 30) throw new Error(`account id ${id} is longer than 30 characters`);
    return id;
}

export function laneLabels(environment: Environment, lane: string): Record<string, string> {
    return { environment, lane, "managed-by": MANAGED_BY };
}

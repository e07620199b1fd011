// Adopting the Cloud Run resources the shell lanes created: a `pulumi import --file` document
// built from the recorded plan, so the imported services and job land at exactly the URNs the
// program declares (under their components) and the next `pulumi up` updates them in place
// instead of failing with "already exists".

import { CLOUD_RUN_LANES, CloudRunLaneId } from "../catalog";
import { RecordedResource, StackPlan } from "./plan";

/** One entry of Pulumi's bulk import file (`pulumi import --file`). */
export interface ImportEntry {
    type: string;
    /** Handle inside this file (unique); `parent` refers to it. */
    name: string;
    /** The resource's logical name in the program. */
    logicalName: string;
    /** Cloud resource id; absent for the components the import creates as parents. */
    id?: string;
    component?: boolean;
    parent?: string;
}

export interface ImportFile {
    resources: ImportEntry[];
}

const IMPORTABLE: Record<string, string> = {
    "gcp:cloudrunv2/service:Service": "services",
    "gcp:cloudrunv2/job:Job": "jobs",
};

export const LANE_IDS: readonly CloudRunLaneId[] = CLOUD_RUN_LANES.map((l) => l.id);

function laneOf(r: RecordedResource): string | undefined {
    const labels = r.inputs.labels as Record<string, unknown> | undefined;
    return typeof labels?.lane === "string" ? labels.lane : undefined;
}

/** The import document for the given lanes' Cloud Run resources of a stack. */
export function importFileFor(plan: StackPlan, lanes: readonly CloudRunLaneId[]): ImportFile {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    // The handle is the logical path, unique even where a component and its child share a name.
    const handle = (r: RecordedResource): string => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        return parent ? `${handle(parent)}/${r.name}` : r.name;
    };
    const entries = new Map<string, ImportEntry>();
    const addComponents = (r: RecordedResource | undefined): void => {
        if (!r || entries.has(handle(r))) return;
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        addComponents(parent);
        entries.set(handle(r), { type: r.type, name: handle(r), logicalName: r.name, component: true, parent: parent ? handle(parent) : undefined });
    };
    for (const r of plan.resources) {
        const collection = IMPORTABLE[r.type];
        const lane = laneOf(r);
        if (!collection || !lane || !lanes.includes(lane as CloudRunLaneId)) continue;
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        addComponents(parent);
        const location = String(r.inputs.location);
        const project = String(r.inputs.project);
        entries.set(handle(r), {
            type: r.type,
            name: handle(r),
            logicalName: r.name,
            id: `projects/${project}/locations/${location}/${collection}/${String(r.inputs.name)}`,
            parent: parent ? handle(parent) : undefined,
        });
    }
    // Parents first, as the engine registers them.
    return { resources: [...entries.values()].sort((a, b) => a.name.split("/").length - b.name.split("/").length) };
}

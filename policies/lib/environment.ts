// How a policy learns which environment (staging or prod) a resource belongs to. The engine
// tells a policy nothing about the stack but its tags, so, first hit wins:
//   1. the policy's own config `environment` (e.g. --policy-pack-config prod.json),
//   2. the stack tag `environment` (`pulumi stack tag set environment prod`),
//   3. the resource's `environment` label (every resource of this program carries one),
//   4. the environment whose canonical name the resource has (a prod name is a prod resource).
// Unresolved, environment-specific checks accept any environment's canonical facts.

import { CloudRunLane, ENVIRONMENTS, Environment, canonicalLaneAnywhere, canonicalLaneFor, isEnvironment, laneById, CLOUD_RUN_LANES, parseImageRef } from "../../catalog";
import type { PolicyConfigSchema } from "@pulumi/policy";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];
import { cloudName, containersOf, labelsOf, workloadType } from "./resources";
import type { Props } from "./types";
import { readKnown, type SubChecks } from "./unknown";

export const ENVIRONMENT_TAG = "environment";
export const ENVIRONMENT_LABEL = "environment";
export const LANE_LABEL = "lane";

/** The config property every environment-aware policy accepts. */
export const environmentConfigProperty: PolicyConfigJSONSchema = {
    type: "string",
    enum: [...ENVIRONMENTS],
    description: "Environment of the stack being checked; by default from the stack tag 'environment', the resource's 'environment' label or its canonical name.",
};

export interface EnvironmentSources {
    configured?: unknown;
    stackTags: ReadonlyMap<string, string>;
    type: string;
    props: Props;
    name: string;
}

export function resolveEnvironment(s: EnvironmentSources): Environment | undefined {
    if (isEnvironment(s.configured)) return s.configured;
    const tag = s.stackTags.get(ENVIRONMENT_TAG);
    if (isEnvironment(tag)) return tag;
    const label = labelsOf(s.type, s.props)[ENVIRONMENT_LABEL];
    if (isEnvironment(label)) return label;
    return canonicalLaneAnywhere(s.name)?.environment;
}

/**
 * The lane a Cloud Run resource is: by canonical name (in its environment if known), else by
 * its `lane` label, else by what it runs: a service or job with a container of a lane's image
 * repository is that lane, whatever it is called (a renamed control service is still the front door).
 */
export function laneOf(name: string, environment: Environment | undefined, type: string, props: Props): CloudRunLane | undefined {
    const byName = environment ? canonicalLaneFor(name, environment) : canonicalLaneAnywhere(name)?.lane;
    if (byName) return byName;
    const label = labelsOf(type, props)[LANE_LABEL];
    if (CLOUD_RUN_LANES.some((l) => l.id === label)) return laneById(label as CloudRunLane["id"]);
    const kind = workloadType(type)?.kind;
    const containers = readKnown(() => containersOf(type, props));
    for (const container of Array.isArray(containers) ? containers : []) {
        // An image unknown during preview names no lane here: the checks that need it say so.
        const image = readKnown((): unknown => container.image);
        const repository = typeof image === "string" ? parseImageRef(image)?.repository : undefined;
        const lane = CLOUD_RUN_LANES.find((l) => l.imageRepository === repository && l.kind === kind);
        if (lane) return lane;
    }
    return undefined;
}

/** What a service is: its Cloud Run name, its environment and its lane (each may stay unknown). */
export interface ServiceIdentity {
    name: string;
    environment: Environment | undefined;
    lane: CloudRunLane | undefined;
}

/**
 * A service's name, environment and lane, each read under its own guard of `checks`, so a
 * preview unknown in one hides no verdict that the others allow.
 */
export function identifyService(checks: SubChecks, args: { name: string; type: string; props: Props; stackTags: ReadonlyMap<string, string> }, configured: unknown): ServiceIdentity {
    const id: ServiceIdentity = { name: args.name, environment: undefined, lane: undefined };
    checks.run(() => (id.name = cloudName(args.props, args.name)));
    checks.run(() => (id.environment = resolveEnvironment({ configured, stackTags: args.stackTags, type: args.type, props: args.props, name: id.name })));
    checks.run(() => (id.lane = laneOf(id.name, id.environment, args.type, args.props)));
    return id;
}

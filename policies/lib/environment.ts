// How a policy learns which environment (staging or prod) a resource belongs to. The engine
// tells a policy nothing about the stack but its tags, so, first hit wins:
//   1. the policy's own config `environment` (e.g. --policy-pack-config prod.json),
//   2. the stack tag `environment` (`pulumi stack tag set environment prod`),
//   3. the resource's `environment` label (every resource of this program carries one),
//   4. the environment whose canonical name the resource has (a prod name is a prod resource).
// Unresolved, environment-specific checks accept any environment's canonical facts.

import { CloudRunLane, ENVIRONMENTS, Environment, canonicalLaneAnywhere, canonicalLaneFor, isEnvironment, laneById, CLOUD_RUN_LANES } from "../../catalog";
import type { PolicyConfigSchema } from "@pulumi/policy";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];
import { labelsOf } from "./resources";
import type { Props } from "./types";

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

/** The lane a Cloud Run resource is: by canonical name (in its environment if known), else by its `lane` label. */
export function laneOf(name: string, environment: Environment | undefined, type: string, props: Props): CloudRunLane | undefined {
    const byName = environment ? canonicalLaneFor(name, environment) : canonicalLaneAnywhere(name)?.lane;
    if (byName) return byName;
    const label = labelsOf(type, props)[LANE_LABEL];
    return CLOUD_RUN_LANES.find((l) => l.id === label) ? laneById(label as CloudRunLane["id"]) : undefined;
}

// Baseline resources as the stack program declares them: the lanes' services and job, and a
// whole compliant environment, are taken from the program's recorded plan (review/plan.ts
// recordStack, run under Pulumi's mock runtime once per test file), so a baseline cannot drift
// from what the program declares. Each call returns a fresh copy: a spec mutates one field of a
// compliant baseline and asserts the one verdict that follows. The other builders make the
// resources the program never declares (a serverless NEG, a worker pool) or variants of its own.

import { CONTROL, ENVIRONMENTS, Environment, GCP, RUNTIME } from "../../catalog";
import { TYPES } from "../../policies/lib/resources";
import { EngineResource, defaultUrn } from "../../policies/offline/engine";
import { StackPlan, findResource, recordStack } from "../../review/plan";
import { readStackConfig } from "../../review/stack-files";

export type Json = any;

/** The control image tag both stack files deploy (the runtime's is the same build). */
export const TAG = readStackConfig("prod").config["openagents-rust-lanes:controlImageTag"];
export const RUNTIME_IMAGE = `${RUNTIME.imageRepository}:${TAG}`;
export const CONTROL_IMAGE = `${CONTROL.imageRepository}:${TAG}`;

const plans: Partial<Record<Environment, StackPlan>> = {};

/** Records both stacks' plans (once per process; mocha runs it before each file that imports this). */
export async function loadBaselines(): Promise<void> {
    for (const environment of ENVIRONMENTS) plans[environment] ??= await recordStack(environment);
}
if (typeof before === "function") before(loadBaselines);

function planOf(environment: Environment): StackPlan {
    const plan = plans[environment];
    if (!plan) throw new Error("the recorded baselines are not loaded: await loadBaselines() first");
    return plan;
}

function asEngineResource(r: StackPlan["resources"][number]): EngineResource {
    return structuredClone({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: r.dependencies,
        ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
    });
}

function recorded(environment: Environment, type: string, name: string): EngineResource {
    return asEngineResource(findResource(planOf(environment), type, name));
}

function labels(environment: Environment, lane: string): Record<string, string> {
    return { environment, lane, "managed-by": "pulumi" };
}

function account(workload: string, environment: Environment): string {
    return `oa-${workload}-${environment}@${GCP.project}.iam.gserviceaccount.com`;
}

export function controlService(environment: Environment = "prod"): EngineResource {
    return recorded(environment, TYPES.serviceV2, "control");
}

export function runtimeService(environment: Environment = "prod"): EngineResource {
    return recorded(environment, TYPES.serviceV2, "runtime");
}

export function migrateJob(environment: Environment = "prod"): EngineResource {
    return recorded(environment, TYPES.jobV2, "runtime-migrate");
}

export function iamMember(target: string, member: string, role = "roles/run.invoker", environment: Environment = "prod"): EngineResource {
    const type = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";
    const name = `${target}-invoker-${member.split(":")[0]}`;
    return { type, name, urn: defaultUrn(type, name, environment), props: { project: GCP.project, location: GCP.region, name: target, role, member } };
}

export function secretGrant(secretId: string, environment: Environment = "prod"): EngineResource {
    const name = `reads-${secretId}`;
    return {
        type: TYPES.secretIamMember,
        name,
        urn: defaultUrn(TYPES.secretIamMember, name, environment),
        props: { project: GCP.project, secretId, role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${account("control", environment)}` },
    };
}

export function domainMapping(routeName: string, environment: Environment = "prod"): EngineResource {
    return {
        type: TYPES.domainMappingV1,
        name: "control-domain",
        urn: defaultUrn(TYPES.domainMappingV1, "control-domain", environment),
        props: { name: "openagents.com", location: GCP.region, metadata: { namespace: GCP.project, labels: labels(environment, "control") }, spec: { routeName } },
    };
}

/** A serverless network endpoint group: how a load balancer routes to a Cloud Run service. */
export function serverlessNeg(service: string, environment: Environment = "prod"): EngineResource {
    const type = "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup";
    return {
        type,
        name: "control-neg",
        urn: defaultUrn(type, "control-neg", environment),
        props: { project: GCP.project, region: GCP.region, name: "control-neg", networkEndpointType: "SERVERLESS", cloudRun: { service } },
    };
}

/** A Cloud Run v2 worker pool (no traffic, no probes) declared like the lanes. */
export function workerPool(name: string, image: string, environment: Environment = "prod"): EngineResource {
    return {
        type: TYPES.workerPoolV2,
        name,
        urn: defaultUrn(TYPES.workerPoolV2, name, environment),
        props: {
            name,
            project: GCP.project,
            location: GCP.region,
            labels: labels(environment, "runtime"),
            template: { serviceAccount: account("runtime", environment), containers: [{ image, resources: { limits: { cpu: "1", memory: "512Mi" } } }] },
        },
    };
}

export function serviceAccount(environment: Environment = "prod"): EngineResource {
    const type = "gcp:serviceaccount/account:Account";
    return { type, name: "control-identity", urn: defaultUrn(type, "control-identity", environment), props: { project: GCP.project, accountId: `oa-control-${environment}` } };
}

/** Where a container image sits in a service template, as the engine's proxy names it. */
export const UNKNOWN_IMAGE_PATH = ".template.containers.0.image";

/** A whole compliant environment: every resource the program declares (components left out). */
export function compliantStack(environment: Environment = "prod"): EngineResource[] {
    return planOf(environment)
        .resources.filter((r) => r.custom)
        .map(asEngineResource);
}

/** Deep copy, then apply a mutation to the props. */
export function mutate(resource: EngineResource, change: (props: Json, resource: EngineResource) => void): EngineResource {
    const copy: EngineResource = structuredClone(resource);
    change(copy.props, copy);
    return copy;
}

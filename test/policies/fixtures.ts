// Baseline resources as the stack program declares them (inputs, camelCase, gcp 9.x
// cloudrunv2), built from the catalog. Each call returns a fresh copy: a spec mutates one field
// of a compliant baseline and asserts the one verdict that follows.

import { CONTROL, Environment, GCP, KNOWN_SECRETS, RUNTIME, RUNTIME_MIGRATE } from "../../catalog";
import { TYPES } from "../../policies/lib/resources";
import { EngineResource, defaultUrn } from "../../policies/offline/engine";

export type Json = any;

export const TAG = "a1b2c3d";
export const RUNTIME_IMAGE = `${RUNTIME.imageRepository}:${TAG}`;
export const CONTROL_IMAGE = `${CONTROL.imageRepository}:${TAG}`;

function labels(environment: Environment, lane: string): Record<string, string> {
    return { environment, lane, "managed-by": "pulumi" };
}

function probes(lane: typeof CONTROL) {
    return {
        startupProbe: { httpGet: { path: lane.health.readiness, port: lane.containerPort }, periodSeconds: 5, failureThreshold: 60 },
        livenessProbe: { httpGet: { path: lane.health.liveness, port: lane.containerPort }, periodSeconds: 15 },
    };
}

function account(workload: string, environment: Environment): string {
    return `oa-${workload}-${environment}@${GCP.project}.iam.gserviceaccount.com`;
}

export function controlService(environment: Environment = "prod"): EngineResource {
    const name = CONTROL.names[environment];
    return {
        type: TYPES.serviceV2,
        name: "control",
        urn: defaultUrn(TYPES.serviceV2, "control", environment),
        props: {
            name,
            project: GCP.project,
            location: GCP.region,
            description: CONTROL.summary,
            ingress: "INGRESS_TRAFFIC_ALL",
            deletionProtection: environment === "prod",
            labels: labels(environment, "control"),
            template: {
                revision: `${name}-${TAG}-abc123`,
                labels: labels(environment, "control"),
                serviceAccount: account("control", environment),
                containers: [
                    {
                        image: CONTROL_IMAGE,
                        ports: { containerPort: 8080 },
                        envs: [
                            { name: CONTROL.bindAddrEnv, value: "0.0.0.0:8080" },
                            { name: "OA_CONTROL_STATIC_DIR", value: "/app/web-shell/dist" },
                            { name: "OA_SYNC_TOKEN_SIGNING_KEY", valueSource: { secretKeyRef: { secret: KNOWN_SECRETS.syncTokenSigningKey, version: "latest" } } },
                            { name: "OA_MAINTENANCE_BYPASS_TOKEN", valueSource: { secretKeyRef: { secret: KNOWN_SECRETS.maintenanceBypassToken, version: "latest" } } },
                            { name: "OA_AUTH_PROVIDER_MODE", value: "workos" },
                        ],
                        resources: { limits: { cpu: "1", memory: "512Mi" }, startupCpuBoost: true, cpuIdle: true },
                        ...probes(CONTROL),
                    },
                ],
                scaling: { minInstanceCount: environment === "prod" ? 1 : 0, maxInstanceCount: 100 },
                maxInstanceRequestConcurrency: 80,
                timeout: "300s",
            },
            traffics: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: `${name}-${TAG}-abc123`, percent: 100, tag: "current" }],
        },
    };
}

export function runtimeService(environment: Environment = "prod"): EngineResource {
    const name = RUNTIME.names[environment];
    return {
        type: TYPES.serviceV2,
        name: "runtime",
        urn: defaultUrn(TYPES.serviceV2, "runtime", environment),
        dependencies: [defaultUrn(TYPES.jobV2, "runtime-migrate", environment)],
        props: {
            name,
            project: GCP.project,
            location: GCP.region,
            description: RUNTIME.summary,
            ingress: "INGRESS_TRAFFIC_ALL",
            deletionProtection: environment === "prod",
            labels: labels(environment, "runtime"),
            template: {
                labels: labels(environment, "runtime"),
                serviceAccount: account("runtime", environment),
                containers: [
                    {
                        image: RUNTIME_IMAGE,
                        ports: { containerPort: 8080 },
                        envs: [
                            { name: RUNTIME.bindAddrEnv, value: "0.0.0.0:8080" },
                            { name: "DB_URL", valueSource: { secretKeyRef: { secret: "runtime-db-url", version: "latest" } } },
                        ],
                        resources: { limits: { cpu: "1", memory: "1Gi" }, cpuIdle: true },
                        ...probes(RUNTIME),
                    },
                ],
                scaling: { minInstanceCount: 0, maxInstanceCount: 10 },
            },
            traffics: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
        },
    };
}

export function migrateJob(environment: Environment = "prod"): EngineResource {
    return {
        type: TYPES.jobV2,
        name: "runtime-migrate",
        urn: defaultUrn(TYPES.jobV2, "runtime-migrate", environment),
        props: {
            name: RUNTIME_MIGRATE.names[environment],
            project: GCP.project,
            location: GCP.region,
            deletionProtection: environment === "prod",
            labels: labels(environment, "runtime-migrate"),
            runExecutionToken: `${TAG}-12345678`,
            template: {
                taskCount: 1,
                labels: labels(environment, "runtime-migrate"),
                template: {
                    serviceAccount: account("runtime-migrate", environment),
                    maxRetries: 0,
                    containers: [
                        {
                            image: RUNTIME_IMAGE,
                            commands: ["runtime-migrate"],
                            args: [],
                            envs: [{ name: "DB_URL", valueSource: { secretKeyRef: { secret: "runtime-db-url", version: "latest" } } }],
                            resources: { limits: { cpu: "1", memory: "512Mi" } },
                        },
                    ],
                },
            },
        },
    };
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

/** A whole compliant environment, as the program declares it. */
export function compliantStack(environment: Environment = "prod"): EngineResource[] {
    return [
        serviceAccount(environment),
        secretGrant(KNOWN_SECRETS.syncTokenSigningKey, environment),
        controlService(environment),
        iamMember(CONTROL.names[environment], "allUsers", "roles/run.invoker", environment),
        migrateJob(environment),
        runtimeService(environment),
        iamMember(RUNTIME.names[environment], `serviceAccount:${account("control", environment)}`, "roles/run.invoker", environment),
        domainMapping(CONTROL.names[environment], environment),
    ];
}

/** Deep copy, then apply a mutation to the props. */
export function mutate(resource: EngineResource, change: (props: Json, resource: EngineResource) => void): EngineResource {
    const copy: EngineResource = structuredClone(resource);
    change(copy.props, copy);
    return copy;
}

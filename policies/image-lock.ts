// Mandatory stack policy: the runtime image lock. A stale migrate image once left tables
// missing while the runtime answered 500, and `gcloud run jobs update` could not create a
// missing job: so the migrate job must exist beside the runtime service, run exactly its
// image, run `runtime-migrate` with no leftover args, and the service must wait for it.
// The stack is indexed once (no per-resource scan of the whole stack).

/* eslint-disable @typescript-eslint/no-unsafe-assignment --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { PolicyResource } from "@pulumi/policy";
import { Environment, RUNTIME, RUNTIME_MIGRATE, parseImageRef } from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { cloudName, commandLine, containersOf, workloadType } from "./lib/resources";
import type { PackStackPolicy } from "./lib/types";

export interface ImageLockConfig {
    environment?: Environment;
}

interface LaneResource {
    resource: PolicyResource;
    name: string;
    environment?: Environment;
}

/** Images compared as references: host and path case-insensitively, tag exactly, digest lowercased. */
function sameImage(a: string, b: string): boolean {
    const ra = parseImageRef(a);
    const rb = parseImageRef(b);
    if (!ra || !rb) return a.trim() === b.trim();
    return ra.repository === rb.repository && ra.tag === rb.tag && ra.digest === rb.digest;
}

function firstImage(r: PolicyResource): string | undefined {
    const image = containersOf(r.type, r.props)[0]?.image;
    return typeof image === "string" ? image : undefined;
}

interface JobIndex {
    byUrn: Map<string, LaneResource>;
    byEnvironment: Map<Environment | undefined, LaneResource>;
    all: LaneResource[];
}

/** A runtime service's migrate job: the one it depends on, else its environment's, else the only one. */
function pair(service: LaneResource, jobs: JobIndex): LaneResource | undefined {
    for (const dependency of service.resource.dependencies) {
        const job = jobs.byUrn.get(dependency.urn);
        if (job) return job;
    }
    return jobs.byEnvironment.get(service.environment) ?? (jobs.all.length === 1 ? jobs.all[0] : undefined);
}

export const runtimeImageLock: PackStackPolicy = {
    name: "runtime-image-lock",
    description: "The migrate job runs the runtime service's image, runs runtime-migrate with no args, and the runtime service depends on it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Declare the runtime service and its migrate job together (services/runtime-lane.ts does): one image value for " +
        "both, commands ['runtime-migrate'] and args [], and dependsOn the job from the service.",
    configSchema: { properties: { environment: environmentConfigProperty } },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<ImageLockConfig>();
        const services: LaneResource[] = [];
        const jobs: LaneResource[] = [];
        for (const resource of args.resources) {
            const workload = workloadType(resource.type);
            if (!workload) continue;
            const name = cloudName(resource.props, resource.name);
            const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type: resource.type, props: resource.props, name });
            const lane = laneOf(name, environment, resource.type, resource.props);
            if (lane === RUNTIME && workload.kind === "service") services.push({ resource, name, environment });
            if (lane === RUNTIME_MIGRATE && workload.kind === "job") jobs.push({ resource, name, environment });
        }
        if (services.length === 0 && jobs.length === 0) return args.notApplicable("no runtime lane in this stack");

        const index: JobIndex = { byUrn: new Map(), byEnvironment: new Map(), all: jobs };
        for (const job of jobs) {
            index.byUrn.set(job.resource.urn, job);
            if (!index.byEnvironment.has(job.environment)) index.byEnvironment.set(job.environment, job);
        }
        const paired = new Set<LaneResource>();
        for (const service of services) {
            const job = pair(service, index);
            if (!job) {
                reportViolation(`runtime service '${service.name}' has no migrate job in this stack: migrations would never run`, service.resource.urn);
                continue;
            }
            paired.add(job);
            const serviceImage = firstImage(service.resource);
            const jobImage = firstImage(job.resource);
            if (serviceImage === undefined || jobImage === undefined || !sameImage(serviceImage, jobImage)) {
                reportViolation(
                    `migrate job '${job.name}' runs image '${jobImage ?? "<none>"}' but runtime service '${service.name}' runs '${serviceImage ?? "<none>"}'`,
                    job.resource.urn,
                );
            }
            if (!service.resource.dependencies.some((d) => d.urn === job.resource.urn)) {
                reportViolation(
                    `runtime service '${service.name}' does not depend on migrate job '${job.name}': it could roll out before the migration ran`,
                    service.resource.urn,
                );
            }
        }
        for (const job of jobs) {
            const command = containersOf(job.resource.type, job.resource.props)[0];
            const words = command ? commandLine(command) : [];
            if (words.join(" ") !== RUNTIME_MIGRATE.command.join(" ")) {
                reportViolation(`migrate job '${job.name}' runs '${words.join(" ")}', expected '${RUNTIME_MIGRATE.command.join(" ")}' with no args`, job.resource.urn);
            }
            if (!paired.has(job) && services.length === 0) {
                reportViolation(`migrate job '${job.name}' has no runtime service in this stack`, job.resource.urn);
            }
        }
    },
};

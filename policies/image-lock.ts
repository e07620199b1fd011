// Mandatory stack policy: the runtime image lock. A stale migrate image once left tables
// missing while the runtime answered 500, and `gcloud run jobs update` could not create a
// missing job: so the migrate job must exist beside the runtime service, run exactly its
// image, run `runtime-migrate` with no leftover args, and the service must wait for it. A job
// no runtime service depends on (a second migrate job, a stray one) is outside the lock: reported.
// The stack is indexed once (no per-resource scan of the whole stack).

/* eslint-disable @typescript-eslint/no-unsafe-assignment --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { PolicyResource } from "@pulumi/policy";
import { Environment, RUNTIME, RUNTIME_MIGRATE, sameImage } from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { cloudName, containersOf, workloadType } from "./lib/resources";
import type { PackStackPolicy } from "./lib/types";

export interface ImageLockConfig {
    environment?: Environment;
}

interface LaneResource {
    resource: PolicyResource;
    name: string;
    environment?: Environment;
}

/** The strings of a commands/args list (anything else is ignored). */
function words(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((w): w is string => typeof w === "string") : [];
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
        const allJobs: LaneResource[] = [];
        for (const resource of args.resources) {
            const workload = workloadType(resource.type);
            if (!workload) continue;
            const name = cloudName(resource.props, resource.name);
            const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type: resource.type, props: resource.props, name });
            const lane = laneOf(name, environment, resource.type, resource.props);
            if (lane === RUNTIME && workload.kind === "service") services.push({ resource, name, environment });
            if (workload.kind === "job") {
                allJobs.push({ resource, name, environment });
                if (lane === RUNTIME_MIGRATE) jobs.push(allJobs[allJobs.length - 1]);
            }
        }
        if (services.length === 0 && jobs.length === 0) return args.notApplicable("no runtime lane in this stack");

        const index: JobIndex = { byUrn: new Map(), byEnvironment: new Map(), all: jobs };
        for (const job of jobs) {
            index.byUrn.set(job.resource.urn, job);
            if (!index.byEnvironment.has(job.environment)) index.byEnvironment.set(job.environment, job);
        }
        const paired = new Set<LaneResource>();
        const dependedOn = new Set<string>();
        for (const service of services) {
            for (const dependency of service.resource.dependencies) dependedOn.add(dependency.urn);
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
        const expected = RUNTIME_MIGRATE.command;
        for (const job of jobs) {
            // Commands and args separately: ["runtime-migrate"] as args with no command is not the same container.
            const container = containersOf(job.resource.type, job.resource.props)[0];
            const commands = container ? words(container.commands) : [];
            const jobArgs = container ? words(container.args) : [];
            if (commands.length !== expected.length || commands.some((c, i) => c !== expected[i])) {
                reportViolation(`migrate job '${job.name}' has commands ${JSON.stringify(commands)}, expected ${JSON.stringify(expected)}`, job.resource.urn);
            }
            if (jobArgs.length > 0) {
                reportViolation(`migrate job '${job.name}' passes args ${JSON.stringify(jobArgs)}: runtime-migrate takes none`, job.resource.urn);
            }
        }
        for (const job of allJobs) {
            if (paired.has(job) || dependedOn.has(job.resource.urn)) continue;
            reportViolation(
                services.length === 0
                    ? `${jobs.includes(job) ? "migrate job" : "job"} '${job.name}' has no runtime service in this stack`
                    : `job '${job.name}' is not a dependency of any runtime service: no runtime deploy runs it, so the image lock does not hold for it`,
                job.resource.urn,
            );
        }
    },
};

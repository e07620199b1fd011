// Mandatory stack policy: the runtime image lock. A stale migrate image once left tables
// missing while the runtime answered 500, and `gcloud run jobs update` could not create a
// missing job: so the migrate job must exist beside the runtime service, run exactly its
// image, run `runtime-migrate` with no leftover args, and the service must wait for it. A job
// no runtime service depends on (a second migrate job, a stray one) is outside the lock: reported.
// The stack is indexed once (no per-resource scan of the whole stack).

/* eslint-disable @typescript-eslint/no-unsafe-assignment --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { PolicyResource } from "@pulumi/policy";
import {
    DATABASE_ENV,
    DatabaseSource,
    Environment,
    PROVIDER_JOB_WAIT_SECONDS,
    RUNTIME,
    RUNTIME_MIGRATE,
    concurrencyProblem,
    databaseProblem,
    durationSeconds,
    executionTokenProblem,
    parseImageRef,
    sameImage,
    timeToFinishProblem,
} from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { cloudName, containersOf, envsOf, workloadType } from "./lib/resources";
import type { PackStackPolicy, Props } from "./lib/types";

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

function imageOf(container: Props | undefined): string | undefined {
    const image: unknown = container?.image;
    return typeof image === "string" ? image : undefined;
}

/** The runtime service's own container: the one of the runtime's repository, else the first. */
function runtimeContainer(r: PolicyResource): Props | undefined {
    const containers = containersOf(r.type, r.props);
    if (containers.length < 2) return containers[0];
    return containers.find((c) => parseImageRef(imageOf(c) ?? "")?.repository === RUNTIME.imageRepository) ?? containers[0];
}

/** Where a container reads its database: DB_URL, else DATABASE_URL (as runtime-migrate does). */
function databaseOf(container: Props | undefined): DatabaseSource | undefined {
    if (!container) return undefined;
    const envs = envsOf(container);
    for (const name of DATABASE_ENV) {
        for (const env of envs) {
            if (env.name !== name) continue;
            const secret = env.secret();
            if (secret !== undefined) return { secret };
            const value = env.value();
            if (typeof value === "string" && value.trim() !== "") return { literal: value };
        }
    }
    return undefined;
}

/** How long the deploy waits for the job: its custom create/update timeout, else the provider's default. */
function waitSeconds(r: PolicyResource): number {
    const t = r.opts?.customTimeouts;
    const set = [t?.createSeconds, t?.updateSeconds].filter((n): n is number => typeof n === "number" && n > 0);
    return set.length > 0 ? Math.min(...set) : PROVIDER_JOB_WAIT_SECONDS;
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
    description:
        "The migrate job runs the runtime service's image and its migration, one task at a time with time to finish, on the runtime's database, executed for every new image, and the runtime service waits for it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Declare the runtime service and its migrate job together (services/runtime-lane.ts does): one image value for " +
        "both, one container with commands ['runtime-migrate'] and args [], a runExecutionToken derived from the image, " +
        "taskCount 1 and parallelism 1, (maxRetries + 1) x timeout within the deploy's wait, DB_URL from the runtime's " +
        "secret, and dependsOn the job from the service.",
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
            const serviceContainer = runtimeContainer(service.resource);
            const serviceImage = imageOf(serviceContainer);
            // Every container of the job: a second one runs beside the migration, on whatever image it names.
            const jobContainers = containersOf(job.resource.type, job.resource.props);
            if (jobContainers.length === 0) reportViolation(`migrate job '${job.name}' has no container: migrations would never run`, job.resource.urn);
            for (const container of jobContainers) {
                const jobImage = imageOf(container);
                if (serviceImage === undefined || jobImage === undefined || !sameImage(serviceImage, jobImage)) {
                    reportViolation(`migrate job '${job.name}' runs image '${jobImage ?? "<none>"}' but runtime service '${service.name}' runs '${serviceImage ?? "<none>"}'`, job.resource.urn);
                }
            }
            const props = job.resource.props;
            const problems = [executionTokenProblem(props.runExecutionToken, props.startExecutionToken, serviceImage), databaseProblem(databaseOf(jobContainers[0]), databaseOf(serviceContainer))];
            for (const why of problems) if (why) reportViolation(`migrate job '${job.name}': ${why}`, job.resource.urn);
            if (!service.resource.dependencies.some((d) => d.urn === job.resource.urn)) {
                reportViolation(`runtime service '${service.name}' does not depend on migrate job '${job.name}': it could roll out before the migration ran`, service.resource.urn);
            }
        }
        const expected = RUNTIME_MIGRATE.command;
        for (const job of jobs) {
            const template: unknown = job.resource.props.template;
            const t = template && typeof template === "object" ? (template as Props) : {};
            const inner: Props = t.template && typeof t.template === "object" ? t.template : {};
            // Cloud Run's defaults when unset: 3 retries, a 600 s task timeout.
            const retries = typeof inner.maxRetries === "number" ? inner.maxRetries : 3;
            const timeout = durationSeconds(inner.timeout) ?? 600;
            const jobContainers = containersOf(job.resource.type, job.resource.props);
            const containerCount = jobContainers.length;
            const problems = [
                containerCount > 1 ? `it runs ${containerCount} containers: the migration is one container, anything beside it runs with the database secret` : undefined,
                concurrencyProblem(t.taskCount, t.parallelism),
                timeToFinishProblem(retries, timeout, waitSeconds(job.resource)),
            ];
            for (const why of problems) if (why) reportViolation(`migrate job '${job.name}': ${why}`, job.resource.urn);
            // Commands and args separately: ["runtime-migrate"] as args with no command is not the same container.
            const container = jobContainers[0];
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

import * as pulumi from "@pulumi/pulumi";
import { Job, Service, ServiceIamMember, getJob } from "@pulumi/gcp/cloudrunv2";
import { Environment, RUNTIME, RUNTIME_MIGRATE, imageFromTag } from "../catalog";
import type { StackConfig } from "./stack-config";
import { containerEnv, containerProbes } from "./container";
import { accountId, executionToken, laneLabels } from "./naming";
import { WorkloadIdentity } from "./workload-identity";

export interface RuntimeLaneArgs {
    environment: Environment;
    project: string;
    region: string;
    runtime: StackConfig["runtime"];
    migrate: StackConfig["migrate"];
    secretVersion: string;
    deletionProtection: boolean;
    /** IAM members allowed to invoke the runtime, keyed by a stable short name (e.g. control). */
    invokers: Record<string, pulumi.Input<string>>;
}

// The migrate job's execution, as the provider runs it (terraform-provider-google-beta v7.45.0,
// google-beta/services/cloudrunv2/resource_cloud_run_v2_job.go@3dc173a3): a create or update
// carrying `run_execution_token` (:795-801) starts one execution named after the token and waits
// for the long-running operation (:1225-1227, :1488-1490) inside the resource's create/update
// timeout, 20 minutes unless set (:109-113). The job is ready only once that execution succeeded.

/** Seconds one task attempt may take to start (schedule, image pull, container start) before its own timeout runs: an allowance, not a Cloud Run figure. */
export const MIGRATE_TASK_STARTUP_SECONDS = 120;
/** Seconds for the update operation around the execution (the PATCH, the job's reconciliation). */
export const MIGRATE_OPERATION_SLACK_SECONDS = 300;

/** The longest a migration execution can run under this config: every attempt (1 + retries) at its full timeout, each with its start-up. */
export function migrateWorstCaseSeconds(mg: Pick<StackConfig["migrate"], "maxRetries" | "timeoutSeconds">): number {
    return (mg.maxRetries + 1) * (mg.timeoutSeconds + MIGRATE_TASK_STARTUP_SECONDS) + MIGRATE_OPERATION_SLACK_SECONDS;
}

/** The job's create/update timeouts: the worst case the config allows, never the provider's 20-minute default. */
export function migrateJobTimeouts(mg: Pick<StackConfig["migrate"], "maxRetries" | "timeoutSeconds">): pulumi.CustomTimeouts {
    const wait = `${migrateWorstCaseSeconds(mg)}s`;
    return { create: wait, update: wait };
}

/** What the job's last execution says, as the provider's data source reads it (name, completion; the job's terminal condition). */
export interface PriorExecution {
    /** The execution's full name or id: projects/.../executions/<job>-<token>, or <job>-<token>. */
    name: string;
    completed: boolean;
    /** The job is ready: its terminal condition succeeded. */
    jobReady: boolean;
}

/**
 * The token this `up` sends, so that a retried `up` never re-sends a token whose execution exists.
 * The base token is a function of (image, rerun). If the job's last execution already carries it
 * (or a retry of it, `<base>-a<N>`): while it runs or once the job is ready, that token again (no
 * change, no new execution); once it ended and the job is not ready (the migration failed, or the
 * `up` that sent it timed out or was cut short), the next attempt `<base>-a<N+1>`: a new execution.
 */
export function executionTokenFor(jobName: string, base: string, prior: PriorExecution | undefined): string {
    if (!prior) return base;
    const id = prior.name.split("/").pop() ?? "";
    const prefix = `${jobName}-${base}`;
    if (id !== prefix && !id.startsWith(`${prefix}-a`)) return base;
    const attempt = id === prefix ? 1 : Number(id.slice(prefix.length + 2));
    if (!Number.isInteger(attempt) || attempt < 1) return base;
    const token = id.slice(jobName.length + 1);
    if (!prior.completed || prior.jobReady) return token;
    const next = `${base}-a${attempt + 1}`;
    // Job name plus token stay under 63 characters (SOURCES.executionToken): a long one drops the tag fragment, keeping the image hash.
    if (jobName.length + 1 + next.length < 63) return next;
    const core = /(?:^|-)([0-9a-f]{8}(?:-r\d+)?)$/.exec(base)?.[1] ?? base;
    return `${core}-a${attempt + 1}`;
}

/** The job's last execution, or undefined when the job does not exist yet (the first deploy). */
async function priorExecution(name: string, project: string, location: string, parent: pulumi.Resource): Promise<PriorExecution | undefined> {
    let job: Awaited<ReturnType<typeof getJob>>;
    try {
        job = await getJob({ name, project, location }, { parent });
    } catch (error) {
        // The data source's own answer for a missing job (data_source_google_cloud_run_v2_job.go:65-67@v7.45.0).
        if (error instanceof Error && error.message.includes(`projects/${project}/locations/${location}/jobs/${name} not found`)) return undefined;
        throw error;
    }
    const latest = job.latestCreatedExecutions?.[0];
    if (!latest?.name) return undefined;
    return { name: latest.name, completed: Boolean(latest.completionTime), jobReady: job.terminalConditions?.[0]?.state === "CONDITION_SUCCEEDED" };
}

/**
 * The runtime service and its migrate job as one unit: both run the one image built from
 * runtimeImageTag, and the service only rolls once the job's execution for that image has
 * succeeded (a failed migration stops `pulumi up` before any traffic moves).
 */
export class RuntimeLane extends pulumi.ComponentResource {
    public readonly service: Service;
    public readonly job: Job;
    public readonly image: string;
    public readonly executionToken: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly serviceIdentity: WorkloadIdentity;
    public readonly migrateIdentity: WorkloadIdentity;

    constructor(name: string, args: RuntimeLaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openagents:lanes:RuntimeLane", name, {}, opts);
        const r = args.runtime;
        const mg = args.migrate;
        // One value feeds both: the service and the job cannot drift apart.
        this.image = imageFromTag(RUNTIME.imageRepository, r.imageTag);
        const dbUrl = { env: "DB_URL", secret: r.databaseUrlSecret, version: args.secretVersion };
        const serviceSecrets = [dbUrl, ...r.secrets];

        this.migrateIdentity = new WorkloadIdentity(
            `${name}-migrate-identity`,
            {
                project: args.project,
                accountId: accountId("runtime-migrate", args.environment),
                displayName: `OpenAgents runtime migrations (${args.environment})`,
                secrets: [dbUrl.secret],
            },
            { parent: this },
        );
        this.serviceIdentity = new WorkloadIdentity(
            `${name}-identity`,
            {
                project: args.project,
                accountId: accountId("runtime", args.environment),
                displayName: `OpenAgents runtime service (${args.environment})`,
                secrets: serviceSecrets.map((x) => x.secret),
            },
            { parent: this },
        );

        const baseToken = executionToken(mg.name, this.image, mg.rerun);
        this.executionToken = pulumi.output(priorExecution(mg.name, args.project, args.region, this).then((prior) => executionTokenFor(mg.name, baseToken, prior)));
        this.job = new Job(
            `${name}-migrate`,
            {
                name: mg.name,
                project: args.project,
                location: args.region,
                deletionProtection: args.deletionProtection,
                labels: laneLabels(args.environment, RUNTIME_MIGRATE.id),
                // Creates one execution per token and becomes ready only when it succeeded.
                runExecutionToken: this.executionToken,
                template: {
                    taskCount: 1,
                    parallelism: 1,
                    labels: laneLabels(args.environment, RUNTIME_MIGRATE.id),
                    template: {
                        serviceAccount: this.migrateIdentity.email,
                        maxRetries: mg.maxRetries,
                        timeout: `${mg.timeoutSeconds}s`,
                        containers: [
                            {
                                image: this.image,
                                commands: [...RUNTIME_MIGRATE.command],
                                // Explicitly empty: no stale args survive from an earlier job spec.
                                args: [],
                                envs: containerEnv([], [dbUrl]),
                                resources: { limits: { cpu: mg.cpu, memory: mg.memory } },
                            },
                        ],
                    },
                },
            },
            { parent: this, dependsOn: this.migrateIdentity.secretGrants, customTimeouts: migrateJobTimeouts(mg) },
        );

        const labels = laneLabels(args.environment, RUNTIME.id);
        this.service = new Service(
            name,
            {
                name: r.name,
                project: args.project,
                location: args.region,
                description: RUNTIME.summary,
                ingress: r.ingress,
                deletionProtection: args.deletionProtection,
                labels,
                template: {
                    labels,
                    serviceAccount: this.serviceIdentity.email,
                    containers: [
                        {
                            image: this.image,
                            ports: { containerPort: RUNTIME.containerPort },
                            envs: containerEnv(
                                [
                                    // The binary ignores $PORT and defaults to 127.0.0.1:4100.
                                    { name: RUNTIME.bindAddrEnv, value: `0.0.0.0:${RUNTIME.containerPort}` },
                                    { name: "RUNTIME_SERVICE_NAME", value: r.name },
                                    { name: "RUNTIME_BUILD_SHA", value: r.imageTag },
                                    ...r.env,
                                ],
                                serviceSecrets,
                            ),
                            resources: { limits: { cpu: r.cpu, memory: r.memory }, startupCpuBoost: r.startupCpuBoost, cpuIdle: false },
                            ...containerProbes(RUNTIME),
                        },
                    ],
                    scaling: { minInstanceCount: r.minInstances, maxInstanceCount: r.maxInstances },
                    maxInstanceRequestConcurrency: r.concurrency,
                    timeout: `${r.timeoutSeconds}s`,
                },
                traffics: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
            },
            // Migration before rollout: the service waits for the job's execution to succeed.
            { parent: this, dependsOn: [this.job, ...this.serviceIdentity.secretGrants] },
        );
        this.url = this.service.uri;

        // Private: its internal write API has no authentication of its own.
        for (const [who, member] of Object.entries(args.invokers)) {
            new ServiceIamMember(`${name}-invoker-${who}`, { project: args.project, location: args.region, name: this.service.name, role: "roles/run.invoker", member }, { parent: this });
        }

        this.registerOutputs({ name: this.service.name, url: this.url, image: this.image, jobName: this.job.name, executionToken: this.executionToken });
    }
}

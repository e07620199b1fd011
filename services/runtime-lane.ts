import * as pulumi from "@pulumi/pulumi";
import { Job, Service, ServiceIamMember } from "@pulumi/gcp/cloudrunv2";
import { Environment, RUNTIME, RUNTIME_MIGRATE, imageFromTag } from "../catalog";
import { StackConfig } from "./config";
import { containerEnv, healthProbes } from "./container";
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

/**
 * The runtime service and its migrate job as one unit: both run the one image built from
 * runtimeImageTag, and the service only rolls once the job's execution for that image has
 * succeeded (a failed migration stops `pulumi up` before any traffic moves).
 */
export class RuntimeLane extends pulumi.ComponentResource {
    public readonly service: Service;
    public readonly job: Job;
    public readonly image: string;
    public readonly executionToken: string;
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

        this.executionToken = executionToken(mg.name, this.image, mg.rerun);
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
            { parent: this, dependsOn: this.migrateIdentity.secretGrants },
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
                            ...healthProbes(RUNTIME),
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
            new ServiceIamMember(
                `${name}-invoker-${who}`,
                { project: args.project, location: args.region, name: this.service.name, role: "roles/run.invoker", member },
                { parent: this },
            );
        }

        this.registerOutputs({ name: this.service.name, url: this.url, image: this.image, jobName: this.job.name, executionToken: this.executionToken });
    }
}

import * as pulumi from "@pulumi/pulumi";
import type * as gcpInputs from "@pulumi/gcp/types/input";
import { Service, ServiceIamMember } from "@pulumi/gcp/cloudrunv2";
import { DomainMapping } from "@pulumi/gcp/cloudrun";
import { CONTROL, CONTROL_TRAFFIC_TAGS, Environment, MAINTENANCE, imageFromTag } from "../catalog";
import { StackConfig } from "./config";
import { containerEnv, healthProbes } from "./container";
import { accountId, laneLabels, revisionName } from "./naming";
import { WorkloadIdentity } from "./workload-identity";

export interface ControlServiceArgs {
    environment: Environment;
    project: string;
    region: string;
    /** The validated control settings of the stack. */
    settings: StackConfig["control"];
    deletionProtection: boolean;
    /** Secret Manager version the built-in secret references read. */
    secretVersion: string;
}

/** Traffic split of the control service: this deploy's revision against the stable one. */
export function controlTraffic(revision: string, stableRevision: string, canaryPercent: number): gcpInputs.cloudrunv2.ServiceTraffic[] {
    const toRevision = (rev: string, percent: number, tag: string) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: rev, percent, tag });
    if (stableRevision === "" || stableRevision === revision) return [toRevision(revision, 100, CONTROL_TRAFFIC_TAGS.sole)];
    // Both stay tagged, so each has its own URL whatever its share (a 0 % canary can be tested).
    return [toRevision(stableRevision, 100 - canaryPercent, CONTROL_TRAFFIC_TAGS.stable), toRevision(revision, canaryPercent, CONTROL_TRAFFIC_TAGS.canary)];
}

/**
 * The control service: the public web front door, with its own identity, its secrets by
 * reference, probes on the Rust health endpoints, maintenance mode and canary traffic as
 * config, and an optional custom domain.
 */
export class ControlService extends pulumi.ComponentResource {
    public readonly service: Service;
    public readonly identity: WorkloadIdentity;
    public readonly image: string;
    public readonly revision: string;
    public readonly url: pulumi.Output<string>;
    /** https://<domain> when a domain is mapped, else the run.app URL. */
    public readonly baseUrl: pulumi.Output<string>;
    public readonly domainMapping?: DomainMapping;

    constructor(name: string, args: ControlServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openagents:lanes:ControlService", name, {}, opts);
        const s = args.settings;
        const m = s.maintenance;
        this.image = imageFromTag(CONTROL.imageRepository, s.imageTag);

        const plainEnv = [
            { name: CONTROL.bindAddrEnv, value: `0.0.0.0:${CONTROL.containerPort}` },
            { name: "OA_CONTROL_STATIC_DIR", value: "/app/web-shell/dist" },
            { name: "OA_AUTH_PROVIDER_MODE", value: s.authProviderMode },
            { name: MAINTENANCE.enabledEnv, value: String(m.enabled) },
            { name: MAINTENANCE.allowedPathsEnv, value: m.allowedPaths.join(",") },
            { name: MAINTENANCE.cookieNameEnv, value: m.cookieName },
            { name: MAINTENANCE.cookieTtlEnv, value: String(m.cookieTtlSeconds) },
            ...s.env,
        ];
        const secrets = [
            { env: "OA_SYNC_TOKEN_SIGNING_KEY", secret: s.syncTokenSigningKeySecret, version: args.secretVersion },
            { env: MAINTENANCE.bypassTokenEnv, secret: m.bypassTokenSecret, version: args.secretVersion },
            ...s.secrets,
        ];

        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                project: args.project,
                accountId: accountId("control", args.environment),
                displayName: `OpenAgents control service (${args.environment})`,
                secrets: secrets.map((x) => x.secret),
            },
            { parent: this },
        );

        const container = {
            image: this.image,
            ports: { containerPort: CONTROL.containerPort },
            envs: containerEnv(plainEnv, secrets),
            resources: { limits: { cpu: s.cpu, memory: s.memory }, startupCpuBoost: s.startupCpuBoost, cpuIdle: true },
            ...healthProbes(CONTROL),
        };
        const labels = laneLabels(args.environment, CONTROL.id);
        const template = {
            labels,
            containers: [container],
            scaling: { minInstanceCount: s.minInstances, maxInstanceCount: s.maxInstances },
            maxInstanceRequestConcurrency: s.concurrency,
            timeout: `${s.timeoutSeconds}s`,
        };
        // Named from the revision template only: moving traffic (canary percent, stable revision)
        // or mapping a domain keeps the revision, so each rung of the ladder and the rollback
        // move traffic between the same two revisions. The account is known by its id here.
        this.revision = revisionName(s.name, s.imageTag, { template, account: accountId("control", args.environment) });

        this.service = new Service(
            name,
            {
                name: s.name,
                project: args.project,
                location: args.region,
                description: CONTROL.summary,
                ingress: s.ingress,
                deletionProtection: args.deletionProtection,
                labels,
                template: { ...template, revision: this.revision, serviceAccount: this.identity.email },
                traffics: controlTraffic(this.revision, s.stableRevision, s.canaryPercent),
            },
            // A revision must not start before it may read its secrets.
            { parent: this, dependsOn: this.identity.secretGrants },
        );
        this.url = this.service.uri;

        // Public on purpose: the web front door. An explicit binding (not invokerIamDisabled)
        // keeps "who may invoke" visible in IAM, where the policy pack and audits look.
        new ServiceIamMember(
            `${name}-public-invoker`,
            { project: args.project, location: args.region, name: this.service.name, role: "roles/run.invoker", member: "allUsers" },
            { parent: this },
        );

        if (s.domain) {
            this.domainMapping = new DomainMapping(
                `${name}-domain`,
                {
                    name: s.domain,
                    location: args.region,
                    metadata: { namespace: args.project, labels },
                    spec: { routeName: this.service.name },
                },
                { parent: this },
            );
        }
        this.baseUrl = s.domain ? pulumi.output(`https://${s.domain}`) : this.url;

        this.registerOutputs({ name: this.service.name, url: this.url, baseUrl: this.baseUrl, image: this.image, revision: this.revision });
    }
}

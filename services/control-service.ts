import * as pulumi from "@pulumi/pulumi";
import type * as gcpInputs from "@pulumi/gcp/types/input";
import { Service, ServiceIamMember } from "@pulumi/gcp/cloudrunv2";
import { DomainMapping } from "@pulumi/gcp/cloudrun";
import { CONTROL, CONTROL_TRAFFIC_TAGS, Environment, canarySplit, imageFromTag } from "../catalog";
import type { StackConfig } from "./stack-config";
import { controlTemplate } from "./control-template";
import { accountId } from "./naming";
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
    // Every target stays tagged, so each has its own URL whatever its share (a 0 % canary can be tested).
    return canarySplit(revision, stableRevision, canaryPercent).map((t) => ({
        type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        revision: t.revision,
        percent: t.percent,
        tag: CONTROL_TRAFFIC_TAGS[t.role],
    }));
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
        this.image = imageFromTag(CONTROL.imageRepository, s.imageTag);

        const built = controlTemplate(s, args.environment, args.secretVersion);
        this.revision = built.revision;
        const labels = built.labels;

        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                project: args.project,
                accountId: accountId("control", args.environment),
                displayName: `OpenAgents control service (${args.environment})`,
                secrets: built.secrets.map((x) => x.secret),
            },
            { parent: this },
        );
        const template = built.template;

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
        new ServiceIamMember(`${name}-public-invoker`, { project: args.project, location: args.region, name: this.service.name, role: "roles/run.invoker", member: "allUsers" }, { parent: this });

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

import * as pulumi from "@pulumi/pulumi";
import { type DeclaredStackOutputs, canaryShare, canarySplit } from "../catalog";
import type { StackConfig } from "./stack-config";
import { ControlService } from "./control-service";
import { RuntimeLane } from "./runtime-lane";

export interface LaneEnvironmentArgs {
    /** The validated stack configuration (see services/config.ts). */
    config: StackConfig;
}

/** What the post-deploy gate reads from `pulumi stack output --json`: the catalog's stack-outputs contract. */
export type LaneEnvironmentOutputs = DeclaredStackOutputs<pulumi.Input<string>, number>;

/** One environment's canonical lanes: the control service and the runtime with its migrate job. */
export class LaneEnvironment extends pulumi.ComponentResource {
    public readonly control: ControlService;
    public readonly runtime: RuntimeLane;
    public readonly outputs: LaneEnvironmentOutputs;

    constructor(name: string, args: LaneEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openagents:lanes:Environment", name, {}, opts);
        const c = args.config;
        const common = { environment: c.environment, project: c.project, region: c.region, deletionProtection: c.deletionProtection };

        this.control = new ControlService("control", { ...common, settings: c.control, secretVersion: c.secretVersion }, { parent: this });

        const invokers: Record<string, pulumi.Input<string>> = { control: this.control.identity.member };
        if (c.runtime.smokeInvoker) invokers.smoke = c.runtime.smokeInvoker;
        this.runtime = new RuntimeLane("runtime", { ...common, runtime: c.runtime, migrate: c.migrate, secretVersion: c.secretVersion, invokers }, { parent: this });

        const canaryPercent = canaryShare(canarySplit(this.control.revision, c.control.stableRevision, c.control.canaryPercent));
        this.outputs = {
            environment: c.environment,
            project: c.project,
            region: c.region,
            controlServiceName: this.control.service.name,
            controlServiceUrl: this.control.url,
            controlBaseUrl: this.control.baseUrl,
            controlImage: this.control.image,
            controlRevision: this.control.revision,
            controlStableRevision: c.control.stableRevision,
            controlCanaryPercent: canaryPercent,
            runtimeServiceName: this.runtime.service.name,
            runtimeServiceUrl: this.runtime.url,
            runtimeImage: this.runtime.image,
            migrateJobName: this.runtime.job.name,
            // Read back from the job's template, so the equality with runtimeImage is a fact, not an assumption.
            migrateJobImage: this.runtime.job.template.apply((t) => t.template.containers?.[0]?.image ?? ""),
        };
        this.registerOutputs({ ...this.outputs });
    }
}

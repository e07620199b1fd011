// Mandatory in prod: Cloud Run deletion protection stays on (the gcp provider's default is on,
// so only an explicit false trips it) and the control service, the public front door, keeps
// warm instances so the first request after a quiet spell does not wait for a cold start.

import { CONTROL, Environment, RUNTIME } from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { TYPES, cloudName, minInstancesOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";

export interface ProductionSafetyConfig {
    environment?: Environment;
    /** Warm instances the prod control service keeps at least. */
    minControlInstances: number;
}

export const productionSafety: PackResourcePolicy = {
    name: "production-safety",
    description: "In prod, deletion protection is on, the control service keeps warm instances and the runtime never scales to zero.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "In the prod stack leave deletionProtection on (config deletionProtection: true) and set the control service's " +
        "minInstances to at least the configured minimum (default 1); use the cloudrunv2 API, which has deletion protection.",
    configSchema: {
        properties: {
            environment: environmentConfigProperty,
            minControlInstances: { type: "integer", minimum: 0, default: 1, description: "Warm instances the prod control service keeps at least." },
        },
    },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (!workload) return args.notApplicable("not a Cloud Run service, job or worker pool");
        const config = args.getConfig<ProductionSafetyConfig>();
        const name = cloudName(props, args.name);
        const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type, props, name });
        if (environment !== "prod") return args.notApplicable("not a production resource");

        if (type === TYPES.serviceV1) {
            reportViolation(`${workload.kind} '${name}' uses the v1 Cloud Run API, which has no deletion protection: use gcp.cloudrunv2`);
        } else if (props.deletionProtection === false) {
            reportViolation(`${workload.kind} '${name}' has deletion protection off in prod`);
        }
        const lane = workload.kind === "service" ? laneOf(name, environment, type, props) : undefined;
        if (lane === CONTROL) {
            const warm = minInstancesOf(type, props);
            if (warm < config.minControlInstances) {
                reportViolation(`control service '${name}' keeps ${warm} warm instances in prod, at least ${config.minControlInstances} required`);
            }
        }
        // The runtime keeps runs in instance memory (catalog SERVICE_NEEDS_SOURCES.runtimeMemoryState): at zero they are gone.
        if (lane === RUNTIME && minInstancesOf(type, props) < 1) {
            reportViolation(`runtime service '${name}' may scale to zero in prod: its runs live in instance memory and are lost (keep at least 1 instance)`);
        }
    },
};

// Mandatory: every Cloud Run service, job and worker pool in a stack is one of its
// environment's canonical lanes, of the right kind; a domain mapping routes to the control
// service. Anything else is either a legacy lane or a lane nobody reviewed.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { CLOUD_RUN_LANES, CONTROL, Environment, ENVIRONMENTS } from "../catalog";
import { environmentConfigProperty, resolveEnvironment } from "./lib/environment";
import { TYPES, cloudName, workloadType } from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";

export interface CanonicalNamesConfig {
    environment?: Environment;
    /** Extra allowed Cloud Run resource names (any kind, any environment). */
    additionalNames: string[];
}

function canonicalNames(kind: "service" | "job", environment: Environment | undefined): string[] {
    const environments = environment ? [environment] : [...ENVIRONMENTS];
    return CLOUD_RUN_LANES.filter((l) => l.kind === kind).flatMap((l) => environments.map((e) => l.names[e]));
}

function where(environment: Environment | undefined): string {
    return environment ? `${environment} ` : "";
}

export const canonicalLaneNames: PackResourcePolicy = {
    name: "canonical-lane-names",
    description: "Every Cloud Run service and job is a canonical lane of the stack's environment.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Name Cloud Run resources after the catalog's lanes for the stack's environment (e.g. openagents-control-service, " +
        "runtime, runtime-migrate in prod; the -staging names in staging). A new lane is a catalog entry, or " +
        "'additionalNames' in this policy's config.",
    configSchema: {
        properties: {
            environment: environmentConfigProperty,
            additionalNames: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: [],
                description: "Further allowed Cloud Run resource names.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<CanonicalNamesConfig>();
        const { type, props } = args;
        const workload = workloadType(type);
        const isDomainMapping = type === TYPES.domainMappingV1;
        if (!workload && !isDomainMapping) return args.notApplicable("not a Cloud Run service, job, worker pool or domain mapping");

        const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type, props, name: args.name });
        const extra = config.additionalNames.map((n) => n.trim().toLowerCase());
        if (isDomainMapping) {
            const route = typeof props.spec?.routeName === "string" ? props.spec.routeName.trim().toLowerCase() : "";
            const allowed = environment ? [CONTROL.names[environment]] : ENVIRONMENTS.map((e) => CONTROL.names[e]);
            if (!allowed.includes(route) && !extra.includes(route)) {
                reportViolation(`domain mapping '${cloudName(props, args.name)}' routes to '${route}', not the ${where(environment)}control service (${allowed.join(", ")})`);
            }
            return;
        }
        const name = cloudName(props, args.name);
        const wanted = name.trim().toLowerCase();
        if (extra.includes(wanted)) return;
        if (workload!.kind === "worker pool") {
            reportViolation(`worker pool '${name}' is not a canonical lane (no lane is a worker pool)`);
            return;
        }
        const kind = workload!.kind;
        const allowed = canonicalNames(kind, environment);
        if (allowed.includes(wanted)) return;
        const otherKind = canonicalNames(kind === "job" ? "service" : "job", environment);
        if (otherKind.includes(wanted)) {
            reportViolation(`${workload!.kind} '${name}' has the name of a canonical ${kind === "job" ? "service" : "job"}: a lane's kind is fixed`);
            return;
        }
        reportViolation(`${workload!.kind} '${name}' is not a canonical ${where(environment)}lane (allowed: ${allowed.join(", ")})`);
    },
};

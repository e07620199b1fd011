// Mandatory: each Rust service gets what its own source says it needs to do its job, and stays
// reachable and able to run. Breaches deploy fine and turn ready, then answer 503 to every
// sign-in (one WorkOS key missing) or every page (a route split to a legacy target that is
// gone), starve the runtime's work between requests, take a lane off the network, never run
// an instance, or leave the new revision without traffic. The rules are the catalog's
// (catalog/service-needs.ts), shared with config validation; the lane is known by its name,
// its label or the image it runs.

/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import {
    CONTROL,
    EnvEntry,
    Environment,
    RUNTIME,
    controlEnvProblems,
    crossEnvironmentRouteProblem,
    domainOwnerProblem,
    ingressFromV1,
    ingressProblem,
    parseImageRef,
    scalingProblem,
    trafficPinProblem,
} from "../catalog";
import { environmentConfigProperty, identifyService, resolveEnvironment } from "./lib/environment";
import { TYPES, containerLabel, containersOf, envsOf, isServiceType, lastSegment, revisionNameOf, stringField, trafficOf } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";
import { SubChecks, UNKNOWN, readKnown } from "./lib/unknown";

export interface ServiceNeedsConfig {
    environment?: Environment;
}

/** A container's env as the catalog's rules read it. */
function envEntries(container: Props): EnvEntry[] {
    return envsOf(container).map((e) => {
        const secret = readKnown(e.secret);
        if (secret === UNKNOWN) return { name: e.name, unknown: true };
        if (secret !== undefined) return { name: e.name, secret };
        const value = readKnown(e.value);
        if (value === UNKNOWN) return { name: e.name, unknown: true };
        return { name: e.name, literal: typeof value === "string" ? value : undefined };
    });
}

function imageRepository(container: Props): string | undefined {
    const image = readKnown((): unknown => container.image);
    return typeof image === "string" ? parseImageRef(image)?.repository : undefined;
}

type Indexed = { container: Props; index: number };

/** The container that takes the requests: the one with a port (sidecars have none), else the lane's image, else the only one. */
function servingContainers(containers: Props[], repository: string): Indexed[] {
    const all = containers.map((container, index) => ({ container, index }));
    const serving = all.filter(({ container }) => container.ports !== undefined && container.ports !== null);
    if (serving.length > 0) return serving.slice(0, 1);
    const own = all.filter(({ container }) => imageRepository(container) === repository);
    return own.length > 0 ? own : all.length === 1 ? all : [];
}

export const serviceNeeds: PackResourcePolicy = {
    name: "service-needs",
    description: "Each Rust service gets what its source needs (both WorkOS keys, a route split that serves every page), stays on the network, runs instances and serves its new revision.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Give the control service WORKOS_CLIENT_ID and WORKOS_API_KEY (from Secret Manager) unless OA_AUTH_PROVIDER_MODE is mock; leave " +
        "OA_ROUTE_SPLIT_* at their defaults (or set OA_ROUTE_SPLIT_LEGACY_BASE_URL); keep both services on INGRESS_TRAFFIC_ALL; never manual-scale to 0; route traffic to the new revision " +
        "(LATEST or its name), the runtime all of it; map only the stack's own environment's domain.",
    configSchema: { properties: { environment: environmentConfigProperty } },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const config = args.getConfig<ServiceNeedsConfig>();
        if (type === TYPES.domainMappingV1) {
            const domain = stringField(props.name);
            const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type, props, name: args.name });
            const why = domain !== undefined ? domainOwnerProblem(environment, domain) : undefined;
            if (why) reportViolation(`domain mapping '${domain}': ${why}`);
            const route = stringField(props.spec?.routeName);
            const routeWhy = route !== undefined ? crossEnvironmentRouteProblem(environment, lastSegment(route)) : undefined;
            if (routeWhy) reportViolation(`domain mapping '${domain ?? args.name}' routes across environments: ${routeWhy}`);
            return;
        }
        if (!isServiceType(type)) return args.notApplicable("not a Cloud Run service or domain mapping");
        const checks = new SubChecks(reportViolation);
        const { name, lane } = identifyService(checks, args, config.environment);
        const subject = `service '${name}'`;

        checks.run(() => {
            const why = scalingProblem(props.scaling?.scalingMode, props.scaling?.manualInstanceCount);
            if (why) checks.report(`${subject}: ${why}`);
        });
        checks.run(() => {
            const revision = stringField(revisionNameOf(type, props));
            const why = trafficPinProblem(lane?.id, trafficOf(type, props), revision !== "" ? revision : undefined);
            if (why) checks.report(`${subject}: ${why}`);
        });
        if (lane !== CONTROL && lane !== RUNTIME) return checks.finish();
        const serviceLane = lane;
        checks.run(() => {
            const ingress = type === TYPES.serviceV1 ? stringField(props.metadata?.annotations?.["run.googleapis.com/ingress"]) : stringField(props.ingress);
            const why = ingressProblem(serviceLane.id, ingress !== undefined && type === TYPES.serviceV1 ? ingressFromV1(ingress) : ingress);
            if (why) checks.report(`${subject}: ${why}`);
        });
        if (serviceLane !== CONTROL) return checks.finish();
        checks.run(() => {
            // Sign-in and pages are the serving container's.
            for (const { container, index } of servingContainers(containersOf(type, props), serviceLane.imageRepository)) {
                const where = `${subject} ${containerLabel(container, index)}`;
                checks.run(() => {
                    for (const why of controlEnvProblems(envEntries(container))) checks.report(`${where}: ${why}`);
                });
            }
        });
        checks.finish();
    },
};

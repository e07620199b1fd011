// Mandatory: a Rust lane's service can serve once deployed. Breaches here deploy fine and then
// never become ready (a bind address Cloud Run cannot reach), fail every probe (maintenance
// mode without the probe paths), route to another service's revision, or let anyone in (the
// mock auth provider in prod). The rules are the catalog's (catalog/serving.ts), shared with
// config validation.

import {
    AUTH_PROVIDER_ENV,
    CONTROL,
    Environment,
    MAINTENANCE,
    authProviderProblem,
    bindAddressProblem,
    canarySplitProblem,
    legacyNameReason,
    maintenancePathsProblem,
    revisionOwnerProblem,
} from "../catalog";
import { environmentConfigProperty, identifyService } from "./lib/environment";
import { containerLabel, containerPortOf, containersOf, envsOf, isServiceType, revisionNameOf, stringField, trafficOf } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";
import { SubChecks, UNKNOWN, readKnown } from "./lib/unknown";

export interface ServingContractConfig {
    environment?: Environment;
}

/** Literal env values of a container by name; UNKNOWN for a preview unknown, undefined when absent or not literal. */
function envValues(container: Props): Map<string, string | typeof UNKNOWN | undefined> {
    const values = new Map<string, string | typeof UNKNOWN | undefined>();
    for (const env of envsOf(container)) {
        const v = readKnown(env.value);
        values.set(env.name, v === UNKNOWN ? UNKNOWN : stringField(v));
    }
    return values;
}

/** The serving container: the one with a port (sidecars have none), else the only one. */
function servingContainer(containers: Props[]): { container: Props; index: number } | undefined {
    const index = containers.findIndex((c) => c.ports !== undefined && c.ports !== null);
    if (index >= 0) return { container: containers[index], index };
    return containers.length === 1 ? { container: containers[0], index: 0 } : undefined;
}

export const servingContract: PackResourcePolicy = {
    name: "serving-contract",
    description: "A Rust lane's service binds where Cloud Run reaches it, keeps its probes answering in maintenance, routes only to its own revisions, and runs workos auth in prod.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Set the lane's bind variable (OA_CONTROL_BIND_ADDR, RUNTIME_BIND_ADDR) to 0.0.0.0:<container port>; keep /readyz and " +
        "/healthz in OA_MAINTENANCE_ALLOWED_PATHS while maintenance is on; route traffic only to revisions named " +
        "<service>-...; run OA_AUTH_PROVIDER_MODE=workos in prod.",
    configSchema: { properties: { environment: environmentConfigProperty } },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        if (!isServiceType(type)) return args.notApplicable("not a Cloud Run service");
        const config = args.getConfig<ServingContractConfig>();
        const checks = new SubChecks(reportViolation);
        const { name, environment, lane } = identifyService(checks, args, config.environment);
        const subject = `service '${name}'`;

        const owned = (revision: string, what: string) => {
            // A legacy service or revision is no-legacy-targets' to report.
            if (legacyNameReason(revision) !== undefined || legacyNameReason(name) !== undefined) return;
            const why = revisionOwnerProblem(revision, name);
            if (why) checks.report(`${subject} ${what}: ${why}`);
        };
        checks.run(() => {
            const revision = stringField(revisionNameOf(type, props));
            if (revision !== undefined && revision !== "") owned(revision, "names its new revision");
        });
        checks.run(() => {
            const traffic = trafficOf(type, props);
            for (const target of traffic) if (target.revision !== undefined) owned(target.revision, "routes traffic");
            // Two targets on one revision: a canary split of a revision with itself.
            const seen = new Set<string>();
            for (const target of traffic) {
                if (target.revision === undefined) continue;
                const share = target.percent ?? 0;
                if (seen.has(target.revision)) {
                    const why = canarySplitProblem(target.revision, target.revision, share > 0 && share < 100 ? share : 50);
                    if (why) checks.report(`${subject} routes traffic twice to one revision: ${why}`);
                }
                seen.add(target.revision);
            }
        });

        checks.run(() => {
            if (!lane || lane.kind !== "service") return;
            const serviceLane = lane;
            const serving = servingContainer(containersOf(type, props));
            if (!serving) return;
            const container = `${subject} ${containerLabel(serving.container, serving.index)}`;
            const env = envValues(serving.container);
            const value = (key: string) => env.get(key);
            const bind = value(serviceLane.bindAddrEnv);
            if (bind !== UNKNOWN) {
                const why = bindAddressProblem(serviceLane, bind, containerPortOf(serving.container));
                if (why) checks.report(`${container}: ${why}`);
            }
            if (serviceLane.id !== CONTROL.id) return;
            const enabled = value(MAINTENANCE.enabledEnv);
            const paths = value(MAINTENANCE.allowedPathsEnv);
            if (enabled !== UNKNOWN && paths !== UNKNOWN) {
                const list = (paths ?? MAINTENANCE.defaultAllowedPaths.join(",")).split(",").map((p) => p.trim());
                const why = maintenancePathsProblem(enabled?.trim().toLowerCase() === "true", list, serviceLane.health);
                if (why) checks.report(`${container}: ${why}`);
            }
            const mode = value(AUTH_PROVIDER_ENV);
            if (environment !== undefined && mode !== UNKNOWN) {
                const why = authProviderProblem(environment, mode);
                if (why) checks.report(`${container}: ${why}`);
            }
        });
        checks.finish();
    },
};

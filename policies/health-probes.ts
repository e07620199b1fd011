// Mandatory: every service has a startup and a liveness probe, and HTTP probes ask the lane's
// own health endpoints (startup on readiness, liveness on /healthz: container probes reach the
// container directly, so /healthz works there even though the public front end eats it).

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { CLOUD_RUN_LANES, Environment, quoted } from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { cloudName, containerLabel, containerPortOf, containersOf, isServiceType } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";

export interface HealthProbesConfig {
    environment?: Environment;
}

/** The serving container: the one with a port (sidecars have none), else the only one. */
function servingContainers(containers: Props[]): { container: Props; index: number }[] {
    // Indexes, not identity: every read through the engine's proxy yields a fresh wrapper.
    const all = containers.map((container, index) => ({ container, index }));
    const withPorts = all.filter(({ container: c }) => c.ports !== undefined && c.ports !== null && !(Array.isArray(c.ports) && c.ports.length === 0));
    return withPorts.length > 0 ? withPorts : all.slice(0, 1);
}

export const healthProbes: PackResourcePolicy = {
    name: "health-probes",
    description: "Every Cloud Run service has a startup and a liveness probe on the lane's health paths.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
        "Give the serving container startupProbe.httpGet.path = the lane's readiness path (/readyz) and " + "livenessProbe.httpGet.path = its liveness path (/healthz), on the container port.",
    configSchema: { properties: { environment: environmentConfigProperty } },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        if (!isServiceType(type)) return args.notApplicable("not a Cloud Run service");
        const config = args.getConfig<HealthProbesConfig>();
        const name = cloudName(props, args.name);
        const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type, props, name });
        const lane = laneOf(name, environment, type, props);
        const health = lane && lane.kind === "service" ? [lane.health] : CLOUD_RUN_LANES.flatMap((l) => (l.kind === "service" ? [l.health] : []));
        const expected = {
            startup: [...new Set(health.map((h) => h.readiness))],
            liveness: [...new Set(health.map((h) => h.liveness))],
        };

        const containers = containersOf(type, props);
        if (containers.length === 0) {
            reportViolation(`service '${name}' declares no container, so no probes`);
            return;
        }
        servingContainers(containers).forEach(({ container, index }) => {
            const subject = `service '${name}' ${containerLabel(container, index)}`;
            for (const [probe, field] of [
                ["startup", "startupProbe"],
                ["liveness", "livenessProbe"],
            ] as const) {
                const spec = container[field];
                if (!spec || typeof spec !== "object") {
                    reportViolation(`${subject} has no ${probe} probe`);
                    continue;
                }
                const httpGet: unknown = spec.httpGet;
                const path: unknown = httpGet && typeof httpGet === "object" ? (httpGet as Props).path : undefined;
                if (httpGet && !expected[probe].includes(typeof path === "string" ? path : "/")) {
                    reportViolation(`${subject} ${probe} probe checks ${path === undefined || path === null ? "'/'" : quoted(path)}, expected ${expected[probe].map((p) => `'${p}'`).join(" or ")}`);
                }
                // A probe that can never pass: the Rust lanes serve plain HTTP on their container port only.
                if (spec.grpc && typeof spec.grpc === "object") reportViolation(`${subject} ${probe} probe speaks gRPC, but the lane serves HTTP: it can never pass`);
                const probeSpec: unknown = httpGet ?? spec.tcpSocket ?? spec.grpc;
                const port: unknown = probeSpec && typeof probeSpec === "object" ? (probeSpec as Props).port : undefined;
                const listening = containerPortOf(container);
                if (typeof port === "number" && port !== 0 && port !== listening)
                    reportViolation(`${subject} ${probe} probe asks port ${port}, but the container listens on ${listening}: it can never pass`);
            }
        });
    },
};

// Advisory: every container states its CPU and memory limits; an unset limit inherits
// whatever the service had, which is how the shell deploys drifted.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { cloudName, containerLabel, containersOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";

export const resourceLimits: PackResourcePolicy = {
    name: "resource-limits",
    description: "Every container sets CPU and memory limits.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Set resources.limits.cpu and resources.limits.memory on every container (e.g. cpu '1', memory '512Mi').",
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (!workload) return args.notApplicable("not a Cloud Run service, job or worker pool");
        const name = cloudName(props, args.name);
        containersOf(type, props).forEach((container: Props, index: number) => {
            const limits = container.resources?.limits ?? {};
            for (const key of ["cpu", "memory"]) {
                const value = limits[key];
                if (typeof value !== "string" || value.trim() === "") {
                    reportViolation(`${workload.kind} '${name}' ${containerLabel(container, index)} sets no ${key} limit`);
                }
            }
        });
    },
};

// Advisory: Cloud Run resources carry the environment/lane/managed-by labels, which is how
// billing, audits and this pack (environment, lane) tell them apart.

import { LABEL_KEYS, MANAGED_BY, isEnvironment } from "../catalog";
import { TYPES, cloudName, labelsOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";

export const laneLabels: PackResourcePolicy = {
    name: "lane-labels",
    description: "Cloud Run resources carry the environment, lane and managed-by labels.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: `Set labels ${LABEL_KEYS.join(", ")} (environment staging|prod, managed-by ${MANAGED_BY}); services/naming.ts laneLabels does.`,
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (!workload && type !== TYPES.domainMappingV1) return args.notApplicable("not a Cloud Run service, job, worker pool or domain mapping");
        const subject = `${workload ? workload.kind : "domain mapping"} '${cloudName(props, args.name)}'`;
        const labels = labelsOf(type, props);
        const missing = LABEL_KEYS.filter((k) => typeof labels[k] !== "string" || labels[k] === "");
        if (missing.length > 0) reportViolation(`${subject} lacks the label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
        if (typeof labels.environment === "string" && labels.environment !== "" && !isEnvironment(labels.environment)) {
            reportViolation(`${subject} has environment label '${labels.environment}', expected staging or prod`);
        }
        if (typeof labels["managed-by"] === "string" && labels["managed-by"] !== "" && labels["managed-by"] !== MANAGED_BY) {
            reportViolation(`${subject} has managed-by label '${labels["managed-by"]}', expected '${MANAGED_BY}'`);
        }
    },
};

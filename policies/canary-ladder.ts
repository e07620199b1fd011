// Advisory: a service's traffic split sits on the documented canary ladder
// (0 -> 5 -> 25 -> 50 -> 100 % on the new revision; the stable one has the rest).

import { CANARY_LADDER, isOnCanaryLadder } from "../catalog";
import { cloudName, isServiceType, trafficOf } from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";

export interface CanaryLadderConfig {
    ladder: number[];
}

export const canaryLadder: PackResourcePolicy = {
    name: "canary-ladder",
    description: "Traffic splits follow the documented canary ladder.",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: `Move the canary along ${CANARY_LADDER.join(" -> ")} percent (controlCanaryPercent); roll back with 0.`,
    configSchema: {
        properties: {
            ladder: {
                type: "array",
                items: { type: "integer", minimum: 0, maximum: 100 },
                default: [...CANARY_LADDER],
                description: "Allowed canary percentages.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        if (!isServiceType(type)) return args.notApplicable("not a Cloud Run service");
        const { ladder } = args.getConfig<CanaryLadderConfig>();
        const traffic = trafficOf(type, props);
        const percents = traffic.map((t) => t.percent ?? 0);
        const off = percents.filter((p) => !isOnCanaryLadder(p, ladder));
        if (off.length > 0) {
            const split = traffic.map((t) => `${t.revision ?? (t.latest ? "latest" : "?")}=${t.percent ?? 0}`).join(", ");
            reportViolation(`service '${cloudName(props, args.name)}' splits traffic ${split}, off the canary ladder ${ladder.join(" -> ")}`);
        }
    },
};

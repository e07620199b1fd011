// Mandatory: env vars whose names look secret come from Secret Manager, never a literal value
// (a literal lands in the revision spec, readable by anyone with run.services.get).

import { looksSecret } from "../catalog";
import { cloudName, containersOf, envsOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";
import { SubChecks, UNKNOWN, readKnown } from "./lib/unknown";

export interface SecretEnvConfig {
    /** Env names that look secret but are not (e.g. a token's TTL named *_TOKEN). */
    allowedLiteralNames: string[];
}

export const secretsFromSecretManager: PackResourcePolicy = {
    name: "secrets-from-secret-manager",
    description: "Env vars that look secret are read from Secret Manager, never given a literal value.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Store the value in Secret Manager and reference it (envs[].valueSource.secretKeyRef {secret, version}); list " +
        "the secret in the stack config's secrets so the workload's account gets secretAccessor on it.",
    configSchema: {
        properties: {
            allowedLiteralNames: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: [],
                description: "Env names that look secret but may carry a literal value.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (!workload) return args.notApplicable("not a Cloud Run service, job or worker pool");
        const allowed = args.getConfig<SecretEnvConfig>().allowedLiteralNames.map((n) => n.trim().toUpperCase());
        const checks = new SubChecks(reportViolation);
        const name = cloudName(props, args.name);
        for (const container of containersOf(type, props)) {
            for (const env of envsOf(container)) {
                // One sub-check per env: an unknown secret reference skips only that env.
                checks.run(() => {
                    if (!looksSecret(env.name) || allowed.includes(env.name.trim().toUpperCase())) return;
                    if (env.secret() !== undefined) return;
                    // Never echo the value: only whether one is there. An unknown one is still a literal.
                    const value = readKnown(env.value);
                    if (value === UNKNOWN || (value !== undefined && value !== null)) {
                        checks.report(`${workload.kind} '${name}' sets env ${env.name} to a literal value: read it from Secret Manager`);
                    } else {
                        checks.report(`${workload.kind} '${name}' declares env ${env.name} without a Secret Manager reference`);
                    }
                });
            }
        }
        checks.finish();
    },
};

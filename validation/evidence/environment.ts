// The Environment section of the evidence: targets and names, each with where it came from.
// Tokens appear only as "set" / "unset", never their value.

import type { GateOptions } from "../options";

export interface EnvironmentEntry {
    name: string;
    value: string;
    source?: string;
    /** The gate's own words (check ids, 0/1, set/unset): never redacted, so no secret can rewrite them. */
    own?: boolean;
}

export function environmentEntries(o: GateOptions): EnvironmentEntry[] {
    const unset = (v: string | undefined): string => (v === undefined || v === "" ? "<unset>" : v);
    const secret = (v: string | undefined): string => (v ? "set" : "unset");
    return [
        { name: "STAGING_CONTROL_BASE_URL", value: unset(o.staging.controlBaseUrl), source: o.staging.controlBaseUrlSource },
        { name: "PROD_CONTROL_BASE_URL", value: unset(o.prod.controlBaseUrl), source: o.prod.controlBaseUrlSource },
        { name: "STAGING_RUNTIME_BASE_URL", value: unset(o.staging.runtimeBaseUrl), source: o.staging.runtimeBaseUrlSource },
        { name: "PROD_RUNTIME_BASE_URL", value: unset(o.prod.runtimeBaseUrl), source: o.prod.runtimeBaseUrlSource },
        { name: "GCP_PROJECT", value: unset(o.gcpProject) },
        { name: "GCP_REGION", value: unset(o.gcpRegion) },
        { name: "CONTROL_SERVICE", value: unset(o.controlService) },
        { name: "RUNTIME_SERVICE", value: unset(o.runtimeService) },
        { name: "MIGRATE_JOB", value: unset(o.migrateJob) },
        { name: "STAGING_CONTROL_ACCESS_TOKEN", own: true, value: secret(o.staging.controlAccessToken) },
        { name: "PROD_CONTROL_ACCESS_TOKEN", own: true, value: secret(o.prod.controlAccessToken) },
        { name: "STAGING_MAINTENANCE_BYPASS_TOKEN", own: true, value: secret(o.staging.maintenanceBypassToken) },
        { name: "PROD_MAINTENANCE_BYPASS_TOKEN", own: true, value: secret(o.prod.maintenanceBypassToken) },
        { name: "RUNTIME_ID_TOKEN", own: true, value: o.staging.runtimeIdToken || o.prod.runtimeIdToken ? "set" : "unset (ambient credentials when needed)" },
        { name: "TLS_VERIFICATION", own: true, value: o.insecureTls ? "OFF (--allow-insecure-tls)" : "on" },
        { name: "FAIL_ON_REQUIRED_FAILURE", own: true, value: o.failOnRequiredFailure ? "1" : "0" },
        { name: "ONLY", own: true, value: o.only ? o.only.join(",") : "<all checks>" },
    ];
}

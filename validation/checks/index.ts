// The ordered check list: the old gate's twelve checks, same ids, order and required/optional.
// A new check is one module and one line here. Part 2 (issue 5) replaces the pending()
// placeholders with its Cloud Run / Logging / contract-test checks.

import type { Check, CheckVerdict } from "../check";
import type { HttpClient } from "../http";
import type { IdTokenSource } from "../id-token";
import type { GateOptions } from "../options";
import type { Redactor } from "../redact";
import { controlHealthCheck } from "./control-health";
import { controlSmokeCheck } from "./control-smoke";
import { runtimeSmokeCheck } from "./runtime-smoke";

/** What a check may use besides its options. */
export interface CheckDeps {
    http: HttpClient;
    redactor: Redactor;
    /** ID tokens for the private runtime (lazy; consulted only without an explicit token). */
    idTokens: IdTokenSource;
}

export type CheckFactory = (options: GateOptions, deps: CheckDeps) => Check;

/** The old matrix, in order. */
export const CHECK_IDS = [
    "control-staging-health",
    "control-staging-smoke",
    "control-prod-health",
    "control-prod-smoke",
    "runtime-staging-smoke",
    "runtime-prod-smoke",
    "runtime-migration-drift",
    "khala-contract-tests",
    "cross-surface-contract-harness",
    "control-error-log-probe",
    "runtime-error-log-probe",
    "control-canary-status",
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_LIST: ReadonlyArray<{ id: CheckId; build: CheckFactory }> = [
    { id: "control-staging-health", build: (o, d) => controlHealthCheck(o.staging, o, d) },
    { id: "control-staging-smoke", build: (o, d) => controlSmokeCheck(o.staging, o, d) },
    { id: "control-prod-health", build: (o, d) => controlHealthCheck(o.prod, o, d) },
    { id: "control-prod-smoke", build: (o, d) => controlSmokeCheck(o.prod, o, d) },
    { id: "runtime-staging-smoke", build: (o, d) => runtimeSmokeCheck(o.staging, o, d) },
    { id: "runtime-prod-smoke", build: (o, d) => runtimeSmokeCheck(o.prod, o, d) },
    // ---- part 2 (issue 5) ----
    {
        id: "runtime-migration-drift",
        build: (o) =>
            pending("runtime-migration-drift", true, "runtime service and migrate job run the same image; latest migration succeeded on it", o.runRuntimeDriftCheck ? undefined : "RUN_RUNTIME_DRIFT_CHECK=0"),
    },
    {
        id: "khala-contract-tests",
        build: (o) => pending("khala-contract-tests", true, "runtime khala topic contract tests (cargo test)", o.runKhalaContractTests ? undefined : "RUN_KHALA_CONTRACT_TESTS=0"),
    },
    {
        id: "cross-surface-contract-harness",
        build: (o) => pending("cross-surface-contract-harness", false, "cross-surface contract harness", o.runCrossSurface ? undefined : "RUN_CROSS_SURFACE=0"),
    },
    {
        id: "control-error-log-probe",
        build: (o) => pending("control-error-log-probe", true, "control service ERROR logs in the window", o.runLogProbes ? undefined : "RUN_LOG_PROBES=0"),
    },
    {
        id: "runtime-error-log-probe",
        build: (o) => pending("runtime-error-log-probe", true, "runtime service ERROR logs in the window", o.runLogProbes ? undefined : "RUN_LOG_PROBES=0"),
    },
    { id: "control-canary-status", build: () => pending("control-canary-status", true, "control traffic split, latest created and ready revision") },
];

/** Builds the checks of a run in matrix order, only the selected ones with --only. */
export function buildChecks(options: GateOptions, deps: CheckDeps): Check[] {
    const selected = options.only ? new Set(options.only) : undefined;
    return CHECK_LIST.filter((entry) => !selected || selected.has(entry.id)).map((entry) => entry.build(options, deps));
}

/** Ids given to --only that are not checks (the CLI exits 2 on them). */
export function unknownCheckIds(ids: readonly string[]): string[] {
    return ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
}

/** Placeholder until part 2 lands: an honest failure, never a silent pass. */
function pending(id: string, required: boolean, description: string, skipReason?: string): Check {
    return {
        id,
        required,
        description,
        command: "not implemented in this build",
        skipReason,
        skipAction: skipReason ? `set ${skipReason.split("=")[0]}=1 to run this check` : undefined,
        run: async (): Promise<CheckVerdict> => ({
            status: "failed",
            cause: "check not implemented in this build (issue 5)",
            action: "build with the Cloud Run state checks, or run with --only to gate on the HTTP checks alone",
        }),
    };
}

// The ordered check list: the old gate's twelve checks, same ids, order and required/optional.
// A new check is one module and one line here.

import type { Environment } from "../../catalog";
import type { Check } from "../check";
import type { HttpClient } from "../http";
import type { IdTokenSource } from "../id-token";
import type { GateOptions } from "../options";
import type { Redactor } from "../redact";
import {
    controlCanaryStatus,
    crossSurfaceContractHarness,
    errorLogProbe,
    khalaContractTests,
    runtimeMigrationDrift,
} from "./cloud-state";
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

/** A check of the list; `environment` marks the checks that belong to one environment's targets. */
export interface CheckEntry {
    id: CheckId;
    environment?: Environment;
    build: CheckFactory;
}

export const CHECK_LIST: readonly CheckEntry[] = [
    { id: "control-staging-health", environment: "staging", build: (o, d) => controlHealthCheck(o.staging, o, d) },
    { id: "control-staging-smoke", environment: "staging", build: (o, d) => controlSmokeCheck(o.staging, o, d) },
    { id: "control-prod-health", environment: "prod", build: (o, d) => controlHealthCheck(o.prod, o, d) },
    { id: "control-prod-smoke", environment: "prod", build: (o, d) => controlSmokeCheck(o.prod, o, d) },
    { id: "runtime-staging-smoke", environment: "staging", build: (o, d) => runtimeSmokeCheck(o.staging, o, d) },
    { id: "runtime-prod-smoke", environment: "prod", build: (o, d) => runtimeSmokeCheck(o.prod, o, d) },
    // ---- part 2 (issue 5): Cloud Run state, logs and contract tests (./cloud-state.ts) ----
    { id: "runtime-migration-drift", build: runtimeMigrationDrift },
    { id: "khala-contract-tests", build: khalaContractTests },
    { id: "cross-surface-contract-harness", build: crossSurfaceContractHarness },
    { id: "control-error-log-probe", build: errorLogProbe("control") },
    { id: "runtime-error-log-probe", build: errorLogProbe("runtime") },
    { id: "control-canary-status", build: controlCanaryStatus },
];

/** The entries of a run in matrix order: those of the gated environment (--environment), then only the selected ones (--only). */
export function selectChecks(options: Pick<GateOptions, "only" | "environment">): CheckEntry[] {
    const selected = options.only ? new Set(options.only) : undefined;
    return CHECK_LIST.filter((entry) => !options.environment || !entry.environment || entry.environment === options.environment).filter(
        (entry) => !selected || selected.has(entry.id),
    );
}

/** Builds the checks of a run (see selectChecks). */
export function buildChecks(options: GateOptions, deps: CheckDeps): Check[] {
    return selectChecks(options).map((entry) => entry.build(options, deps));
}

/** Ids given to --only that are not checks (the CLI exits 2 on them). */
export function unknownCheckIds(ids: readonly string[]): string[] {
    return ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
}

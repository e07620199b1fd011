// The check registry: the old gate's twelve checks, same ids, order and required/optional. Each
// module exports its entries (id, environment, required, builder; see ../check.ts): a new check
// is one module and one line here.

import type { Check, CheckDeps, CheckEntry } from "../check";
import type { GateOptions } from "../resolve-options";
import { crossSurfaceContractHarness, khalaContractTests } from "./contract-tests";
import { controlCanaryStatus } from "./control-canary-status";
import { controlHealth } from "./control-health";
import { controlSmoke } from "./control-smoke";
import { controlErrorLogProbe, runtimeErrorLogProbe } from "./error-log-probe";
import { runtimeMigrationDrift } from "./runtime-migration-drift";
import { runtimeSmoke } from "./runtime-smoke";

/** The matrix, in order. */
export const CHECKS = [
    controlHealth.staging,
    controlSmoke.staging,
    controlHealth.prod,
    controlSmoke.prod,
    runtimeSmoke.staging,
    runtimeSmoke.prod,
    runtimeMigrationDrift,
    khalaContractTests,
    crossSurfaceContractHarness,
    controlErrorLogProbe,
    runtimeErrorLogProbe,
    controlCanaryStatus,
] as const satisfies readonly CheckEntry[];

export type CheckId = (typeof CHECKS)[number]["id"];

/** The ids of the registry, in order. */
export const CHECK_IDS: readonly CheckId[] = CHECKS.map((entry) => entry.id);

/** The entries of a run in matrix order: those of the gated environment (--environment), then only the selected ones (--only). */
export function selectChecks(options: Pick<GateOptions, "only" | "environment">): CheckEntry<CheckId>[] {
    const selected = options.only ? new Set(options.only) : undefined;
    return CHECKS.filter((entry: CheckEntry<CheckId>) => !options.environment || !entry.environment || entry.environment === options.environment).filter(
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

// The contract between the gate's runner and its checks. A check is one async function that
// returns a verdict; the runner owns concurrency, deadlines, interruption, redaction and the
// evidence files. A check module exports its registry entry (id, environment, required, builder):
// a new check is one new module and one line in the registry (validation/checks/index.ts).

import type { Environment } from "../catalog";
import type { RequestContext } from "../io/request";
import type { HttpClient } from "../io/http";
import type { IdTokenSource } from "./id-token";
import type { Redactor } from "../io/redact";
import type { EnvironmentTargets, GateOptions } from "./resolve-options";

export type CheckStatus = "passed" | "failed" | "skipped";

/** A check's request context: aborted at the check's deadline, logs to logs/<check_id>.log. */
export type CheckContext = RequestContext;

export interface CheckVerdict {
    status: "passed" | "failed";
    /** One line: why it failed (required for a failure), or a short note on a pass. */
    cause?: string;
    /** Things a reviewer should see that do not fail the check (e.g. /healthz swallowed by Google's front end). */
    warnings?: string[];
    /** Extension (part 1): for a failure, what to do about it (SUMMARY.md's Go/No-Go section). */
    action?: string;
}

export interface Check {
    /** Stable id, as in the old gate's matrix (e.g. control-staging-health). */
    readonly id: string;
    readonly required: boolean;
    readonly description: string;
    /** What the check does, as one line for results.tsv's command column (never a secret). */
    readonly command: string;
    /** When set, the check does not run and is recorded as skipped with this reason. */
    readonly skipReason?: string;
    /** Extension (part 1): for a skip, what to do so the check runs (SUMMARY.md's Go/No-Go section). */
    readonly skipAction?: string;
    run(ctx: CheckContext): Promise<CheckVerdict>;
}

export interface CheckResult {
    id: string;
    required: boolean;
    status: CheckStatus;
    description: string;
    command: string;
    /** Failure cause, or skip reason, or pass note. */
    cause?: string;
    warnings: string[];
    /** Path of the log relative to the output directory (logs/<id>.log). */
    logPath: string;
    /** Extension (part 1): the verdict's action, or the check's skipAction for a skip. */
    action?: string;
    startedAt: string;
    durationMs: number;
}

/** What a check may use besides its options. The runner catches anything a check throws (failed, "check crashed: ..."), but checks should return verdicts; the HttpClient never throws. */
export interface CheckDeps {
    /** The shared HTTP client (request(), withRetry(), expectStatus()). */
    http: HttpClient;
    redactor: Redactor;
    /** ID tokens for the private runtime (lazy; consulted only without an explicit token). */
    idTokens: IdTokenSource;
}

/** A check of the registry: what the runner, --only, --environment and --help know of it before it is built. */
export interface CheckEntry<Id extends string = string> {
    /** Stable id, as in the old gate's matrix (e.g. control-staging-health). */
    readonly id: Id;
    /** Set for the checks of one environment's targets (left out of a run that gates the other one). */
    readonly environment?: Environment;
    readonly required: boolean;
    build(options: GateOptions, deps: CheckDeps): Check;
}

/** The entry's id and required flag, which the built check carries. */
export type CheckIdentity = Pick<CheckEntry, "id" | "required">;

/** A registry entry, its id kept as a literal type (so the registry's id list is typed). */
export function defineCheck<const Id extends string>(entry: CheckEntry<Id>): CheckEntry<Id> {
    return entry;
}

/** One entry per environment for a check of that environment's targets, with the id `<lane>-<env>-<kind>`. */
export function perEnvironment<const L extends string, const K extends string>(
    lane: L,
    kind: K,
    required: boolean,
    build: (self: CheckIdentity, targets: EnvironmentTargets, options: GateOptions, deps: CheckDeps) => Check,
): { readonly [E in Environment]: CheckEntry<`${L}-${E}-${K}`> } {
    const entry = <E extends Environment>(environment: E): CheckEntry<`${L}-${E}-${K}`> => {
        const self = { id: `${lane}-${environment}-${kind}` as const, environment, required };
        return { ...self, build: (options, deps) => build(self, options[environment], options, deps) };
    };
    return { staging: entry("staging"), prod: entry("prod") };
}

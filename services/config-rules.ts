// The stack configuration's cross-key rules: each a named function over the whole parsed
// config, reporting against the key a person should change. A new rule is one function and one
// entry in CROSS_KEY_RULES. The rules themselves are the catalog's (one owner per fact); these
// only say which keys they join.

import {
    CANARY_LADDER,
    CONTROL,
    RUNTIME,
    authProviderProblem,
    canarySplitProblem,
    controlEnvProblemsFor,
    domainOwnerProblem,
    envSetProblem,
    executionNameProblem,
    imageFromTag,
    ingressProblem,
    legacyNameReason,
    maintenancePathsProblem,
    parseCpu,
    parseMemory,
    resourceNameProblem,
    revisionOwnerProblem,
    sizingProblem,
} from "../catalog";
import type { ConfigKey } from "./config-schema";
import { INGRESS } from "./config-schema";
import type { ProblemSink } from "./config-values";
import type { EnvVar, SecretRef, StackConfig } from "./stack-config";
import { controlTemplate } from "./control-template";
import { executionToken } from "./naming";

/** One rule across keys. `valid`: no problem so far (a rule that needs every value sound waits for it). */
export type CrossKeyRule = (config: StackConfig, problem: ProblemSink, valid: boolean) => void;

const INGRESS_ALL_FORM = "INGRESS_TRAFFIC_ALL";

/** controlStableRevision is a revision of the control service the stack names, never a legacy one. */
export function stableRevisionOfControl({ control }: StackConfig, problem: ProblemSink): void {
    const stable = control.stableRevision;
    if (stable === "") return;
    if (legacyNameReason(stable)) problem("controlStableRevision", "a revision of the Rust control service, never a legacy revision", stable);
    else {
        const why = revisionOwnerProblem(stable, control.name);
        if (why) problem("controlStableRevision", `a revision of ${control.name} (${why})`, stable);
    }
}

/** A split (controlCanaryPercent below 100) needs the revision serving now. */
export function stableRevisionWhileSplit({ control }: StackConfig, problem: ProblemSink): void {
    if (control.stableRevision === "" && control.canaryPercent < 100) {
        problem("controlStableRevision", `the revision serving now, required while controlCanaryPercent is below 100 (ladder ${CANARY_LADDER.join(" -> ")})`);
    }
}

/** Maintenance mode keeps the probes' paths answering. */
export function maintenanceKeepsProbes({ control }: StackConfig, problem: ProblemSink): void {
    const why = maintenancePathsProblem(control.maintenance.enabled, control.maintenance.allowedPaths, CONTROL.health);
    if (why) problem("controlMaintenanceAllowedPaths", `paths that keep the probes answering (${why})`, JSON.stringify(control.maintenance.allowedPaths));
}

/** What the control binary needs of its env (catalog/service-needs.ts), on the env it will really get. */
export function controlEnvNeeds({ control }: StackConfig, problem: ProblemSink): void {
    const needs = controlEnvProblemsFor(control.authProviderMode, control.env, control.secrets);
    if (needs.workos) problem("controlSecretEnv", `WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager (${needs.workos})`);
    if (needs.routeSplit) problem("controlEnv", `a route split that serves every page (${needs.routeSplit})`);
}

/** controlDomain is one of the environment's domains. */
export function domainOfEnvironment({ control, environment }: StackConfig, problem: ProblemSink): void {
    const why = control.domain !== "" ? domainOwnerProblem(environment, control.domain) : undefined;
    if (why) problem("controlDomain", `a domain of the ${environment} environment (${why})`, control.domain);
}

/** The auth provider the environment allows. */
export function authProviderOfEnvironment({ control, environment }: StackConfig, problem: ProblemSink): void {
    const why = authProviderProblem(environment, control.authProviderMode);
    if (why && (control.authProviderMode as string) !== "") problem("controlAuthProviderMode", `workos in prod (${why})`, control.authProviderMode);
}

/** Cloud Run's pairing of CPU, memory and concurrency, per container, once both values parsed. */
export function sizingPairs({ control, runtime, migrate }: StackConfig, problem: ProblemSink): void {
    const sizing = (prefix: "control" | "runtime" | "migrate", c: string, m: string, concurrency?: number) => {
        const cpus = parseCpu(c);
        const mib = parseMemory(m);
        const why = cpus !== undefined && mib !== undefined ? sizingProblem(cpus, mib, concurrency) : undefined;
        if (why) problem(`${prefix}Cpu`, `a CPU limit that fits ${prefix}Memory${concurrency === undefined ? "" : ` and ${prefix}Concurrency`} (${why})`, c);
    };
    sizing("control", control.cpu, control.memory, control.concurrency);
    sizing("runtime", runtime.cpu, runtime.memory, runtime.concurrency);
    sizing("migrate", migrate.cpu, migrate.memory);
}

/**
 * Cloud Run's limits on one container's env (count, size, each name once), on what config adds
 * across *Env and *SecretEnv; a duplicate is reported against the key whose item repeats a name.
 */
export function envLimits({ control, runtime }: StackConfig, problem: ProblemSink): void {
    const limits = (prefix: "control" | "runtime", plain: EnvVar[], secrets: SecretRef[]) => {
        const seen = new Set<string>();
        const twice = (key: ConfigKey, name: string) => {
            if (seen.has(name)) problem(key, `each env name once across ${prefix}Env and ${prefix}SecretEnv (${name} is set twice)`, name);
            seen.add(name);
        };
        for (const e of plain) twice(`${prefix}Env`, e.name);
        for (const e of secrets) twice(`${prefix}SecretEnv`, e.env);
        const why = envSetProblem([...new Map([...plain.map((e) => [e.name, e] as const), ...secrets.map((e) => [e.env, { name: e.env }] as const)]).values()]);
        if (why) problem(`${prefix}Env`, `an env Cloud Run takes (${why})`);
    };
    limits("control", control.env, control.secrets);
    limits("runtime", runtime.env, runtime.secrets);
}

/** Each lane's ingress is one its callers can reach. */
export function ingressOfLane({ control, runtime }: StackConfig, problem: ProblemSink): void {
    for (const [key, lane, ingress] of [
        ["controlIngress", CONTROL.id, control.ingress],
        ["runtimeIngress", RUNTIME.id, runtime.ingress],
    ] as const) {
        const why = (INGRESS as readonly string[]).includes(ingress) ? ingressProblem(lane, ingress) : undefined;
        if (why) problem(key, `${INGRESS_ALL_FORM} (${why})`, ingress);
    }
}

/** *MinInstances at most *MaxInstances. */
export function minAtMostMax({ control, runtime }: StackConfig, problem: ProblemSink): void {
    if (control.minInstances > control.maxInstances) problem("controlMinInstances", "at most the matching *MaxInstances", String(control.minInstances));
    if (runtime.minInstances > runtime.maxInstances) problem("runtimeMinInstances", "at most the matching *MaxInstances", String(runtime.minInstances));
}

/** The migrate job's name leaves room for the execution token of the runtime image and the rerun count. */
export function migrateNameFitsToken({ migrate, runtime }: StackConfig, problem: ProblemSink): void {
    if (resourceNameProblem(migrate.name) !== undefined) return;
    const token = executionToken(migrate.name, imageFromTag(RUNTIME.imageRepository, runtime.imageTag), migrate.rerun);
    const why = executionNameProblem(migrate.name, token);
    if (why) problem("migrateJobName", `a name that leaves room for the execution token (${why})`, migrate.name);
}

/** controlStableRevision is not the revision this deploy creates (known from the settings alone: control-template.ts); needs every value sound. */
export function stableIsNotThisDeploy({ control, environment, secretVersion }: StackConfig, problem: ProblemSink, valid: boolean): void {
    if (!valid) return;
    const why = canarySplitProblem(control.stableRevision, controlTemplate(control, environment, secretVersion).revision, control.canaryPercent);
    if (why) problem("controlStableRevision", `the revision serving now, not this deploy's (${why})`, control.stableRevision);
}

/** Every cross-key rule, in report order. */
export const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
    stableRevisionOfControl,
    stableRevisionWhileSplit,
    maintenanceKeepsProbes,
    controlEnvNeeds,
    domainOfEnvironment,
    authProviderOfEnvironment,
    sizingPairs,
    envLimits,
    ingressOfLane,
    minAtMostMax,
    migrateNameFitsToken,
    stableIsNotThisDeploy,
];

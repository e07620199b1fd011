// Mandatory: nothing Cloud Run or GCP refuses at deploy. A stack that breaks one of these
// previews fine and fails halfway through `pulumi up`; the rules and their sources are the
// catalog's (catalog/cloud-run.ts, catalog/identifiers.ts), the same ones config validation applies.

/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import {
    domainProblem,
    envNameProblem,
    envSetProblem,
    quoted,
    executionNameProblem,
    durationSeconds,
    jobLimitProblem,
    jobMemoryProblem,
    parseCpu,
    parseMemory,
    projectIdProblem,
    resourceNameProblem,
    serviceLimitProblem,
    sizingProblem,
    startupProbeProblem,
    trafficTagProblem,
} from "../catalog";
import { TYPES, cloudName, containerLabel, containersOf, envsOf, stringField, trafficOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";
import { SubChecks, UNKNOWN, readKnown } from "./lib/unknown";

/** The template's request concurrency (v2 service maxInstanceRequestConcurrency, v1 containerConcurrency). */
function concurrencyOf(type: string, props: Props): number | undefined {
    const value: unknown = type === TYPES.serviceV1 ? props.template?.spec?.containerConcurrency : props.template?.maxInstanceRequestConcurrency;
    return typeof value === "number" ? value : undefined;
}

function checkContainer(subject: string, kind: string, v1: boolean, container: Props, concurrency: number | undefined, checks: SubChecks): void {
    const report = checks.report;
    checks.run(() => {
        const limits: unknown = container.resources?.limits;
        const cpu = limits && typeof limits === "object" ? stringField((limits as Props).cpu) : undefined;
        const memory = limits && typeof limits === "object" ? stringField((limits as Props).memory) : undefined;
        // The v2 API takes whole vCPUs only (SOURCES.wholeCpu); v1 also takes 80m to 999m.
        const cpus = cpu !== undefined ? parseCpu(cpu, v1) : undefined;
        const mib = memory !== undefined ? parseMemory(memory) : undefined;
        if (cpu !== undefined && cpus === undefined)
            report(`${subject}: CPU limit ${quoted(cpu)} is not one Cloud Run offers ${v1 ? "(1, 2, 4, 6, 8, or 80m to 999m)" : "on the v2 API (whole vCPUs: 1, 2, 4, 6, 8)"}`);
        if (memory !== undefined && mib === undefined) report(`${subject}: memory limit ${quoted(memory)} is outside Cloud Run's 128Mi to 32Gi`);
        const why = cpus !== undefined && mib !== undefined ? sizingProblem(cpus, mib, kind === "service" ? concurrency : undefined) : undefined;
        if (why) report(`${subject}: CPU ${cpu} with memory ${memory} is refused by Cloud Run: ${why}`);
        const jobWhy = kind === "job" && mib !== undefined ? jobMemoryProblem(mib) : undefined;
        if (jobWhy) report(`${subject}: ${jobWhy}`);
    });
    checks.run(() => {
        const probe: unknown = container.startupProbe;
        if (!probe || typeof probe !== "object") return;
        const p = probe as Props;
        const why = startupProbeProblem(p.periodSeconds, p.failureThreshold, p.timeoutSeconds);
        if (why) report(`${subject}: ${why}`);
    });
    checks.run(() => {
        const envs = envsOf(container);
        for (const env of envs) {
            const why = envNameProblem(env.name);
            if (why) report(`${subject}: env ${quoted(env.name)} is refused by Cloud Run: ${why}`);
        }
        const literal = (read: () => unknown): string | undefined => {
            const v = readKnown(read);
            return v === UNKNOWN ? undefined : stringField(v);
        };
        const why = envSetProblem(envs.map((e) => ({ name: e.name, value: literal(e.value) })));
        if (why) report(`${subject}: ${why}`);
    });
}

export const cloudRunLimits: PackResourcePolicy = {
    name: "cloud-run-limits",
    description: "Nothing Cloud Run or GCP refuses at deploy: CPU and memory pairs, env names and sizes, name lengths, project ids, domains.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Keep to Cloud Run's documented limits (catalog/cloud-run.ts cites each): a CPU/memory pair from its table, a job " +
        "with at least 512Mi, no env Cloud Run sets itself (PORT, K_SERVICE, K_REVISION, K_CONFIGURATION), at most 1000 env " +
        "vars and 32 KiB of env per container, a service name plus traffic tag of at most 46 characters, a job name plus " +
        "execution token under 63, a valid project id and domain.",
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (type === TYPES.domainMappingV1) {
            const domain = stringField(props.name);
            const why = domain !== undefined ? domainProblem(domain.toLowerCase()) : undefined;
            if (why) reportViolation(`domain mapping ${quoted(domain)} cannot be mapped: ${why}`);
            return;
        }
        if (!workload) return args.notApplicable("not a Cloud Run service, job, worker pool or domain mapping");
        const checks = new SubChecks(reportViolation);
        let name = args.name;
        checks.run(() => (name = cloudName(props, args.name)));
        const subject = `${workload.kind} ${quoted(name)}`;
        checks.run(() => {
            const explicit = stringField(props.name);
            const why = explicit !== undefined && type !== TYPES.serviceV1 ? resourceNameProblem(explicit) : undefined;
            if (why) checks.report(`${subject}: ${why}`);
        });
        checks.run(() => {
            const project = stringField(props.project);
            const why = project !== undefined ? projectIdProblem(project) : undefined;
            if (why) checks.report(`${subject}: project ${quoted(project)} is not a project id: ${why}`);
        });
        checks.run(() => {
            for (const target of trafficOf(type, props)) {
                const why = target.tag !== undefined ? trafficTagProblem(name, target.tag) : undefined;
                if (why) checks.report(`${subject}: ${why}`);
            }
        });
        checks.run(() => {
            const token = stringField(props.runExecutionToken);
            const why = type === TYPES.jobV2 && token !== undefined ? executionNameProblem(name, token) : undefined;
            if (why) checks.report(`${subject}: ${why}`);
        });
        let concurrency: number | undefined;
        checks.run(() => (concurrency = concurrencyOf(type, props)));
        checks.run(() => {
            // Request timeout and concurrency of a service; retries and task timeout of a job (v2 template.template).
            const number = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
            const timeout = type === TYPES.serviceV1 ? number(props.template?.spec?.timeoutSeconds) : durationSeconds(props.template?.timeout);
            const why =
                workload.kind === "service"
                    ? serviceLimitProblem(timeout, concurrency)
                    : workload.kind === "job"
                      ? jobLimitProblem(number(props.template?.template?.maxRetries), durationSeconds(props.template?.template?.timeout))
                      : undefined;
            if (why) checks.report(`${subject}: ${why}`);
        });
        checks.run(() =>
            containersOf(type, props).forEach((container, index) => {
                checks.run(() => checkContainer(`${subject} ${containerLabel(container, index)}`, workload.kind, workload.api === "v1", container, concurrency, checks));
            }),
        );
        checks.finish();
    },
};

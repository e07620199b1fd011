// Cloud Run's own limits, each with where it is documented, so that a stack Cloud Run would
// refuse fails in review (config) and in the policy pack, not halfway through `pulumi up`.
// Every rule returns why a value is refused, or undefined; config and the pack both call it.

/** Sources, cited by docs/reliability.md's rule list and by the rules below. */
export const SOURCES = {
    cpu: "https://cloud.google.com/run/docs/configuring/services/cpu",
    wholeCpu:
        "registry.terraform.io google_cloud_run_v2_service and google_cloud_run_v2_job, resources.limits: the only supported values for CPU are '1', '2', '4', '6' and '8' (fractions only on the v1 google_cloud_run_service)",
    memory: "https://cloud.google.com/run/docs/configuring/services/memory-limits",
    jobMemory: "https://cloud.google.com/run/docs/configuring/jobs/memory-limits",
    env: "https://cloud.google.com/run/docs/configuring/services/environment-variables",
    containerContract: "https://cloud.google.com/run/docs/container-contract#env-vars",
    tags: "https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration#tags (gcloud: combined traffic tag and service name cannot exceed 46 characters)",
    executionToken: "registry.terraform.io google_cloud_run_v2_job run_execution_token (sum of job name and token length must be fewer than 63 characters)",
    serviceName: "https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services (name: DNS label, at most 49 characters)",
    requestTimeout: "https://cloud.google.com/run/docs/configuring/request-timeout (a service's request timeout: up to 60 minutes)",
    concurrency: "https://cloud.google.com/run/docs/about-concurrency (at most 1000 concurrent requests per instance)",
    jobRetries: "https://cloud.google.com/run/docs/configuring/max-retries (0 to 10 retries per task)",
    taskTimeout: "https://cloud.google.com/run/docs/configuring/task-timeout (up to 24 hours per task attempt)",
    startupProbe: "https://cloud.google.com/run/docs/configuring/healthchecks (a startup probe: failureThreshold x periodSeconds at most 240 s; timeoutSeconds at most periodSeconds)",
} as const;

export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;
export const MAX_CONCURRENCY = 1000;
export const MAX_JOB_RETRIES = 10;
export const MAX_TASK_TIMEOUT_SECONDS = 24 * 3600;
export const MAX_STARTUP_PROBE_SECONDS = 240;

/** Why a service's request timeout or concurrency is past Cloud Run's limits (SOURCES), or undefined. */
export function serviceLimitProblem(timeoutSeconds: number | undefined, concurrency: number | undefined): string | undefined {
    if (timeoutSeconds !== undefined && (timeoutSeconds < 1 || timeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS))
        return `a request timeout of ${timeoutSeconds} s, Cloud Run takes 1 to ${MAX_REQUEST_TIMEOUT_SECONDS} s`;
    if (concurrency !== undefined && concurrency > MAX_CONCURRENCY) return `a concurrency of ${concurrency}, Cloud Run takes at most ${MAX_CONCURRENCY} per instance`;
    return undefined;
}

/** Why a job's retries or task timeout are past Cloud Run's limits (SOURCES), or undefined. */
export function jobLimitProblem(maxRetries: number | undefined, taskTimeoutSeconds: number | undefined): string | undefined {
    if (maxRetries !== undefined && (maxRetries < 0 || maxRetries > MAX_JOB_RETRIES)) return `${maxRetries} retries, Cloud Run takes 0 to ${MAX_JOB_RETRIES}`;
    if (taskTimeoutSeconds !== undefined && (taskTimeoutSeconds < 1 || taskTimeoutSeconds > MAX_TASK_TIMEOUT_SECONDS))
        return `a task timeout of ${taskTimeoutSeconds} s, Cloud Run takes up to ${MAX_TASK_TIMEOUT_SECONDS} s`;
    return undefined;
}

/** Why a startup probe's timing is refused by Cloud Run (SOURCES.startupProbe), or undefined. Unset fields take Cloud Run's defaults (period 10 s, threshold 3, timeout 1 s). */
export function startupProbeProblem(periodSeconds: unknown, failureThreshold: unknown, timeoutSeconds: unknown): string | undefined {
    const period = typeof periodSeconds === "number" ? periodSeconds : 10;
    const threshold = typeof failureThreshold === "number" ? failureThreshold : 3;
    const timeout = typeof timeoutSeconds === "number" ? timeoutSeconds : 1;
    if (period * threshold > MAX_STARTUP_PROBE_SECONDS) return `a startup probe of ${threshold} x ${period} s, Cloud Run allows at most ${MAX_STARTUP_PROBE_SECONDS} s`;
    if (timeout > period) return `a probe timeout of ${timeout} s longer than its period of ${period} s`;
    return undefined;
}

/** Whole vCPUs Cloud Run offers; below 1, fractions from 0.08. */
const WHOLE_CPUS = [1, 2, 4, 6, 8];
const MIN_FRACTION = 0.08;
const MIN_MEMORY_MIB = 128;
const MAX_MEMORY_MIB = 32 * 1024;
/** Memory range per whole vCPU (MiB): 1 -> 128Mi-4Gi, 2 -> 128Mi-8Gi, 4 -> 2-16Gi, 6 -> 4-24Gi, 8 -> 4-32Gi. */
const MEMORY_RANGE: Record<number, [number, number]> = {
    1: [128, 4 * 1024],
    2: [128, 8 * 1024],
    4: [2 * 1024, 16 * 1024],
    6: [4 * 1024, 24 * 1024],
    8: [4 * 1024, 32 * 1024],
};
/** A Cloud Run job needs at least 512 MiB (second generation execution environment). */
export const JOB_MIN_MEMORY_MIB = 512;

/**
 * "1", "2", "500m", "2000m" -> vCPUs; undefined when Cloud Run would not accept it. The v2 API
 * the program uses takes whole vCPUs only (SOURCES.wholeCpu); `fractions` admits the v1 API's
 * 0.08-0.999.
 */
export function parseCpu(value: string, fractions = false): number | undefined {
    const m = /^([0-9]{1,6})(m?)$/.exec(value.trim());
    if (!m) return undefined;
    const cpus = m[2] === "m" ? Number(m[1]) / 1000 : Number(m[1]);
    if (WHOLE_CPUS.includes(cpus)) return cpus;
    return fractions && cpus >= MIN_FRACTION && cpus < 1 ? cpus : undefined;
}

/** "512Mi", "4Gi" -> MiB; undefined when outside Cloud Run's range. */
export function parseMemory(value: string): number | undefined {
    const m = /^([0-9]{1,6})(Mi|Gi)$/.exec(value.trim());
    if (!m) return undefined;
    const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
    return mib >= MIN_MEMORY_MIB && mib <= MAX_MEMORY_MIB ? mib : undefined;
}

function gib(mib: number): string {
    return mib >= 1024 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

/** Why a vCPU/memory/concurrency combination is refused by Cloud Run (SOURCES.cpu), or undefined. */
export function sizingProblem(cpus: number, memoryMib: number, concurrency?: number): string | undefined {
    if (cpus < 1) {
        if (concurrency !== undefined && concurrency > 1) return `less than 1 vCPU allows a concurrency of 1 only, not ${concurrency}`;
        if (memoryMib > 1024) return `less than 1 vCPU allows at most 1Gi of memory`;
        if (cpus < 0.5 && memoryMib > 512) return `less than 0.5 vCPU allows at most 512Mi of memory`;
        return undefined;
    }
    const range = MEMORY_RANGE[cpus];
    if (range && (memoryMib < range[0] || memoryMib > range[1])) return `${cpus} vCPU takes ${gib(range[0])} to ${gib(range[1])} of memory, not ${gib(memoryMib)}`;
    return undefined;
}

/** Why a job's memory is refused (SOURCES.jobMemory), or undefined. */
export function jobMemoryProblem(memoryMib: number): string | undefined {
    return memoryMib < JOB_MIN_MEMORY_MIB ? `a job takes at least ${JOB_MIN_MEMORY_MIB}Mi of memory, not ${gib(memoryMib)}` : undefined;
}

/** Env names Cloud Run sets in every container (container contract): never set by a stack. */
export const CLOUD_RUN_RESERVED_ENV = [
    "PORT",
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "CLOUD_RUN_JOB",
    "CLOUD_RUN_EXECUTION",
    "CLOUD_RUN_TASK_INDEX",
    "CLOUD_RUN_TASK_ATTEMPT",
    "CLOUD_RUN_TASK_COUNT",
] as const;
/** At most 1000 env vars per container (SOURCES.env). */
export const MAX_ENV_VARS = 1000;
/** Names and values of a container's env together: at most 32 KiB (SOURCES.env). */
export const MAX_ENV_BYTES = 32 * 1024;

/** Why Cloud Run refuses an env name (reserved, empty, '=' or the X_GOOGLE_ prefix), or undefined. */
export function envNameProblem(name: string): string | undefined {
    if (name === "") return "an env name may not be empty";
    if (name.includes("=")) return "an env name may not contain '='";
    if (name.toUpperCase().startsWith("X_GOOGLE_")) return "env names starting X_GOOGLE_ are reserved by Cloud Run";
    if ((CLOUD_RUN_RESERVED_ENV as readonly string[]).includes(name.toUpperCase())) return `${name.toUpperCase()} is set by Cloud Run itself (container contract)`;
    return undefined;
}

/** Why a container's whole env is refused: too many, too large, or a name twice; undefined when fine. */
export function envSetProblem(env: readonly { name: string; value?: string }[]): string | undefined {
    if (env.length > MAX_ENV_VARS) return `${env.length} env vars, Cloud Run takes at most ${MAX_ENV_VARS} per container`;
    let bytes = 0;
    const seen = new Set<string>();
    for (const e of env) {
        if (seen.has(e.name)) return `env ${e.name} is set twice in one container`;
        seen.add(e.name);
        bytes += Buffer.byteLength(e.name) + (typeof e.value === "string" ? Buffer.byteLength(e.value) : 0);
    }
    if (bytes > MAX_ENV_BYTES) return `env names and values take ${bytes} bytes, Cloud Run takes at most ${MAX_ENV_BYTES} per container`;
    return undefined;
}

/** Combined length of a traffic tag and its service name (SOURCES.tags). */
export const MAX_TAG_AND_SERVICE = 46;

export function trafficTagProblem(service: string, tag: string): string | undefined {
    const total = service.length + tag.length;
    return total > MAX_TAG_AND_SERVICE ? `traffic tag '${tag}' and service name together take ${total} characters, Cloud Run allows ${MAX_TAG_AND_SERVICE}` : undefined;
}

/** Job name plus execution token: fewer than 63 characters (SOURCES.executionToken). */
export const MAX_EXECUTION_NAME = 62;

export function executionNameProblem(job: string, token: string): string | undefined {
    const total = job.length + token.length;
    return total > MAX_EXECUTION_NAME ? `job name and execution token take ${total} characters, Cloud Run allows ${MAX_EXECUTION_NAME}` : undefined;
}

/** A Cloud Run service or job name: a DNS label of at most 49 characters (SOURCES.serviceName). */
const RESOURCE_NAME = /^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$/;

export function resourceNameProblem(name: string): string | undefined {
    return RESOURCE_NAME.test(name) ? undefined : "a Cloud Run name is lowercase letters, digits and dashes, starts with a letter, ends with a letter or digit, at most 49 characters";
}

// Scripted Cloud Run and Logging states for the stand-in: builders for one service, revision, job
// and execution, and the two environments the acceptance tests replay ("2026-02-21", the real
// baseline's legacy lanes; "aligned", the canonical Rust lanes as a deploy leaves them).

import { CONTROL, GCP, RUNTIME, RUNTIME_MIGRATE } from "../../../catalog";
import type { CloudRunExecution, CloudRunJob, CloudRunRevision, CloudRunService, LogEntry } from "../../../io/gcp/types";
import type { CloudState } from "./stand-in";

export const PROJECT = GCP.project;
export const REGION = GCP.region;
const LOCATION = `projects/${PROJECT}/locations/${REGION}`;

export const CONTROL_IMAGE = `${CONTROL.imageRepository}:rust-2026-02-21-a1b2c3d`;
export const RUNTIME_IMAGE = `${RUNTIME.imageRepository}:rust-2026-02-21-a1b2c3d`;
export const OLD_RUNTIME_IMAGE = `${RUNTIME.imageRepository}:rust-2026-02-14-0f0f0f0`;
export const LARAVEL_IMAGE = `${GCP.artifactRegistryHost}/${GCP.project}/openagents-web/laravel:9d8e7f6`;
export const ELIXIR_IMAGE = `${GCP.artifactRegistryHost}/${GCP.project}/openagents-runtime/runtime:2026-01-30`;

/** "now" for the scenarios' log timestamps: entries are minutes before it. */
export function minutesAgo(minutes: number, now = Date.now()): string {
    return new Date(now - minutes * 60_000).toISOString();
}

/** The services the scenarios name; a revision's service is the longest of them its name starts with. */
const KNOWN_SERVICES = [...Object.values(CONTROL.names), ...Object.values(RUNTIME.names), "openagents-web", "openagents-web-staging", "openagents-runtime"];

export function revision(name: string, image: string, ready = true): CloudRunRevision {
    const known = KNOWN_SERVICES.filter((s) => name.startsWith(`${s}-`)).sort((a, b) => b.length - a.length)[0];
    const service = known ?? name.replace(/-\d{5}-[a-z0-9]+$/, "");
    return {
        name: `${LOCATION}/services/${service}/revisions/${name}`,
        containers: [{ image, ports: [{ containerPort: 8080 }] }],
        conditions: [{ type: "Ready", state: ready ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED", ...(ready ? {} : { message: "Container failed to start and listen on port 8080" }) }],
    };
}

export function service(name: string, templateImage: string, split: { revision: string; percent: number; tag?: string }[], latest: { created?: string; ready?: string } = {}): CloudRunService {
    const newest = split[0]?.revision;
    return {
        name: `${LOCATION}/services/${name}`,
        uri: `https://${name}-${GCP.runAppUrlHash}-${GCP.runAppRegionCode}.a.run.app`,
        template: { containers: [{ image: templateImage, ports: [{ containerPort: 8080 }] }] },
        latestCreatedRevision: `${LOCATION}/services/${name}/revisions/${latest.created ?? newest}`,
        latestReadyRevision: `${LOCATION}/services/${name}/revisions/${latest.ready ?? newest}`,
        traffic: split.map((s) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: s.revision, percent: s.percent, ...(s.tag ? { tag: s.tag } : {}) })),
        trafficStatuses: split.map((s) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: s.revision, percent: s.percent, ...(s.tag ? { tag: s.tag } : {}) })),
        terminalCondition: { type: "Ready", state: "CONDITION_SUCCEEDED" },
    };
}

export function job(name: string, image: string, latestExecution?: string): CloudRunJob {
    return {
        name: `${LOCATION}/jobs/${name}`,
        template: { template: { containers: [{ image, command: ["runtime-migrate"] }] } },
        ...(latestExecution ? { latestCreatedExecution: { name: `${LOCATION}/jobs/${name}/executions/${latestExecution}` } } : {}),
    };
}

export function execution(jobName: string, name: string, image: string, outcome: "succeeded" | "failed" | "running", createdMinutesAgo = 5): CloudRunExecution {
    const state = outcome === "succeeded" ? "CONDITION_SUCCEEDED" : outcome === "failed" ? "CONDITION_FAILED" : "CONDITION_RECONCILING";
    return {
        name: `${LOCATION}/jobs/${jobName}/executions/${name}`,
        createTime: minutesAgo(createdMinutesAgo),
        ...(outcome === "running" ? {} : { completionTime: minutesAgo(createdMinutesAgo - 1) }),
        conditions: [{ type: "Completed", state, ...(outcome === "failed" ? { message: "Task runtime-migrate-x-task0 failed: exit code 1 (checksum mismatch)" } : {}) }],
        succeededCount: outcome === "succeeded" ? 1 : 0,
        failedCount: outcome === "failed" ? 1 : 0,
        template: { containers: [{ image, command: ["runtime-migrate"] }] },
    };
}

export function logEntry(serviceName: string, revisionName: string, severity: string, text: string, minutes: number): LogEntry {
    return {
        logName: `projects/${PROJECT}/logs/run.googleapis.com%2Fstderr`,
        timestamp: minutesAgo(minutes),
        severity,
        resource: { type: "cloud_run_revision", labels: { service_name: serviceName, revision_name: revisionName, location: REGION } },
        textPayload: text,
    };
}

function keyed<T extends { name?: string }>(items: T[]): Record<string, T> {
    return Object.fromEntries(items.map((i) => [(i.name ?? "").split("/").pop() as string, i]));
}

export const ALIGNED = {
    control: CONTROL.names.prod,
    controlRevision: `${CONTROL.names.prod}-00012-rst`,
    runtime: RUNTIME.names.prod,
    runtimeRevision: `${RUNTIME.names.prod}-00007-rst`,
    job: RUNTIME_MIGRATE.names.prod,
    execution: `${RUNTIME_MIGRATE.names.prod}-x7k2p`,
};

/** Staging's lanes in the same aligned state (a run over both environments judges both). */
export const ALIGNED_STAGING = {
    control: CONTROL.names.staging,
    controlRevision: `${CONTROL.names.staging}-00021-rst`,
    runtime: RUNTIME.names.staging,
    runtimeRevision: `${RUNTIME.names.staging}-00009-rst`,
    job: RUNTIME_MIGRATE.names.staging,
    execution: `${RUNTIME_MIGRATE.names.staging}-q3m8z`,
};

/** The canonical Rust lanes after a clean deploy: one image everywhere, a succeeded migration, quiet logs. */
export function alignedState(): CloudState {
    const a = ALIGNED;
    const st = ALIGNED_STAGING;
    return {
        project: PROJECT,
        region: REGION,
        services: keyed([
            service(a.control, CONTROL_IMAGE, [{ revision: a.controlRevision, percent: 100 }]),
            service(a.runtime, RUNTIME_IMAGE, [{ revision: a.runtimeRevision, percent: 100 }]),
            service(st.control, CONTROL_IMAGE, [{ revision: st.controlRevision, percent: 100 }]),
            service(st.runtime, RUNTIME_IMAGE, [{ revision: st.runtimeRevision, percent: 100 }]),
        ]),
        revisions: keyed([
            revision(a.controlRevision, CONTROL_IMAGE),
            revision(a.runtimeRevision, RUNTIME_IMAGE),
            revision(st.controlRevision, CONTROL_IMAGE),
            revision(st.runtimeRevision, RUNTIME_IMAGE),
        ]),
        jobs: keyed([job(a.job, RUNTIME_IMAGE, a.execution), job(st.job, RUNTIME_IMAGE, st.execution)]),
        executions: {
            [a.job]: [execution(a.job, a.execution, RUNTIME_IMAGE, "succeeded", 4), execution(a.job, `${a.job}-old01`, OLD_RUNTIME_IMAGE, "succeeded", 2000)],
            [st.job]: [execution(st.job, st.execution, RUNTIME_IMAGE, "succeeded", 30)],
        },
        // Below the ERROR threshold or outside the window: the probes must not count them.
        logs: {
            [a.control]: [logEntry(a.control, a.controlRevision, "WARNING", "slow upstream", 2), logEntry(a.control, a.controlRevision, "ERROR", "old error", 90)],
            [a.runtime]: [logEntry(a.runtime, a.runtimeRevision, "INFO", "run created", 1)],
        },
    };
}

export const BASELINE = {
    control: "openagents-web",
    controlStaging: "openagents-web-staging",
    /** Traffic stayed pinned here (Laravel) while the template showed the Rust image. */
    pinnedRevision: "openagents-web-00097-jr6",
    rustRevision: "openagents-web-00112-rst",
    runtime: "openagents-runtime",
    runtimeRevision: "openagents-runtime-00031-elx",
    job: RUNTIME_MIGRATE.names.prod,
};

/** The 2026-02-21 baseline: legacy services, the Rust image in the legacy template, no runtime-migrate job, ERROR logs. */
export function baselineState(): CloudState {
    const b = BASELINE;
    return {
        project: PROJECT,
        region: REGION,
        services: keyed([
            service(b.control, CONTROL_IMAGE, [{ revision: b.pinnedRevision, percent: 100 }], { created: b.rustRevision, ready: b.rustRevision }),
            service(b.controlStaging, LARAVEL_IMAGE, [{ revision: "openagents-web-staging-00041-lrv", percent: 100 }]),
            service(b.runtime, ELIXIR_IMAGE, [{ revision: b.runtimeRevision, percent: 100 }]),
        ]),
        revisions: keyed([
            revision(b.pinnedRevision, LARAVEL_IMAGE),
            revision(b.rustRevision, CONTROL_IMAGE),
            revision("openagents-web-staging-00041-lrv", LARAVEL_IMAGE),
            revision(b.runtimeRevision, ELIXIR_IMAGE),
        ]),
        // Only the legacy jobs exist: `gcloud run jobs update runtime-migrate` had nothing to update.
        jobs: keyed([job("openagents-migrate", LARAVEL_IMAGE), job("openagents-runtime-migrate", ELIXIR_IMAGE)]),
        executions: {},
        logs: {
            [b.control]: [
                logEntry(b.control, b.pinnedRevision, "ERROR", "PHP Fatal error:  Uncaught PDOException: SQLSTATE[08006] connection to server failed " + "x".repeat(400), 3),
                logEntry(b.control, b.pinnedRevision, "ERROR", "production.ERROR: Route [login] not defined.", 6),
            ],
            [b.runtime]: [logEntry(b.runtime, b.runtimeRevision, "ERROR", "** (DBConnection.ConnectionError) connection not available", 4)],
        },
    };
}

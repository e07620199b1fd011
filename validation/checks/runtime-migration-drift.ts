// runtime-migration-drift: the image lock between the runtime service and its migrate job, judged
// on what actually runs. The old gate compared the service *template* image with the job's; here
// the images of the revisions serving traffic, the template, the job template and the latest
// execution must all be one image (the expected one when the stack says which), and the latest
// execution must have succeeded. A missing job fails naming it (the 2026-02-21 failure).

import { legacyImageReason, legacyNameReason, sameImage } from "../../catalog";
import type { Check, CheckContext } from "../check";
import type { CloudRunApi } from "../../io/gcp/cloudrun";
import type { GcpApiError } from "../../io/gcp/errors";
import { read, verdictOf, type Judgement, type Read } from "../gcp-judgement";
import { servingTargets } from "../../io/gcp/traffic";
import { primaryImage, shortName, type CloudRunExecution, type CloudRunJob, type CloudRunService } from "../../io/gcp/types";
import { runAppTieProblem } from "../targets";
import { cloudCheck } from "./cloud-apis";

/** The registry entry: the check wired to the gate's options. */
export const runtimeMigrationDrift = cloudCheck("runtime-migration-drift", true, (target, options, apis) =>
    runtimeMigrationDriftCheck({
        api: () => apis().cloudRun,
        serviceName: target.runtimeService,
        jobName: target.migrateJob,
        expectedImage: target.expectedRuntimeImage,
        baseUrl: target.runtimeBaseUrl,
        skipReason: options.runRuntimeDriftCheck ? undefined : "disabled by RUN_RUNTIME_DRIFT_CHECK=0",
    }),
);

export interface ServingRevisionImage {
    revision: string;
    percent: number;
    image: Read<string | undefined>;
}

/** Everything the judgement needs, read from the API (or the failure to read it). */
export interface DriftState {
    serviceName: string;
    jobName: string;
    where: string;
    expectedImage?: string;
    /** The environment's runtime URL ("" or absent: none given): a run.app one must be this service's. */
    baseUrl?: string;
    service: Read<CloudRunService>;
    serving: ServingRevisionImage[];
    job: Read<CloudRunJob>;
    /** Newest first; absent when the job could not be read. */
    executions?: Read<CloudRunExecution[]>;
}

/** Whether an execution completed successfully, and if not, why in a few words. */
export function executionOutcome(execution: CloudRunExecution): { succeeded: boolean; detail: string } {
    const completed = (execution.conditions ?? []).find((c) => c.type === "Completed");
    const state = completed?.state ?? "no Completed condition";
    const counts = `succeeded ${execution.succeededCount ?? 0}, failed ${execution.failedCount ?? 0}`;
    const message = completed?.message ? `: ${completed.message}` : "";
    return { succeeded: completed?.state === "CONDITION_SUCCEEDED", detail: `${state} (${counts})${message}` };
}

/**
 * The latest execution: the one the job names as latest (never an older one in its place: a
 * named execution missing from the list is judged as missing), else the newest listed.
 */
export function latestExecution(job: CloudRunJob, executions: readonly CloudRunExecution[]): { execution?: CloudRunExecution; missing?: string } {
    const named = job.latestCreatedExecution?.name;
    if (named) {
        const match = executions.find((e) => e.name === named || shortName(e.name) === shortName(named));
        return match ? { execution: match } : { missing: shortName(named) };
    }
    return { execution: executions[0] };
}

function notFound(error: GcpApiError): boolean {
    return error.kind === "not-found";
}

/** Pure judgement of the image lock over what the API returned. */
export function judgeMigrationDrift(state: DriftState): Judgement {
    const problems: string[] = [];
    const lines: string[] = [];
    const warnings: string[] = [];
    const images: { what: string; image: string }[] = [];

    if (!state.service.ok) {
        problems.push(
            notFound(state.service.error)
                ? `runtime service '${state.serviceName}' does not exist in ${state.where}`
                : `runtime service '${state.serviceName}' could not be read: ${state.service.error.message}`,
        );
    } else {
        const template = primaryImage(state.service.value.template?.containers);
        lines.push(`service template image: ${template ?? "<none>"}`);
        if (template) images.push({ what: `service '${state.serviceName}' template`, image: template });
        else problems.push(`runtime service '${state.serviceName}' has no template image`);
        if (state.baseUrl) {
            const tie = runAppTieProblem(state.baseUrl, state.service.value, "runtime URL");
            if (tie) problems.push(tie);
            lines.push(`runtime URL ${state.baseUrl}: ${tie ? "not this service's" : "checked against the service's Cloud Run URLs where it is a run.app URL"}`);
        }
        if (state.serving.length === 0) problems.push(`runtime service '${state.serviceName}' has no revision serving traffic`);
        for (const s of state.serving) {
            if (!s.image.ok) {
                problems.push(`serving revision '${s.revision}' could not be read: ${s.image.error.message}`);
                continue;
            }
            lines.push(`serving revision ${s.revision} (${s.percent}%) image: ${s.image.value ?? "<none>"}`);
            if (s.image.value) images.push({ what: `serving revision '${s.revision}' (${s.percent}%)`, image: s.image.value });
            else problems.push(`serving revision '${s.revision}' reports no image`);
        }
    }

    if (!state.job.ok) {
        problems.push(
            notFound(state.job.error)
                ? `migrate job '${state.jobName}' does not exist in ${state.where}: every runtime deploy must run it (create it with the stack; 'gcloud run jobs update' cannot)`
                : `migrate job '${state.jobName}' could not be read: ${state.job.error.message}`,
        );
    } else {
        const job = state.job.value;
        const jobImage = primaryImage(job.template?.template?.containers);
        lines.push(`job template image: ${jobImage ?? "<none>"}`);
        if (jobImage) images.push({ what: `job '${state.jobName}' template`, image: jobImage });
        else problems.push(`migrate job '${state.jobName}' has no template image`);

        const executions = state.executions;
        if (executions && !executions.ok) {
            problems.push(`executions of job '${state.jobName}' could not be read: ${executions.error.message}`);
        } else {
            const { execution: latest, missing } = latestExecution(job, executions?.value ?? []);
            if (missing) {
                const listed = executions?.value.length ?? 0;
                problems.push(
                    `migrate job '${state.jobName}' names '${missing}' as its latest execution, but it is not among the ${listed} listed: its outcome and image are unknown (an older execution proves nothing about this image)`,
                );
            } else if (!latest) {
                problems.push(`migrate job '${state.jobName}' has never been executed: no migration ran for this image`);
            } else {
                const name = shortName(latest.name);
                const outcome = executionOutcome(latest);
                lines.push(`latest execution ${name}: ${outcome.detail}`);
                if (!outcome.succeeded) problems.push(`latest execution '${name}' of job '${state.jobName}' did not succeed: ${outcome.detail}`);
                const execImage = primaryImage(latest.template?.containers);
                lines.push(`latest execution image: ${execImage ?? "<none>"}`);
                if (execImage) images.push({ what: `latest execution '${name}'`, image: execImage });
                else problems.push(`latest execution '${name}' reports no image`);
            }
        }
    }

    // Existence and execution problems lead (they say what to do first); legacy findings follow.
    for (const [role, name] of [
        ["runtime service", state.serviceName],
        ["migrate job", state.jobName],
    ] as const) {
        const legacy = legacyNameReason(name);
        if (legacy) problems.push(`${role} is a legacy lane: ${legacy}`);
    }
    for (const { what, image } of images) {
        const legacy = legacyImageReason(image);
        if (legacy) problems.push(`${what} runs a legacy image: ${legacy}`);
    }

    // One reference: the image the stack says was deployed, else the service template's.
    const reference = state.expectedImage?.trim() || images[0]?.image;
    if (state.expectedImage?.trim()) lines.push(`expected image: ${state.expectedImage.trim()}`);
    if (reference) {
        const source = state.expectedImage?.trim() ? "the expected image" : `the ${images[0].what} image`;
        for (const { what, image } of images) {
            if (!sameImage(image, reference)) problems.push(`${what} runs ${image}, not ${source} ${reference}`);
        }
    }
    if (!state.expectedImage?.trim()) warnings.push("no expected runtime image given (stack output runtimeImage): images compared with each other only");

    return { problems, lines, warnings };
}

/** Reads everything the judgement needs; API failures become Read failures, never throws for them. */
export async function readDriftState(ctx: CheckContext, api: CloudRunApi, names: { serviceName: string; jobName: string; expectedImage?: string; baseUrl?: string }): Promise<DriftState> {
    const [service, job] = await Promise.all([read(() => api.getService(ctx, names.serviceName)), read(() => api.getJob(ctx, names.jobName))]);
    const targets = service.ok ? servingTargets(service.value) : [];
    const [serving, executions] = await Promise.all([
        Promise.all(
            targets.map(async (t) => ({
                revision: t.revision,
                percent: t.percent,
                image: await read(async () => primaryImage((await api.getRevision(ctx, names.serviceName, t.revision)).containers)),
            })),
        ),
        job.ok ? read(() => api.listExecutions(ctx, names.jobName)) : Promise.resolve(undefined),
    ]);
    return { ...names, where: api.where, service, serving, job, executions };
}

export interface DriftCheckOptions {
    api: () => CloudRunApi;
    serviceName: string;
    jobName: string;
    expectedImage?: string;
    /** The environment's runtime URL, tied to the service when it is a run.app URL. */
    baseUrl?: string;
    skipReason?: string;
}

export function runtimeMigrationDriftCheck(options: DriftCheckOptions): Check {
    return {
        id: runtimeMigrationDrift.id,
        required: runtimeMigrationDrift.required,
        description: "runtime service (serving revisions and template), migrate job and its latest execution run one image; the execution succeeded",
        command: `Cloud Run Admin API v2: services/${options.serviceName} (+ serving revisions), jobs/${options.jobName}, jobs/${options.jobName}/executions`,
        skipReason: options.skipReason,
        skipAction: "set RUN_RUNTIME_DRIFT_CHECK=1",
        async run(ctx) {
            const state = await readDriftState(ctx, options.api(), { serviceName: options.serviceName, jobName: options.jobName, expectedImage: options.expectedImage, baseUrl: options.baseUrl });
            const { problems, lines, warnings } = judgeMigrationDrift(state);
            for (const line of lines) ctx.log(line);
            for (const problem of problems) ctx.log(`FAIL ${problem}`);
            return verdictOf(
                problems,
                warnings,
                `runtime service, job and latest execution all run ${state.expectedImage ?? "the same image"}`,
                "deploy the runtime stack (pulumi up) so the migrate job exists on the runtime image and its execution succeeds, then re-run",
            );
        },
    };
}

// Migration before rollout, stated as properties of the plan: the migrate job's execution
// follows the runtime's image and must succeed before the runtime rolls, one task at a time,
// with time to finish, against the runtime's own database. The program derives its token
// here; config and the pack judge a plan with the same functions.

import { shortHash, tagFragment } from "./dns-labels";

export const MIGRATION_SOURCES = {
    token:
        "registry.terraform.io google_cloud_run_v2_job: run_execution_token creates an execution and waits for it to complete " +
        "(the job is ready only when it succeeded); start_execution_token starts one without waiting; a new token, a new execution",
    oneAtATime: "https://cloud.google.com/run/docs/create-jobs (task_count: each task runs the container once; parallelism: tasks at once)",
    timeToFinish:
        "registry.terraform.io google_cloud_run_v2_job Timeouts (create and update wait 20 minutes by default); " +
        "https://cloud.google.com/run/docs/configuring/task-timeout (each attempt is killed at the task timeout, retries start over)",
    database: "apps/runtime/src/bin/runtime-migrate.rs:27-29@c41c3629 (runtime-migrate reads DB_URL, else DATABASE_URL)",
} as const;

/** How long the provider waits for a job's create or update (and so its execution) by default. */
export const PROVIDER_JOB_WAIT_SECONDS = 20 * 60;

/** Env names the migration reads its database from, in the order it reads them. */
export const DATABASE_ENV = ["DB_URL", "DATABASE_URL"] as const;

const HASH_LENGTH = 8;

/**
 * The migrate job's execution token: derived from the image, so every new runtime image runs
 * the migration exactly once; `rerun` bumps it to run again on the same image. Job name plus
 * token must stay under 63 characters.
 */
export function executionToken(jobName: string, image: string, rerun: number): string {
    const suffix = rerun > 0 ? `-r${rerun}` : "";
    const hash = shortHash(image, HASH_LENGTH);
    const room = 62 - jobName.length - 1 - hash.length - suffix.length - 1;
    const tag = tagFragment(image.split(/[:@]/).pop() ?? "", Math.max(0, Math.min(room, 16)));
    return tag ? `${tag}-${hash}${suffix}` : `${hash}${suffix}`;
}

/** `[<tag>-]<image hash>[-r<rerun>][-a<attempt>]`: the attempt suffix is a retried `up`'s (services/runtime-lane.ts executionTokenFor). */
const TOKEN = /(?:^|-)([0-9a-f]{8})(?:-r[1-9][0-9]*)?(?:-a[1-9][0-9]*)?$/;

/** Why a job's execution tokens do not make a new image's migration run and be waited for, or undefined. */
export function executionTokenProblem(run: unknown, start: unknown, runtimeImage: string | undefined): string | undefined {
    const runToken = typeof run === "string" ? run.trim() : "";
    if (runToken === "") {
        return typeof start === "string" && start.trim() !== ""
            ? "it sets startExecutionToken, which starts the migration without waiting for it: the runtime could roll before it succeeded (use runExecutionToken)"
            : "it sets no runExecutionToken, so a deploy runs no migration at all";
    }
    if (runtimeImage === undefined) return undefined;
    const m = TOKEN.exec(runToken);
    if (!m || m[1] !== shortHash(runtimeImage, HASH_LENGTH)) {
        return `its runExecutionToken '${runToken}' does not follow the runtime image '${runtimeImage}': a new image would not run the migration`;
    }
    return undefined;
}

/** Why the job could run the migration more than once at a time, or undefined (unset means 1 task). */
export function concurrencyProblem(taskCount: unknown, parallelism: unknown): string | undefined {
    const tasks = typeof taskCount === "number" ? taskCount : 1;
    if (tasks !== 1) return `it runs ${String(taskCount)} tasks per execution: the migration would run ${String(taskCount)} times, concurrently`;
    if (typeof parallelism === "number" && parallelism > 1) return `parallelism ${parallelism} lets tasks run at once: the migration runs one at a time (parallelism 1)`;
    return undefined;
}

/** Why attempts x timeout cannot finish inside the wait of the deploy, or undefined. */
export function timeToFinishProblem(maxRetries: number, timeoutSeconds: number, waitSeconds = PROVIDER_JOB_WAIT_SECONDS): string | undefined {
    const attempts = maxRetries + 1;
    const total = attempts * timeoutSeconds;
    if (total > waitSeconds) {
        return `${attempts} attempts of ${timeoutSeconds} s take up to ${total} s, but the deploy waits ${waitSeconds} s for the execution: it gives up while the migration may still run`;
    }
    return undefined;
}

/** "600s", "1.5s", "10m"? Cloud Run durations are seconds with an "s"; undefined when not one. */
export function durationSeconds(value: unknown): number | undefined {
    if (typeof value !== "string") return undefined;
    const m = /^([0-9]+(?:\.[0-9]+)?)s$/.exec(value.trim());
    return m ? Number(m[1]) : undefined;
}

/** The secret (or literal) the migration and the runtime read their database from. */
export interface DatabaseSource {
    secret?: string;
    literal?: string;
}

function sameSource(a: DatabaseSource, b: DatabaseSource): boolean {
    const norm = (s: string) => (s.trim().toLowerCase().split("/secrets/").pop() ?? "").split("/")[0];
    if (a.secret !== undefined && b.secret !== undefined) return norm(a.secret) === norm(b.secret);
    if (a.literal !== undefined && b.literal !== undefined) return a.literal === b.literal;
    return false;
}

/** Why the job migrates another database than the runtime reads, or undefined. */
export function databaseProblem(job: DatabaseSource | undefined, runtime: DatabaseSource | undefined): string | undefined {
    if (job === undefined) return `it sets neither ${DATABASE_ENV.join(" nor ")}, so runtime-migrate fails at start`;
    if (runtime === undefined) return undefined;
    if (!sameSource(job, runtime)) {
        const show = (s: DatabaseSource) => (s.secret !== undefined ? `secret '${s.secret}'` : "a literal URL");
        return `it migrates the database of ${show(job)} while the runtime reads ${show(runtime)}`;
    }
    return undefined;
}

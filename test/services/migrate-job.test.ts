// The migrate job under the provider's rules (terraform-provider-google-beta v7.45.0
// resource_cloud_run_v2_job.go): the `up` waits for the execution inside the resource's
// create/update timeout, 20 minutes unless set, so the timeouts come from the worst case the
// config allows; and a retried `up` never re-sends a token whose execution exists.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { recordStack } from "../../review/plan";
import { executionToken } from "../../services/naming";
import { MIGRATE_OPERATION_SLACK_SECONDS, MIGRATE_TASK_STARTUP_SECONDS, type PriorExecution, executionTokenFor, migrateJobTimeouts, migrateWorstCaseSeconds } from "../../services/runtime-lane";
import { CONFIG_SCHEMA } from "../../services/config-schema";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mocks = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: Record<string, (req: any, cb: any) => unknown> } };

const JOB = "gcp:cloudrunv2/job:Job";
const PROVIDER_DEFAULT_SECONDS = 20 * 60;

interface Captured {
    timeouts: Map<string, { create: string; update: string }>;
}

/** Runs the real program for a stack; reads the custom timeouts off the registrations and answers getJob with `prior`. */
async function run(stack: "staging" | "prod", overrides: Record<string, string> = {}, prior?: Record<string, unknown>): Promise<Captured & { token: string; job: string }> {
    const proto = mocks.MockMonitor.prototype;
    const register = proto.registerResource;
    const invoke = proto.invoke;
    const captured: Captured = { timeouts: new Map() };
    proto.registerResource = function (this: unknown, req: any, cb: any) {
        const t = req.getCustomtimeouts?.();
        if (t) captured.timeouts.set(`${req.getType()}::${req.getName()}`, { create: t.getCreate(), update: t.getUpdate() });
        return register.call(this, req, cb);
    };
    proto.invoke = function (this: unknown, req: any, cb: any) {
        if (prior && req.getTok() === "gcp:cloudrunv2/getJob:getJob") {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { ResourceInvokeResponse } = require("@pulumi/pulumi/proto/resource_pb");
            const response = new ResourceInvokeResponse();
            response.setReturn(Struct.fromJavaScript(prior));
            cb(null, response);
            return;
        }
        return invoke.call(this, req, cb);
    };
    try {
        const plan = await recordStack(stack, { overrides });
        const job = plan.resources.find((r) => r.type === JOB);
        assert.ok(job, "a job is declared");
        return { ...captured, token: String(job.inputs.runExecutionToken), job: `${job.type}::${job.name}` };
    } finally {
        proto.registerResource = register;
        proto.invoke = invoke;
    }
}

describe("migrate job: timeouts from the worst case the config allows", () => {
    for (const stack of ["staging", "prod"] as const) {
        it(`${stack}: the job's create and update timeouts cover every attempt at its full timeout plus start-up, never the provider's 20 minutes`, async () => {
            const plan = await recordStack(stack);
            const retries = Number(plan.config["openagents-rust-lanes:migrateMaxRetries"]);
            const timeout = Number(plan.config["openagents-rust-lanes:migrateTimeoutSeconds"]);
            const got = await run(stack);
            const t = got.timeouts.get(got.job);
            assert.ok(t, "the job carries custom timeouts");
            const worst = (retries + 1) * (timeout + MIGRATE_TASK_STARTUP_SECONDS) + MIGRATE_OPERATION_SLACK_SECONDS;
            assert.deepEqual(t, { create: `${worst}s`, update: `${worst}s` });
            assert.ok(worst > PROVIDER_DEFAULT_SECONDS, `the stacks already allow more than the default: ${worst}s`);
        });
    }

    it("a config change of retries or timeout moves the timeouts with it", async () => {
        const got = await run("staging", { migrateMaxRetries: "3", migrateTimeoutSeconds: "1800" });
        assert.deepEqual(got.timeouts.get(got.job), { create: `${4 * (1800 + MIGRATE_TASK_STARTUP_SECONDS) + MIGRATE_OPERATION_SLACK_SECONDS}s`, update: `${4 * 1920 + 300}s` });
    });

    it("for every config the schema admits, the wait is at least the execution's own longest run", () => {
        const retries = CONFIG_SCHEMA.migrateMaxRetries.range;
        const timeout = CONFIG_SCHEMA.migrateTimeoutSeconds.range;
        fc.assert(
            fc.property(fc.integer({ min: retries.min, max: retries.max }), fc.integer({ min: timeout.min, max: timeout.max }), (maxRetries, timeoutSeconds) => {
                const seconds = Number(migrateJobTimeouts({ maxRetries, timeoutSeconds }).update?.replace(/s$/, ""));
                return seconds === migrateWorstCaseSeconds({ maxRetries, timeoutSeconds }) && seconds >= (maxRetries + 1) * timeoutSeconds;
            }),
        );
    });
});

describe("migrate job: a retried up never re-sends a token whose execution exists", () => {
    const JOB_NAME = "runtime-migrate";
    const base = executionToken(JOB_NAME, "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime:3f9c2ab", 0);
    const exec = (token: string, completed: boolean, jobReady: boolean): PriorExecution => ({
        name: `projects/openagentsgemini/locations/us-central1/jobs/${JOB_NAME}/executions/${JOB_NAME}-${token}`,
        completed,
        jobReady,
    });

    it("first deploy of an image: the base token", () => {
        assert.equal(executionTokenFor(JOB_NAME, base, undefined), base);
        assert.equal(executionTokenFor(JOB_NAME, base, exec("0ld-tag-12345678", true, true)), base);
    });

    it("after a failed (or cut-short) execution of this token: the next attempt, a new execution; after that one fails too, the one after", () => {
        const second = executionTokenFor(JOB_NAME, base, exec(base, true, false));
        assert.equal(second, `${base}-a2`);
        assert.equal(executionTokenFor(JOB_NAME, base, exec(second, true, false)), `${base}-a3`);
    });

    it("while it runs, or once the job is ready: the same token (no change, no second execution)", () => {
        assert.equal(executionTokenFor(JOB_NAME, base, exec(base, false, false)), base);
        assert.equal(executionTokenFor(JOB_NAME, base, exec(`${base}-a2`, true, true)), `${base}-a2`);
    });

    it("property: never the token of an execution that ended without the job ready; always under 63 characters with the job name", () => {
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/),
                fc.stringMatching(/^[a-z0-9]{1,16}$/),
                fc.integer({ min: 0, max: 99 }),
                fc.integer({ min: 1, max: 40 }),
                fc.boolean(),
                fc.boolean(),
                (job, tag, rerun, attempt, completed, ready) => {
                    const b = executionToken(job, `r/x:${tag}`, rerun);
                    const priorToken = attempt === 1 ? b : `${b}-a${attempt}`;
                    const prior = { name: `${job}-${priorToken}`, completed, jobReady: ready };
                    const token = executionTokenFor(job, b, prior);
                    if (completed && !ready) assert.notEqual(token, priorToken);
                    else assert.equal(token, priorToken);
                    if (job.length + 1 + b.length < 63) assert.ok(job.length + 1 + token.length < 63 || priorToken === token, `${job}-${token}`);
                },
            ),
        );
    });

    it("the program asks Cloud Run for the job's last execution: a failed one of this image makes the up send the next attempt", async () => {
        const plain = await run("prod");
        const failed = await run(
            "prod",
            {},
            {
                name: "runtime-migrate",
                latestCreatedExecutions: [
                    {
                        name: `projects/openagentsgemini/locations/us-central1/jobs/runtime-migrate/executions/runtime-migrate-${plain.token}`,
                        completionTime: "2026-12-01T00:10:00Z",
                        createTime: "2026-12-01T00:00:00Z",
                    },
                ],
                terminalConditions: [{ state: "CONDITION_FAILED", type: "Ready" }],
            },
        );
        assert.equal(failed.token, `${plain.token}-a2`);
        const succeeded = await run(
            "prod",
            {},
            {
                name: "runtime-migrate",
                latestCreatedExecutions: [{ name: `runtime-migrate-${plain.token}`, completionTime: "2026-12-01T00:10:00Z", createTime: "2026-12-01T00:00:00Z" }],
                terminalConditions: [{ state: "CONDITION_SUCCEEDED", type: "Ready" }],
            },
        );
        assert.equal(succeeded.token, plain.token);
    });
});

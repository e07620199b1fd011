import * as assert from "node:assert/strict";
import { executionToken } from "../../catalog";
import { runtimeImageLock } from "../../policies/runtime-image-lock";
import { RUNTIME_IMAGE, compliantStack, controlService, migrateJob, mutate, runtimeService, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOnStack } from "./harness";

describe("policy runtime-image-lock", () => {
    it("passes a stack whose job runs the runtime's image and which the runtime depends on", async () => {
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, compliantStack("prod"))), []);
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, compliantStack("staging"))), []);
    });

    it("rejects a migrate job on another image, with the exact message", async () => {
        const stale = "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime:0ld5ha";
        const job = mutate(migrateJob(), (p) => (p.template.template.containers[0].image = stale));
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [runtimeService(), job])), [
            `migrate job 'runtime-migrate' runs image '${stale}' but runtime service 'runtime' runs '${RUNTIME_IMAGE}'`,
        ]);
    });

    it("takes a digest as the image's identity: a tag beside the same digest is the same image, another digest is not", async () => {
        const repo = "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime";
        const digest = `sha256:${"c".repeat(64)}`;
        const on = (serviceImage: string, jobImage: string) => [
            mutate(runtimeService(), (p) => (p.template.containers[0].image = serviceImage)),
            mutate(migrateJob(), (p) => {
                p.template.template.containers[0].image = jobImage;
                p.runExecutionToken = executionToken(p.name, serviceImage, 0);
            }),
        ];
        // Both sides: the tag on the service only, then on the job only.
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, on(`${repo}:a1b2c3d@${digest}`, `${repo}@${digest}`))), []);
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, on(`${repo}@${digest}`, `${repo}:a1b2c3d@${digest}`))), []);
        const other = `${repo}:a1b2c3d@sha256:${"d".repeat(64)}`;
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, on(`${repo}:a1b2c3d@${digest}`, other))), [
            `migrate job 'runtime-migrate' runs image '${other}' but runtime service 'runtime' runs '${repo}:a1b2c3d@${digest}'`,
        ]);
    });

    it("rejects leftover args, a missing dependency and a missing job", async () => {
        const job = mutate(migrateJob(), (p) => (p.template.template.containers[0].args = ["--stale"]));
        const service = mutate(runtimeService(), (_p, r) => (r.dependencies = []));
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [service, job])), [
            "runtime service 'runtime' does not depend on migrate job 'runtime-migrate': it could roll out before the migration ran",
            "migrate job 'runtime-migrate' passes args [\"--stale\"]: runtime-migrate takes none",
        ]);
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [runtimeService()])), ["runtime service 'runtime' has no migrate job in this stack: migrations would never run"]);
    });

    it("checks commands and args separately: the binary given as args with no command is rejected", async () => {
        const argsOnly = mutate(migrateJob(), (p) => Object.assign(p.template.template.containers[0], { commands: [], args: ["runtime-migrate"] }));
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [runtimeService(), argsOnly])), [
            "migrate job 'runtime-migrate' has commands [], expected [\"runtime-migrate\"]",
            "migrate job 'runtime-migrate' passes args [\"runtime-migrate\"]: runtime-migrate takes none",
        ]);
    });

    it("reports a job no runtime service depends on, and a migrate job with no runtime service at all", async () => {
        const extra = mutate(migrateJob(), (p, r) => ((r.urn = `${r.urn}-extra`), (r.name = "runtime-migrate-extra"), (p.name = "runtime-migrate-2")));
        const other = mutate(migrateJob(), (p, r) => ((r.urn = `${r.urn}-report`), (r.name = "nightly-report"), (p.name = "nightly-report"), (p.labels = {})));
        const result = await runOnStack(runtimeImageLock, [runtimeService(), migrateJob(), extra, other]);
        assert.deepEqual(messages(result), [
            "job 'runtime-migrate-2' is not a dependency of any runtime service: no runtime deploy runs it, so the image lock does not hold for it",
            "job 'nightly-report' is not a dependency of any runtime service: no runtime deploy runs it, so the image lock does not hold for it",
        ]);
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [controlService(), migrateJob()])), ["migrate job 'runtime-migrate' has no runtime service in this stack"]);
    });

    it("pairs each runtime service with the job it depends on when a stack has several", async () => {
        const copy = (n: number) => [
            mutate(runtimeService(), (_p, r) => ((r.urn = `${r.urn}-${n}`), (r.name = `runtime-${n}`), (r.dependencies = [`${migrateJob().urn}-${n}`]))),
            mutate(
                migrateJob(),
                (p, r) => (
                    (r.urn = `${r.urn}-${n}`),
                    (r.name = `runtime-migrate-${n}`),
                    n === 2 && (p.template.template.containers[0].image = p.template.template.containers[0].image.replace(/:[^:]+$/, ":other"))
                ),
            ),
        ];
        const result = await runOnStack(runtimeImageLock, [...copy(1), ...copy(2)]);
        assert.deepEqual(
            result.verdicts.map((v) => v.resource),
            ["runtime-migrate-2"],
        );
    });

    it("tolerates outputs with extra fields (what the engine passes to stack policies)", async () => {
        const withOutputs = compliantStack("prod").map((r) =>
            mutate(r, (p) => Object.assign(p, { uid: "u-1", etag: "e", uri: "https://x.a.run.app", terminalConditions: [{ state: "CONDITION_SUCCEEDED" }] })),
        );
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, withOutputs)), []);
    });

    it("is not applicable to a stack without a runtime lane", async () => {
        const result = await runOnStack(runtimeImageLock, [serviceAccount(), controlService()]);
        assert.deepEqual(
            result.notApplicable.map((n) => n.reason),
            ["no runtime lane in this stack"],
        );
    });

    it("cannot run during preview when the job image is unknown", async () => {
        const job = mutate(migrateJob(), (p) => (p.template.template.containers[0].image = UNKNOWN));
        assert.deepEqual(
            (await runOnStack(runtimeImageLock, [runtimeService(), job])).verdicts.map((v) => [v.level, v.message]),
            [
                [
                    "advisory",
                    "can't run policy 'runtime-image-lock' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .template.template.containers.0.image can't be known during preview",
                ],
            ],
        );
    });
});

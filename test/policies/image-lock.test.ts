import * as assert from "node:assert/strict";
import { runtimeImageLock } from "../../policies/image-lock";
import { compliantStack, controlService, migrateJob, mutate, runtimeService, serviceAccount } from "./fixtures";
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
            `migrate job 'runtime-migrate' runs image '${stale}' but runtime service 'runtime' runs 'us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime:a1b2c3d'`,
        ]);
    });

    it("rejects leftover args, a missing dependency and a missing job", async () => {
        const job = mutate(migrateJob(), (p) => (p.template.template.containers[0].args = ["--stale"]));
        const service = mutate(runtimeService(), (_p, r) => (r.dependencies = []));
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [service, job])), [
            "runtime service 'runtime' does not depend on migrate job 'runtime-migrate': it could roll out before the migration ran",
            "migrate job 'runtime-migrate' runs 'runtime-migrate --stale', expected 'runtime-migrate' with no args",
        ]);
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, [runtimeService()])), ["runtime service 'runtime' has no migrate job in this stack: migrations would never run"]);
    });

    it("pairs each runtime service with the job it depends on when a stack has several", async () => {
        const copy = (n: number) => [
            mutate(runtimeService(), (_p, r) => ((r.urn = `${r.urn}-${n}`), (r.name = `runtime-${n}`), (r.dependencies = [`${migrateJob().urn}-${n}`]))),
            mutate(migrateJob(), (p, r) => ((r.urn = `${r.urn}-${n}`), (r.name = `runtime-migrate-${n}`), n === 2 && (p.template.template.containers[0].image = p.template.template.containers[0].image.replace(/:[^:]+$/, ":other")))),
        ];
        const result = await runOnStack(runtimeImageLock, [...copy(1), ...copy(2)]);
        assert.deepEqual(result.verdicts.map((v) => v.resource), ["runtime-migrate-2"]);
    });

    it("tolerates outputs with extra fields (what the engine passes to stack policies)", async () => {
        const withOutputs = compliantStack("prod").map((r) => mutate(r, (p) => Object.assign(p, { uid: "u-1", etag: "e", uri: "https://x.a.run.app", terminalConditions: [{ state: "CONDITION_SUCCEEDED" }] })));
        assert.deepEqual(messages(await runOnStack(runtimeImageLock, withOutputs)), []);
    });

    it("is not applicable to a stack without a runtime lane", async () => {
        const result = await runOnStack(runtimeImageLock, [serviceAccount(), controlService()]);
        assert.deepEqual(result.notApplicable.map((n) => n.reason), ["no runtime lane in this stack"]);
    });

    it("cannot run during preview when the job image is unknown", async () => {
        const job = mutate(migrateJob(), (p) => (p.template.template.containers[0].image = UNKNOWN));
        assert.deepEqual((await runOnStack(runtimeImageLock, [runtimeService(), job])).verdicts.map((v) => [v.level, v.message]), [
            ["advisory", "can't run policy 'runtime-image-lock' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .template.template.containers.0.image can't be known during preview"],
        ]);
    });
});

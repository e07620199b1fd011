import * as assert from "node:assert/strict";
import { approvedImages } from "../../policies/approved-pinned-images";
import { CONTROL_IMAGE, RUNTIME_IMAGE, UNKNOWN_IMAGE_PATH, controlService, migrateJob, mutate, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy approved-pinned-images", () => {
    it("passes lane images pinned by tag or by digest, host in any case", async () => {
        assert.deepEqual(messages(await runOn(approvedImages, controlService())), []);
        const digest = mutate(migrateJob(), (p) => (p.template.template.containers[0].image = `US-CENTRAL1-DOCKER.PKG.DEV/openagentsgemini/runtime/runtime@sha256:${"ab".repeat(32)}`));
        assert.deepEqual(messages(await runOn(approvedImages, digest)), []);
    });

    it("rejects the runtime image on the control service, with the exact message", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].image = RUNTIME_IMAGE));
        assert.deepEqual(messages(await runOn(approvedImages, r)), [
            `service 'openagents-control-service' container 0: image \"${RUNTIME_IMAGE}\" is not from the control lane's repository (us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control)`,
        ]);
    });

    it("rejects latest and untagged references", async () => {
        const latest = mutate(controlService(), (p) => (p.template.containers[0].image = CONTROL_IMAGE.replace(/:[^:]+$/, ":latest")));
        assert.deepEqual(messages(await runOn(approvedImages, latest)), [
            "service 'openagents-control-service' container 0: image \"us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:latest\" is not pinned: use a tag other than 'latest' or a sha256 digest",
        ]);
        const untagged = mutate(controlService(), (p) => (p.template.containers[0].image = CONTROL_IMAGE.replace(/:[^:]+$/, "")));
        assert.equal(messages(await runOn(approvedImages, untagged)).length, 1);
    });

    it("rejects a reference that does not parse, with the exact message", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].image = "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:bad tag"));
        assert.deepEqual(messages(await runOn(approvedImages, r)), [
            "service 'openagents-control-service' container 0: image \"us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:bad tag\" is not a valid image reference",
        ]);
    });

    it("accepts an extra repository from policy config", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].image = "europe-docker.pkg.dev/mirror/control:abc"));
        assert.equal(messages(await runOn(approvedImages, r)).length, 1);
        assert.deepEqual(messages(await runOn(approvedImages, r, { config: { "approved-pinned-images": { additionalRepositories: ["europe-docker.pkg.dev/mirror/control"] } } })), []);
    });

    it("is not applicable to a service account", async () => {
        assert.deepEqual(
            (await runOn(approvedImages, serviceAccount())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service, job or worker pool"],
        );
    });

    it("cannot run during preview when the image is unknown", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].image = UNKNOWN));
        assert.deepEqual(
            (await runOn(approvedImages, r)).verdicts.map((v) => [v.level, v.message]),
            [
                [
                    "advisory",
                    `can't run policy 'approved-pinned-images' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at ${UNKNOWN_IMAGE_PATH} can't be known during preview`,
                ],
            ],
        );
    });
});

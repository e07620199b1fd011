import * as assert from "node:assert/strict";
import { canaryLadder } from "../../policies/canary-ladder";
import { laneLabels } from "../../policies/lane-labels";
import { resourceLimits } from "../../policies/resource-limits";
import { controlService, domainMapping, migrateJob, mutate, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

function split(stable: number, canary: number) {
    return mutate(controlService(), (p) => {
        p.traffics = [
            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-old-111111", percent: stable, tag: "stable" },
            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-new-222222", percent: canary, tag: "canary" },
        ];
    });
}

describe("policy resource-limits (advisory)", () => {
    it("passes containers with CPU and memory limits", async () => {
        assert.deepEqual(messages(await runOn(resourceLimits, migrateJob())), []);
    });
    it("reports a missing memory limit as advisory, with the exact message", async () => {
        const r = mutate(migrateJob(), (p) => delete p.template.template.containers[0].resources.limits.memory);
        const { verdicts } = await runOn(resourceLimits, r);
        assert.deepEqual(
            verdicts.map((v) => [v.level, v.message]),
            [["advisory", "job 'runtime-migrate' container 0 sets no memory limit"]],
        );
    });
    it("is not applicable to a service account", async () => {
        assert.deepEqual(
            (await runOn(resourceLimits, serviceAccount())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service, job or worker pool"],
        );
    });
    it("cannot run during preview when the limits are unknown", async () => {
        const r = mutate(migrateJob(), (p) => (p.template.template.containers[0].resources = UNKNOWN));
        assert.match(messages(await runOn(resourceLimits, r))[0], /^can't run policy 'resource-limits' .* at \.template\.template\.containers\.0\.resources can't be known during preview$/);
    });
});

describe("policy lane-labels (advisory)", () => {
    it("passes labelled services and domain mappings", async () => {
        assert.deepEqual(messages(await runOn(laneLabels, controlService())), []);
        assert.deepEqual(messages(await runOn(laneLabels, domainMapping("openagents-control-service"))), []);
    });
    it("reports missing and wrong labels, with the exact messages", async () => {
        const r = mutate(controlService(), (p) => (p.labels = { environment: "production", "managed-by": "terraform" }));
        assert.deepEqual(messages(await runOn(laneLabels, r)), [
            "service 'openagents-control-service' lacks the label lane",
            "service 'openagents-control-service' has environment label 'production', expected staging or prod",
            "service 'openagents-control-service' has managed-by label 'terraform', expected 'pulumi'",
        ]);
    });
    it("is not applicable to a service account", async () => {
        assert.deepEqual(
            (await runOn(laneLabels, serviceAccount())).notApplicable.map((n) => [n.policy, n.reason]),
            [["lane-labels", "not a Cloud Run service, job, worker pool or domain mapping"]],
        );
    });
    it("cannot run during preview when the labels are unknown", async () => {
        const r = mutate(controlService(), (p) => (p.labels = UNKNOWN));
        assert.match(messages(await runOn(laneLabels, r))[0], /^can't run policy 'lane-labels' .* at \.labels can't be known during preview$/);
    });
});

describe("policy canary-ladder (advisory)", () => {
    it("passes splits on the ladder", async () => {
        for (const [s, c] of [
            [100, 0],
            [95, 5],
            [75, 25],
            [50, 50],
        ])
            assert.deepEqual(messages(await runOn(canaryLadder, split(s, c))), [], `${s}/${c}`);
    });
    it("reports a split off the ladder, with the exact message", async () => {
        assert.deepEqual(messages(await runOn(canaryLadder, split(90, 10))), [
            "service 'openagents-control-service' splits traffic openagents-control-service-old-111111=90, openagents-control-service-new-222222=10, off the canary ladder 0 -> 5 -> 25 -> 50 -> 100",
        ]);
    });
    it("takes the ladder from config", async () => {
        assert.deepEqual(messages(await runOn(canaryLadder, split(90, 10), { config: { "canary-ladder": { ladder: [0, 10, 100] } } })), []);
    });
    it("is not applicable to a job", async () => {
        assert.deepEqual(
            (await runOn(canaryLadder, migrateJob())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service"],
        );
    });
    it("cannot run during preview when a percent is unknown", async () => {
        const r = mutate(split(95, 5), (p) => (p.traffics[1].percent = UNKNOWN));
        assert.match(messages(await runOn(canaryLadder, r))[0], /^can't run policy 'canary-ladder' .* at \.traffics\.1\.percent can't be known during preview$/);
    });
});

import * as assert from "node:assert/strict";
import { productionSafety } from "../../policies/production-safety";
import { controlService, migrateJob, mutate, runtimeService } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy production-safety", () => {
    it("passes the prod lanes (deletion protection unset means the provider's default: on)", async () => {
        for (const r of [controlService("prod"), runtimeService("prod"), migrateJob("prod"), mutate(runtimeService("prod"), (p) => delete p.deletionProtection)]) {
            assert.deepEqual(messages(await runOn(productionSafety, r)), [], r.name);
        }
    });

    it("rejects deletion protection off and a cold control service in prod, with the exact messages", async () => {
        const r = mutate(controlService("prod"), (p) => {
            p.deletionProtection = false;
            p.template.scaling.minInstanceCount = 0;
        });
        assert.deepEqual(messages(await runOn(productionSafety, r)), [
            "service 'openagents-control-service' has deletion protection off in prod",
            "control service 'openagents-control-service' keeps 0 warm instances in prod, at least 1 required",
        ]);
    });

    it("rejects the v1 Cloud Run API in prod, with the exact message", async () => {
        const v1 = {
            type: "gcp:cloudrun/service:Service",
            name: "runtime",
            props: { name: "runtime", location: "us-central1", metadata: { labels: { environment: "prod", lane: "runtime" } }, template: { spec: { containers: [{ image: "x" }] } } },
        };
        assert.deepEqual(messages(await runOn(productionSafety, v1)), [
            "service 'runtime' uses the v1 Cloud Run API, which has no deletion protection: use gcp.cloudrunv2",
            "runtime service 'runtime' may scale to zero in prod: its runs live in instance memory and are lost (keep at least 1 instance)",
        ]);
    });

    it("takes the minimum from config and the environment from a stack tag", async () => {
        const tagged = mutate(controlService("staging"), (p) => (p.name = "openagents-control-service"));
        const result = await runOn(
            productionSafety,
            mutate(tagged, (p) => delete p.labels),
            { stackTags: { environment: "prod" }, config: { "production-safety": { minControlInstances: 2 } } },
        );
        assert.deepEqual(messages(result), [
            "service 'openagents-control-service' has deletion protection off in prod",
            "control service 'openagents-control-service' keeps 0 warm instances in prod, at least 2 required",
        ]);
    });

    it("is not applicable to staging resources", async () => {
        const result = await runOn(
            productionSafety,
            mutate(controlService("staging"), (p) => (p.deletionProtection = false)),
        );
        assert.deepEqual(result.verdicts, []);
        assert.deepEqual(
            result.notApplicable.map((n) => n.reason),
            ["not a production resource"],
        );
    });

    it("cannot run during preview when deletion protection is unknown", async () => {
        const r = mutate(controlService("prod"), (p) => (p.deletionProtection = UNKNOWN));
        assert.deepEqual(
            (await runOn(productionSafety, r)).verdicts.map((v) => [v.level, v.message]),
            [["advisory", "can't run policy 'production-safety' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .deletionProtection can't be known during preview"]],
        );
    });
});

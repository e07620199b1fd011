import * as assert from "node:assert/strict";
import { canonicalLaneNames } from "../../policies/canonical-lane-names";
import { controlService, domainMapping, migrateJob, mutate, runtimeService, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy canonical-lane-names", () => {
    it("passes every canonical lane in both environments", async () => {
        for (const env of ["staging", "prod"] as const) {
            for (const r of [controlService(env), runtimeService(env), migrateJob(env), domainMapping(env === "prod" ? "openagents-control-service" : "openagents-control-service-staging", env)]) {
                assert.deepEqual(messages(await runOn(canonicalLaneNames, r)), [], `${env} ${r.name}`);
            }
        }
    });

    it("rejects a prod name in a stack tagged staging, with the exact message", async () => {
        const result = await runOn(canonicalLaneNames, controlService("prod"), { stackTags: { environment: "staging" } });
        assert.deepEqual(messages(result), ["service 'openagents-control-service' is not a canonical staging lane (allowed: openagents-control-service-staging, runtime-staging)"]);
    });

    it("rejects a job named like a service lane", async () => {
        const r = mutate(migrateJob("prod"), (p) => (p.name = "runtime"));
        assert.deepEqual(messages(await runOn(canonicalLaneNames, r)), ["job 'runtime' has the name of a canonical service: a lane's kind is fixed"]);
    });

    it("rejects a domain mapping that routes to another service", async () => {
        assert.deepEqual(messages(await runOn(canonicalLaneNames, domainMapping("runtime"))), [
            "domain mapping 'openagents.com' routes to 'runtime', not the prod control service (openagents-control-service)",
        ]);
    });

    it("takes the environment and extra names from policy config", async () => {
        const r = mutate(runtimeService("prod"), (p) => (p.name = "runtime-canary"));
        assert.deepEqual(messages(await runOn(canonicalLaneNames, r, { config: { "canonical-lane-names": { additionalNames: ["runtime-canary"] } } })), []);
        const staging = await runOn(canonicalLaneNames, runtimeService("prod"), { config: { "canonical-lane-names": { environment: "staging" } } });
        assert.deepEqual(messages(staging), ["service 'runtime' is not a canonical staging lane (allowed: openagents-control-service-staging, runtime-staging)"]);
    });

    it("is not applicable to a service account", async () => {
        const result = await runOn(canonicalLaneNames, serviceAccount());
        assert.deepEqual(
            result.notApplicable.map((n) => n.reason),
            ["not a Cloud Run service, job, worker pool or domain mapping"],
        );
    });

    it("cannot run during preview when the name is unknown", async () => {
        const r = mutate(controlService("prod"), (p) => (p.name = UNKNOWN));
        const verdicts = (await runOn(canonicalLaneNames, r)).verdicts;
        assert.deepEqual(
            verdicts.map((v) => [v.level, v.message]),
            [["advisory", "can't run policy 'canonical-lane-names' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .name can't be known during preview"]],
        );
    });
});

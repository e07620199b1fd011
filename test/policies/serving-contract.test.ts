import * as assert from "node:assert/strict";
import { total } from "../../policies/lib/total";
import { servingContract } from "../../policies/serving-contract";
import { controlService, migrateJob, mutate, runtimeService, Json } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

const policy = total(servingContract);
const setEnv = (name: string, value: unknown) => (p: Json) => {
    const envs = p.template.containers[0].envs as Json[];
    const found = envs.find((e) => e.name === name);
    if (found) found.value = value;
    else envs.push({ name, value });
};

describe("policy serving-contract", () => {
    it("passes the control and runtime services of both environments", async () => {
        for (const r of [controlService("prod"), controlService("staging"), runtimeService("prod"), runtimeService("staging")]) {
            assert.deepEqual(messages(await runOn(policy, r)), [], r.name);
        }
    });

    it("rejects a service that deploys but cannot serve, with the exact messages", async () => {
        const r = mutate(controlService("prod"), (p) => {
            setEnv("OA_CONTROL_BIND_ADDR", "0.0.0.0:8787")(p);
            setEnv("OA_AUTH_PROVIDER_MODE", "mock")(p);
            setEnv("OA_MAINTENANCE_MODE_ENABLED", "true")(p);
            setEnv("OA_MAINTENANCE_ALLOWED_PATHS", "/healthz")(p);
            p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-staging-3f9c2ab-abc123", percent: 100 }];
        });
        assert.deepEqual(messages(await runOn(policy, r)), [
            `service 'openagents-control-service' routes traffic: revision "openagents-control-service-staging-3f9c2ab-abc123" belongs to service 'openagents-control-service-staging', not 'openagents-control-service'`,
            "service 'openagents-control-service' container 0: OA_CONTROL_BIND_ADDR listens on port 8787, the container port is 8080",
            "service 'openagents-control-service' container 0: maintenance mode answers 503 on /readyz, so the probes fail: allow them",
            "service 'openagents-control-service' container 0: production runs OA_AUTH_PROVIDER_MODE=workos, not mock (mock lets anyone in)",
        ]);
        const runtime = mutate(runtimeService("staging"), (p) => (p.template.containers[0].envs = (p.template.containers[0].envs as Json[]).filter((e) => e.name !== "RUNTIME_BIND_ADDR")));
        assert.deepEqual(messages(await runOn(policy, runtime)), ["service 'runtime-staging' container 0: RUNTIME_BIND_ADDR is not set, so the binary listens on loopback and never becomes ready"]);
    });

    it("rejects a split of one revision with itself", async () => {
        const rev = "openagents-control-service-3f9c2ab-abc123";
        const r = mutate(
            controlService("prod"),
            (p) =>
                (p.traffics = [
                    { revision: rev, percent: 75, tag: "stable" },
                    { revision: rev, percent: 25, tag: "canary" },
                ]),
        );
        assert.deepEqual(messages(await runOn(policy, r)), [
            `service 'openagents-control-service' routes traffic twice to one revision: the stable revision is this deploy's own revision, so a 25% canary splits ${rev} with itself`,
        ]);
    });

    it("is not applicable to a job", async () => {
        assert.deepEqual(
            (await runOn(policy, migrateJob())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service"],
        );
    });

    it("skips a bind address unknown during preview but still judges the rest", async () => {
        const unknownBind = mutate(controlService("prod"), setEnv("OA_CONTROL_BIND_ADDR", UNKNOWN));
        assert.deepEqual(messages(await runOn(policy, unknownBind)), []);
        const unknownEnvs = mutate(controlService("prod"), (p) => (p.template.containers[0].envs = UNKNOWN));
        assert.deepEqual(
            (await runOn(policy, unknownEnvs)).verdicts.map((v) => v.level),
            ["advisory"],
        );
        const withTraffic = mutate(unknownEnvs, (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "runtime-00001-abc", percent: 100 }]));
        assert.deepEqual(messages(await runOn(policy, withTraffic)), [
            `service 'openagents-control-service' routes traffic: revision "runtime-00001-abc" belongs to service 'runtime', not 'openagents-control-service'`,
        ]);
    });
});

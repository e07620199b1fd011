import * as assert from "node:assert/strict";
import { cloudRunLimits } from "../../policies/cloud-run-limits";
import { total } from "../../policies/lib/total";
import { compliantStack, domainMapping, migrateJob, mutate, runtimeService, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

const policy = total(cloudRunLimits);

describe("policy cloud-run-limits", () => {
    it("passes every resource of the compliant stacks and the domain mapping", async () => {
        for (const r of [...compliantStack("prod"), ...compliantStack("staging"), domainMapping("openagents-control-service")]) {
            assert.deepEqual(messages(await runOn(policy, r)), [], r.name);
        }
    });

    it("rejects what Cloud Run refuses, with the exact messages", async () => {
        const r = mutate(runtimeService(), (p) => {
            p.template.containers[0].resources.limits = { cpu: "4", memory: "1Gi" };
            p.template.containers[0].envs.push({ name: "PORT", value: "8080" });
            p.project = "NOT_A_PROJECT";
        });
        assert.deepEqual(messages(await runOn(policy, r)), [
            `service "runtime": project "NOT_A_PROJECT" is not a project id: a project id is 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen`,
            `service "runtime" container 0: CPU 4 with memory 1Gi is refused by Cloud Run: 4 vCPU takes 2Gi to 16Gi of memory, not 1Gi`,
            `service "runtime" container 0: env "PORT" is refused by Cloud Run: PORT is set by Cloud Run itself (container contract)`,
        ]);
        const job = mutate(migrateJob(), (p) => (p.runExecutionToken = "t".repeat(48)));
        assert.deepEqual(messages(await runOn(policy, job)), [`job "runtime-migrate": job name and execution token take 63 characters, Cloud Run allows 62`]);
    });

    it("is not applicable to a service account", async () => {
        assert.deepEqual(
            (await runOn(policy, serviceAccount())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service, job, worker pool or domain mapping"],
        );
    });

    it("judges what is known when a value is unknown during preview, and says it cannot run when nothing else was found", async () => {
        const unknownLimits = mutate(runtimeService(), (p) => (p.template.containers[0].resources = UNKNOWN));
        assert.deepEqual(
            (await runOn(policy, unknownLimits)).verdicts.map((v) => v.level),
            ["advisory"],
        );
        const both = mutate(unknownLimits, (p) => p.template.containers[0].envs.push({ name: "K_REVISION", value: "x" }));
        assert.deepEqual(messages(await runOn(policy, both)), [`service "runtime" container 0: env "K_REVISION" is refused by Cloud Run: K_REVISION is set by Cloud Run itself (container contract)`]);
    });
});

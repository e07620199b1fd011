import * as assert from "node:assert/strict";
import { noLegacyTargets } from "../../policies/legacy-targets";
import { controlService, domainMapping, iamMember, migrateJob, mutate, secretGrant, serviceAccount, UNKNOWN_IMAGE_PATH } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy no-legacy-targets", () => {
    it("passes the canonical control service, job, grants and domain mapping", async () => {
        for (const r of [controlService("prod"), migrateJob("staging"), iamMember("runtime", "serviceAccount:x@p.iam.gserviceaccount.com"), secretGrant("openagents-runtime-signing-key"), domainMapping("openagents-control-service")]) {
            assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [], r.name);
        }
    });

    it("rejects a control service named openagents-web, with the exact message", async () => {
        const r = mutate(controlService("prod"), (p) => (p.name = "openagents-web"));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [
            "service 'openagents-web' is a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
    });

    it("rejects traffic pinned to the old Laravel revision while the template shows the Rust image", async () => {
        const r = mutate(controlService("prod"), (p) => p.traffics.push({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-web-00097-jr6", percent: 100 }));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [
            "service 'openagents-control-service' routes traffic to a legacy revision: 'openagents-web-00097-jr6' carries the legacy name 'openagents-web'",
        ]);
    });

    it("extends the legacy names from policy config", async () => {
        const r = mutate(controlService("prod"), (p) => (p.name = "old-frontdoor"));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r, { config: { "no-legacy-targets": { additionalLegacyNames: ["Old_FrontDoor"] } } })), [
            "service 'old-frontdoor' is a legacy target: 'old-frontdoor' carries the legacy name 'Old_FrontDoor' (policy config)",
        ]);
    });

    it("is not applicable to a service account", async () => {
        const result = await runOn(noLegacyTargets, serviceAccount());
        assert.deepEqual(result.verdicts, []);
        assert.deepEqual(result.notApplicable.map((n) => [n.policy, n.reason]), [["no-legacy-targets", "not a Cloud Run workload, domain mapping or grant"]]);
    });

    it("cannot run during preview when the image is unknown, and says so as an advisory", async () => {
        const r = mutate(controlService("prod"), (p) => (p.template.containers[0].image = UNKNOWN));
        const [v, ...rest] = (await runOn(noLegacyTargets, r)).verdicts;
        assert.equal(rest.length, 0);
        assert.equal(v.level, "advisory");
        assert.equal(v.message, `can't run policy 'no-legacy-targets' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at ${UNKNOWN_IMAGE_PATH} can't be known during preview`);
    });

    it("still judges an env name whose literal value is unknown during preview", async () => {
        const r = mutate(controlService("prod"), (p) => p.template.containers[0].envs.push({ name: "APP_KEY", value: UNKNOWN }));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), ["service 'openagents-control-service' carries legacy env: env APP_KEY is Laravel residue"]);
    });
});

import * as assert from "node:assert/strict";
import { looksSecret } from "../../catalog";
import { secretsFromSecretManager } from "../../policies/secrets-from-secret-manager";
import { Json, controlService, migrateJob, mutate, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy secrets-from-secret-manager", () => {
    it("passes secret references and plain non-secret env", async () => {
        assert.deepEqual(messages(await runOn(secretsFromSecretManager, controlService())), []);
        assert.deepEqual(messages(await runOn(secretsFromSecretManager, migrateJob())), []);
    });

    it("names what looks secret", () => {
        assert.deepEqual(
            ["WORKOS_API_KEY", "oa_sync_token", "X_SECRET", "DB_PASSWORD_FILE", "DB_URL", "DATABASE_URL", "OA_CONTROL_BIND_ADDR", "OA_SYNC_TOKEN_TTL_SECONDS", "KEYRING"].map(looksSecret),
            [true, true, true, true, true, true, false, false, false],
        );
    });

    it("rejects a literal DATABASE_URL without echoing its value", async () => {
        const r = mutate(migrateJob(), (p) => p.template.template.containers[0].envs.push({ name: "DATABASE_URL", value: "postgres://u:hunter2@db/x" }));
        const found = messages(await runOn(secretsFromSecretManager, r));
        assert.deepEqual(found, ["job 'runtime-migrate' sets env DATABASE_URL to a literal value: read it from Secret Manager"]);
        assert.ok(!found.join("").includes("hunter2"));
    });

    it("allows configured exceptions", async () => {
        const r = mutate(controlService(), (p) => p.template.containers[0].envs.push({ name: "OA_PUBLIC_KEY", value: "pk_live" }));
        assert.equal(messages(await runOn(secretsFromSecretManager, r)).length, 1);
        assert.deepEqual(messages(await runOn(secretsFromSecretManager, r, { config: { "secrets-from-secret-manager": { allowedLiteralNames: ["oa_public_key"] } } })), []);
    });

    it("is not applicable to a service account", async () => {
        assert.deepEqual(
            (await runOn(secretsFromSecretManager, serviceAccount())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service, job or worker pool"],
        );
    });

    it("rejects a secret-looking literal even when its value is unknown during preview (a literal is not a reference)", async () => {
        const r = mutate(controlService(), (p) => p.template.containers[0].envs.push({ name: "WORKOS_API_KEY", value: UNKNOWN }));
        assert.deepEqual(
            (await runOn(secretsFromSecretManager, r)).verdicts.map((v) => [v.level, v.message]),
            [["mandatory", "service 'openagents-control-service' sets env WORKOS_API_KEY to a literal value: read it from Secret Manager"]],
        );
    });

    it("cannot run during preview when a secret reference is unknown, but that does not hide a literal elsewhere", async () => {
        const at = (controlService().props as Json).template.containers[0].envs.findIndex((e: Json) => e.name === "OA_SYNC_TOKEN_SIGNING_KEY");
        const unknownRef = mutate(controlService(), (p) => (p.template.containers[0].envs[at].valueSource = UNKNOWN));
        assert.deepEqual(
            (await runOn(secretsFromSecretManager, unknownRef)).verdicts.map((v) => [v.level, v.message]),
            [
                [
                    "advisory",
                    `can't run policy 'secrets-from-secret-manager' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .template.containers.0.envs.${at}.valueSource can't be known during preview`,
                ],
            ],
        );
        const both = mutate(unknownRef, (p) => p.template.containers[0].envs.push({ name: "DB_PASSWORD", value: "hunter2" }));
        assert.deepEqual(
            (await runOn(secretsFromSecretManager, both)).verdicts.map((v) => [v.level, v.message]),
            [["mandatory", "service 'openagents-control-service' sets env DB_PASSWORD to a literal value: read it from Secret Manager"]],
        );
    });
});

// The contract between the two halves of a deploy: what the program exports
// (`pulumi stack output --json`) is exactly what the gate reads back as its targets. Runs the
// real program for each stack and hands its outputs to the gate's option resolution.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { legacyNameReason, legacyUrlReason } from "../../catalog";
import { recordStack } from "../../review/plan";
import { resolveOptions } from "../../validation/options";

describe("stack outputs -> post-deploy gate", () => {
    for (const env of ["staging", "prod"] as const) {
        it(`${env}: the gate's targets, names, images and canary intent come from the program's outputs`, async () => {
            const plan = await recordStack(env, {
                overrides: { controlStableRevision: `${env === "prod" ? "openagents-control-service" : "openagents-control-service-staging"}-0a1b2c3-abcdef`, controlCanaryPercent: "25" },
            });
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outputs-contract-"));
            const file = path.join(dir, `${env}.json`);
            fs.writeFileSync(file, JSON.stringify(plan.outputs));
            try {
                const o = resolveOptions(["--outputs", `${env}=${file}`, "--environment", env], { env: { PATH: "/nonexistent" }, isTTY: false });
                const t = o[env];
                const out = plan.outputs as Record<string, string | number>;
                assert.equal(t.controlBaseUrl, out.controlBaseUrl);
                assert.equal(t.controlBaseUrlSource, "outputs");
                assert.equal(t.runtimeBaseUrl, out.runtimeServiceUrl);
                assert.deepEqual([o.controlService, o.runtimeService, o.migrateJob], [out.controlServiceName, out.runtimeServiceName, out.migrateJobName]);
                assert.equal(o.stateEnvironment, env);
                assert.equal(o.expectedControlImage, out.controlImage);
                assert.equal(o.expectedRuntimeImage, out.runtimeImage);
                assert.equal(o.controlRevision, out.controlRevision);
                assert.equal(o.controlStableRevision, out.controlStableRevision);
                assert.equal(o.intendedCanaryPercent, 25);
                // Nothing the program exports looks legacy to the gate.
                for (const url of [t.controlBaseUrl, t.runtimeBaseUrl, String(out.controlServiceUrl)]) assert.equal(legacyUrlReason(url), undefined, url);
                for (const name of [o.controlService, o.runtimeService, o.migrateJob]) assert.equal(legacyNameReason(name), undefined, name);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }
});

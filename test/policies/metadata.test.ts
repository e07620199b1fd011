import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PACK_NAME, POLICIES } from "../../policies/all";
import { reconcilePolicyConfig } from "../../policies/offline/config";

describe("policy pack metadata", () => {
    it("has the 11 mandatory and 3 advisory policies, uniquely named", () => {
        assert.deepEqual(
            POLICIES.map((p) => [p.name, p.enforcementLevel]),
            [
                ["no-legacy-targets", "mandatory"],
                ["canonical-lane-names", "mandatory"],
                ["approved-pinned-images", "mandatory"],
                ["health-probes", "mandatory"],
                ["runtime-image-lock", "mandatory"],
                ["identity-and-access", "mandatory"],
                ["secrets-from-secret-manager", "mandatory"],
                ["production-safety", "mandatory"],
                ["cloud-run-limits", "mandatory"],
                ["serving-contract", "mandatory"],
                ["service-needs", "mandatory"],
                ["resource-limits", "advisory"],
                ["lane-labels", "advisory"],
                ["canary-ladder", "advisory"],
            ],
        );
    });

    it("gives every policy a description, a severity and remediation steps, and a name the engine accepts", () => {
        for (const p of POLICIES) {
            assert.match(p.name, /^[a-z0-9-]+$/);
            assert.notEqual(p.name, "all");
            assert.ok(p.description.length > 20, p.name);
            assert.ok(["low", "medium", "high", "critical"].includes(p.severity), p.name);
            assert.ok(p.remediationSteps.length > 20, p.name);
            // The SDK's server exits when a schema declares enforcementLevel itself.
            assert.ok(!p.configSchema || !("enforcementLevel" in p.configSchema.properties), p.name);
        }
    });

    it("has schema defaults that validate (the engine validates the reconciled config)", () => {
        const config = reconcilePolicyConfig(POLICIES);
        assert.deepEqual(config["canary-ladder"].properties, { ladder: [0, 5, 25, 50, 100] });
        assert.deepEqual(config["production-safety"].properties, { minControlInstances: 1 });
    });

    it("ships PulumiPolicy.yaml, a versioned package.json and an index.ts that only assembles the pack", () => {
        const dir = path.join(__dirname, "../../policies");
        assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string; dependencies?: Record<string, string> };
        assert.match(pkg.version ?? "", /^\d+\.\d+\.\d+/);
        for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "ts-node"]) assert.ok(pkg.dependencies?.[dep], dep);
        const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\(PACK_NAME, \{ policies: \[\.\.\.POLICIES\]/);
        assert.match(PACK_NAME, /^[a-zA-Z0-9-_.]{1,100}$/);
    });
});

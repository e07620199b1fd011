import * as assert from "node:assert/strict";
import { POLICIES } from "../../policies/all";
import { PolicyConfigError, parsePolicyConfig, reconcilePolicyConfig, unknownPolicyNames } from "../../policies/offline/config";
import { controlService, mutate } from "./fixtures";
import { runPack } from "./harness";

describe("policy config, applied as the Pulumi CLI applies --policy-pack-config", () => {
    it("takes a bare level, an object with a level and properties, and 'all'", () => {
        const config = reconcilePolicyConfig(
            POLICIES,
            parsePolicyConfig(
                JSON.stringify({
                    all: "advisory",
                    "lane-labels": "mandatory",
                    "canary-ladder": { enforcementLevel: "disabled", ladder: [0, 100] },
                }),
            ),
        );
        assert.equal(config["no-legacy-targets"].enforcementLevel, "advisory");
        assert.equal(config["lane-labels"].enforcementLevel, "mandatory");
        assert.deepEqual(config["canary-ladder"], { enforcementLevel: "disabled", properties: { ladder: [0, 100] } });
    });

    it("replaces a default list rather than merging into it, and keeps other defaults", () => {
        const config = reconcilePolicyConfig(POLICIES, parsePolicyConfig('{"no-legacy-targets": {"additionalLegacyNames": ["old-web"]}}'));
        assert.deepEqual(config["no-legacy-targets"].properties, { additionalLegacyNames: ["old-web"], additionalLegacyImageRepositories: [] });
    });

    it("refuses invalid JSON, invalid levels and values that break a schema", () => {
        assert.throws(() => parsePolicyConfig("{"), PolicyConfigError);
        assert.throws(() => parsePolicyConfig('{"lane-labels": "strict"}'), /"strict" is not a valid enforcement level/);
        assert.throws(() => parsePolicyConfig('{"lane-labels": 3}'), /must be a string or object/);
        assert.throws(
            () => reconcilePolicyConfig(POLICIES, parsePolicyConfig('{"canary-ladder": {"ladder": [0, 120]}, "canonical-lane-names": {"environment": "production"}}')),
            (e: Error) =>
                e instanceof PolicyConfigError && /canary-ladder: ladder\.1: Must be less than or equal to 100/.test(e.message) && /canonical-lane-names: environment: must be one of/.test(e.message),
        );
    });

    it("refuses a config nested thousands of levels in one short line, without overflowing", () => {
        const deep = `{"canary-ladder": {"ladder": ${"[".repeat(5000)}${"]".repeat(5000)}}}`;
        assert.throws(
            () => parsePolicyConfig(deep),
            (e: Error) => e instanceof PolicyConfigError && /nested deeper than 32 levels/.test(e.message) && !e.message.includes("\n"),
        );
    });

    it("keeps an invalid config to one line, however many errors", () => {
        const given = parsePolicyConfig(JSON.stringify({ "canary-ladder": { ladder: Array.from({ length: 500 }, () => 999) } }));
        assert.throws(
            () => reconcilePolicyConfig(POLICIES, given),
            (e: Error) => !e.message.includes("\n") && e.message.length < 600 && /and \d+ more$/.test(e.message),
        );
    });

    it("lists names that are no policy of the pack (the CLI ignores them)", () => {
        assert.deepEqual(unknownPolicyNames(POLICIES, parsePolicyConfig('{"all": "mandatory", "no-legacy-target": "disabled"}')), ["no-legacy-target"]);
    });

    it("changes what a verdict does: a disabled policy reports nothing, an advisory one no longer blocks", async () => {
        const legacy = mutate(controlService(), (p) => (p.name = "openagents-web"));
        const disabled = await runPack([legacy], { config: { "no-legacy-targets": "disabled", "canonical-lane-names": "advisory" } });
        assert.deepEqual(
            disabled.verdicts.map((v) => [v.policy, v.level]),
            [["canonical-lane-names", "advisory"]],
        );
    });
});

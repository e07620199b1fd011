// Each rule the catalog shares between config validation and the policy pack, from both
// sides: the stack config refuses the value (the review's exit 2), the pack refuses the same
// resource built by hand (a stack written by anyone: exit 1), and a valid neighbour passes both.
import { strict as assert } from "node:assert";
import { POLICIES } from "../../policies/all";
import type { EngineResource } from "../../policies/offline/engine";
import { ConfigError, parseStackConfig } from "../../services";
import { readStackConfig } from "../../review/stack-files";
import { compliantStack } from "../policies/fixtures";
import { runOn, runOnStack } from "../policies/harness";
import { RULES, Stack } from "./corpus";

const NS = "openagents-rust-lanes:";

function configProblems(stack: Stack, changes: Record<string, string>): string | undefined {
    const { config } = readStackConfig(stack);
    const raw: Record<string, string> = { ...config };
    for (const [k, v] of Object.entries(changes)) raw[k.includes(":") ? k : NS + k] = v;
    try {
        parseStackConfig((key) => raw[NS + key], { project: raw["gcp:project"], region: raw["gcp:region"] });
        return undefined;
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.ok(!err.message.includes("\n") && err.message.length < 800, "one short line");
        return err.message;
    }
}

async function packVerdicts(policy: string, resource: EngineResource, stack: Stack): Promise<string[]> {
    const p = POLICIES.find((x) => x.name === policy);
    assert.ok(p, policy);
    // A stack policy judges the resource in its stack: the real one, with this resource in its place.
    const result =
        "validateStack" in p
            ? await runOnStack(
                  p,
                  compliantStack(stack).map((r) => (r.urn === resource.urn ? resource : r)),
              )
            : await runOn(p, resource);
    return result.verdicts.filter((v) => v.level === "mandatory").map((v) => v.message);
}

describe("rules shared by config validation and the policy pack", () => {
    for (const r of RULES) {
        describe(`${r.rule} (${r.source.split(" ")[0]})`, () => {
            it("config refuses it, naming the key", () => {
                const message = configProblems(r.stack, r.refused.config);
                assert.ok(message, "refused");
                assert.match(message, r.refused.configMessage);
            });
            it("the pack refuses the same resource built by hand", async () => {
                const verdicts = await packVerdicts(r.refused.policy, r.refused.resource(), r.stack);
                assert.ok(
                    verdicts.some((m) => r.refused.packMessage.test(m)),
                    verdicts.join("\n") || "no verdict",
                );
            });
            it("a valid value passes both", async () => {
                assert.equal(configProblems(r.stack, r.valid.config), undefined);
                assert.deepEqual(await packVerdicts(r.refused.policy, r.valid.resource(), r.stack), []);
            });
        });
    }
});

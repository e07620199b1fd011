// The stack-outputs contract has one owner (catalog/stack-outputs.ts): the program exports exactly
// its keys, and the gate reads them back with its parser.
import { strict as assert } from "node:assert";
import { STACK_OUTPUT_KEYS, readStackOutputs } from "../../catalog";
import { recordStack } from "../../review/plan";

describe("catalog: the stack-outputs contract", () => {
    it("the program exports exactly the contract's keys, each of the contract's type", async () => {
        const plan = await recordStack("staging");
        assert.deepEqual(Object.keys(plan.outputs).sort(), [...STACK_OUTPUT_KEYS].sort());
        const reading = readStackOutputs(JSON.stringify(plan.outputs));
        assert.equal(reading.problem, undefined);
        assert.deepEqual(reading.outputs, plan.outputs);
    });

    it("names the key and the expected type when an output breaks the contract", () => {
        assert.deepEqual(readStackOutputs('{"controlImage": 3}'), { problem: "output controlImage should be a string" });
        assert.deepEqual(readStackOutputs('{"controlCanaryPercent": "x"}'), { problem: "output controlCanaryPercent should be a number" });
        assert.deepEqual(readStackOutputs('{"controlCanaryPercent": "25"}'), { outputs: { controlCanaryPercent: 25 } });
        assert.deepEqual(readStackOutputs("[]"), { problem: "expected a JSON object of stack outputs" });
        assert.deepEqual(readStackOutputs("nope"), { problem: "not JSON (expected `pulumi stack output --json`)" });
        assert.deepEqual(readStackOutputs('{"unknownKey": 1, "region": null}'), { outputs: {} });
    });
});

// The corpus by class, both directions: each disguise is refused by the whole pack (a
// mandatory verdict) and each look-alike passes it (none), judged as a whole stack.
import { strict as assert } from "node:assert";
import { CLASSES } from "./class-corpus";
import { mandatory, runPack } from "./harness";

describe("the corpus by class of harm", () => {
    for (const c of CLASSES) {
        describe(c.name, () => {
            for (const [what, stack] of c.disguises) {
                it(`refuses ${what}`, async () => {
                    const verdicts = mandatory(await runPack(stack()));
                    assert.ok(verdicts.length > 0, "no mandatory verdict");
                });
            }
            for (const [what, stack] of c.lookalikes) {
                it(`passes ${what}`, async () => {
                    assert.deepEqual(mandatory(await runPack(stack())), []);
                });
            }
        });
    }
});

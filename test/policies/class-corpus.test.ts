// The corpus by class, both directions: each disguise is refused by the whole pack (a
// mandatory verdict) and each look-alike passes it (none), judged as a whole stack.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { RULES } from "../rules/corpus";
import { CLASSES } from "./class-corpus";
import { mandatory, runPack } from "./harness";

describe("the corpus by class of harm", () => {
    for (const c of CLASSES) {
        describe(c.name, () => {
            for (const [what, stack, policy] of c.disguises) {
                it(`refuses ${what} (${policy})`, async () => {
                    const verdicts = mandatory(await runPack(stack()));
                    assert.ok(
                        verdicts.some((v) => v.startsWith(`${policy}: `)),
                        verdicts.join("\n") || "no mandatory verdict",
                    );
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

describe("docs/reliability.md gives the corpus counts", () => {
    it("has one row per class with its disguises and look-alikes, and the totals", () => {
        const text = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "reliability.md"), "utf8");
        for (const c of CLASSES) assert.ok(text.includes(`| ${c.name} | ${c.disguises.length} | ${c.lookalikes.length} |`), c.name);
        const d = CLASSES.reduce((n, c) => n + c.disguises.length, 0);
        const l = CLASSES.reduce((n, c) => n + c.lookalikes.length, 0);
        assert.ok(text.includes(`| **all classes** | **${d}** | **${l}** |`), `totals ${d}/${l}`);
        assert.ok(text.includes(`${RULES.length} rules shared by config and pack`), `${RULES.length} shared rules`);
    });
});

// The README is the manual: it starts with the set-up commands and shows the checks as they run.
// (The config reference is docs/config.md, generated from the schema: test/docs.test.ts.)
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { documentedStepTables } from "../validation/checks/step-tables";

const root = path.resolve(__dirname, "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

describe("README", () => {
    it("starts with the two set-up commands: the offline review and the tests", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        assert.match(firstBlock, /^npm ci && npm run review\b/m);
        assert.match(firstBlock, /^npm test\b/m);
    });

    it("is a manual: under 200 lines, every doc it links exists", () => {
        assert.ok(readme.split("\n").length < 200, `README.md has ${readme.split("\n").length} lines`);
        for (const [, target] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) assert.ok(existsSync(path.join(root, target)), `${target} exists`);
    });

    it("docs/gate-checks.md lists each HTTP check's steps exactly as the check runs them", () => {
        const guide = readFileSync(path.join(root, "docs", "gate-checks.md"), "utf8");
        for (const [name, table] of Object.entries(documentedStepTables())) {
            const shown = new RegExp(`<!-- steps:${name} -->\\n([\\s\\S]*?)\\n<!-- /steps -->`).exec(guide)?.[1];
            assert.equal(shown, table, `docs/gate-checks.md table ${name}`);
        }
    });
});

// The README is the runbook: its config reference must not drift from Pulumi.yaml.
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { readmeStepTables } from "../validation/checks/step-tables";

const root = path.resolve(__dirname, "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const project = parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { config: Record<string, { type: string; default?: unknown }> };

describe("README", () => {
    it("starts with the two set-up commands: the offline review and the tests", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        assert.match(firstBlock, /^npm ci && npm run review\b/m);
        assert.match(firstBlock, /^npm test\b/m);
    });

    it("documents every config key of Pulumi.yaml with its type and default", () => {
        const section = readme.split("## Config reference")[1] ?? "";
        for (const [key, spec] of Object.entries(project.config)) {
            const row = section.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
            assert.ok(row, `config key ${key} is not in the README's config reference`);
            const cells = row.split(" | ").map((c) => c.trim());
            assert.equal(cells[1], spec.type, `${key}: type`);
            assert.equal(cells[2], spec.default === undefined ? "required" : `\`${JSON.stringify(spec.default)}\``, `${key}: default`);
        }
    });

    it("documents no config key that Pulumi.yaml does not have", () => {
        const section = (readme.split("## Config reference")[1] ?? "").split("\n## ")[0];
        const documented = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
        assert.deepEqual(documented.filter((k) => !(k in project.config)), []);
    });

    it("is a manual: under 200 lines, every doc it links exists", () => {
        assert.ok(readme.split("\n").length < 200, `README.md has ${readme.split("\n").length} lines`);
        for (const [, target] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) assert.ok(existsSync(path.join(root, target)), `${target} exists`);
    });

    it("docs/gate-checks.md lists each HTTP check's steps exactly as the check runs them", () => {
        const guide = readFileSync(path.join(root, "docs", "gate-checks.md"), "utf8");
        for (const [name, table] of Object.entries(readmeStepTables())) {
            const shown = new RegExp(`<!-- steps:${name} -->\\n([\\s\\S]*?)\\n<!-- /steps -->`).exec(guide)?.[1];
            assert.equal(shown, table, `docs/gate-checks.md table ${name}`);
        }
    });
});

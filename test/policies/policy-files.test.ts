// Each policy lives in the module named as it: policies/<name>.ts exports the policy `name`, and
// every other module of policies/ is the pack's plumbing, not a policy. grep for a policy's name
// finds its file.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { POLICIES } from "../../policies/all";

const POLICY_DIR = path.join(__dirname, "..", "..", "policies");
const load = createRequire(__filename);
/** The pack's own modules: the list, the pack, the generated reference. */
const PLUMBING = new Set(["all", "index", "reference"]);

interface Exported {
    name?: unknown;
    validateResource?: unknown;
    validateStack?: unknown;
}

/** The names of the policies a module exports (a policy: a name and a validateResource or validateStack). */
function policiesExportedBy(file: string): string[] {
    const mod: Record<string, Exported | undefined> = load(path.join(POLICY_DIR, file));
    const isPolicy = (v: Exported | undefined): v is Exported & { name: string } =>
        typeof v === "object" && v !== null && typeof v.name === "string" && (typeof v.validateResource === "function" || typeof v.validateStack === "function");
    return Object.values(mod)
        .filter(isPolicy)
        .map((v) => v.name);
}

describe("policy files are named as their policies", () => {
    it("each policy of the pack is exported by policies/<its name>.ts", () => {
        assert.ok(POLICIES.length > 0);
        for (const policy of POLICIES) {
            assert.ok(fs.existsSync(path.join(POLICY_DIR, `${policy.name}.ts`)), `policies/${policy.name}.ts is missing`);
            assert.deepEqual(policiesExportedBy(`${policy.name}.ts`), [policy.name], `policies/${policy.name}.ts exports exactly the policy ${policy.name}`);
        }
    });

    it("every other module of policies/ is plumbing, not a policy under another name", () => {
        const names = new Set(POLICIES.map((p) => p.name));
        for (const file of fs.readdirSync(POLICY_DIR).filter((f) => f.endsWith(".ts"))) {
            const base = file.slice(0, -3);
            if (names.has(base)) continue;
            assert.ok(PLUMBING.has(base), `policies/${file} is neither a policy named as its file nor the pack's plumbing`);
        }
    });
});

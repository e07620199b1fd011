// --policy-config per stack: by default each stack is judged with CI's file for it, and the
// output says which config judged each stack.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../review/cli";

async function review(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join(""), err: err.join("") };
}

function configs(out: string): Record<string, unknown> {
    const doc = JSON.parse(out) as { stacks: { stack: string; policy: { config: unknown; mandatory: number } }[] };
    return Object.fromEntries(doc.stacks.map((s) => [s.stack, [s.policy.config, s.policy.mandatory]]));
}

describe("review --policy-config per stack", () => {
    it("judges each stack with CI's .github/policy-config/<stack>.json by default, and says so", async () => {
        const r = await review("--json");
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(configs(r.out), { staging: [".github/policy-config/staging.json", 0], prod: [".github/policy-config/prod.json", 0] });
        const text = await review("--stack", "prod");
        assert.match(text.out, /^  judged with policy config: \.github\/policy-config\/prod\.json$/m);
    });

    it("takes STACK=FILE for one stack, leaving the other on its default", async () => {
        const r = await review("--json", "--policy-config", "prod=.github/policy-config/staging.json");
        assert.equal(r.code, 1, "prod judged as staging has mandatory violations");
        assert.deepEqual(configs(r.out), { staging: [".github/policy-config/staging.json", 0], prod: [".github/policy-config/staging.json", 6] });
    });

    it("takes one FILE for every stack, as before", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        const file = path.join(dir, "all.json");
        fs.writeFileSync(file, JSON.stringify({ "lane-labels": "disabled" }));
        try {
            const r = await review("--json", "--policy-config", file);
            assert.deepEqual(configs(r.out), { staging: [file, 0], prod: [file, 0] });
            fs.writeFileSync(file, JSON.stringify({ "canary-ladder": { ladder: [0, 120] } }));
            const bad = await review("--stack", "prod", "--policy-config", `prod=${file}`);
            assert.equal(bad.code, 2);
            assert.match(bad.err, /^review: stack prod: policy config is invalid: canary-ladder: ladder\.1: Must be less than or equal to 100\n$/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses two files for every stack, or two for one stack (exit 2)", async () => {
        assert.equal((await review("--policy-config", "a.json", "--policy-config", "b.json")).code, 2);
        const twice = await review("--policy-config", "prod=a.json", "--policy-config", "prod=b.json");
        assert.equal(twice.code, 2);
        assert.match(twice.err, /^review: --policy-config prod=b.json: prod has a policy config already/);
    });
});

// The review fuzzed as a hostile reviewer would: mutations of the real stack files and
// arbitrary --set what-ifs through the review's own path (run(), in process: the stack file
// reader, config validation, the program under mocks, the pack). It exits 0, 1 or 2, never 3,
// within a time bound, and a refusal is one short line. Every deploy-invalid value of the
// corpus exits 1 or 2.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import { run } from "../../review/cli";
import { PROJECT_DIR } from "../../review/stack-files";
import { RULES } from "../rules/corpus";
import { applyMutations, mutation, setOverride } from "./arbitraries";
import { Tally, params } from "./runs";

/** Longest one review may take on a mutated stack: a hang, not a slow run, is what this catches. */
const BOUND_MS = 10_000;
const STACKS = ["staging", "prod"] as const;
const ORIGINAL = Object.fromEntries(STACKS.map((s) => [s, fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${s}.yaml`), "utf8")]));

interface Outcome {
    code: number;
    stderr: string;
    ms: number;
}

async function review(argv: string[], stackDir?: string): Promise<Outcome> {
    const err: string[] = [];
    const started = Date.now();
    const code = await run(argv, { out: () => undefined, err: (t) => err.push(t), stackDir });
    return { code, stderr: err.join(""), ms: Date.now() - started };
}

function assertWellBehaved(o: Outcome, what: string): void {
    assert.ok([0, 1, 2].includes(o.code), `${what}: exit ${o.code}: ${o.stderr.slice(0, 2000)}`);
    assert.ok(o.ms < BOUND_MS, `${what}: took ${o.ms} ms`);
    if (o.code === 2) {
        const lines = o.stderr.split("\n").filter((l) => l !== "");
        // parseArgs errors come with the usage text after one line; config errors are the line alone.
        assert.ok(lines.length >= 1 && o.stderr.startsWith(lines[0]), what);
        assert.ok(Buffer.byteLength(lines[0]) <= 600, `${what}: a ${Buffer.byteLength(lines[0])}-byte line: ${lines[0].slice(0, 300)}`);
    } else {
        assert.equal(o.stderr, "", what);
    }
}

describe("fuzz: the review on mutated stack files and what-ifs", function () {
    this.timeout(0);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-review-"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exits 0, 1 or 2 on mutated stack files, in bounded time, refusing in one short line", async () => {
        const tally = new Tally();
        await fc.assert(
            fc.asyncProperty(fc.constantFrom(...STACKS), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (stack, mutations) => {
                for (const s of STACKS) fs.writeFileSync(path.join(dir, `Pulumi.${s}.yaml`), s === stack ? applyMutations(ORIGINAL[s], mutations) : ORIGINAL[s]);
                const o = await review(["--stack", stack], dir);
                tally.record(o.code === 3 ? "crash" : `exit ${o.code}`, o.ms, BOUND_MS);
                assertWellBehaved(o, JSON.stringify(mutations).slice(0, 300));
            }),
            params(100),
        );
        console.log(`      ${tally.summary("stack files")}`);
    });

    it("exits 0, 1 or 2 on arbitrary --set what-ifs", async () => {
        const tally = new Tally();
        await fc.assert(
            fc.asyncProperty(fc.constantFrom(...STACKS), fc.array(setOverride, { minLength: 1, maxLength: 3 }), async (stack, sets) => {
                const o = await review(["--stack", stack, ...sets.flatMap((s) => ["--set", s])]);
                tally.record(o.code === 3 ? "crash" : `exit ${o.code}`, o.ms, BOUND_MS);
                assertWellBehaved(o, JSON.stringify(sets).slice(0, 300));
            }),
            params(150),
        );
        console.log(`      ${tally.summary("--set what-ifs")}`);
    });

    it("refuses every deploy-invalid value of the corpus (exit 2)", async () => {
        for (const rule of RULES) {
            const sets = (values: Record<string, string>) => Object.entries(values).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
            const refused = await review(["--stack", rule.stack, ...sets(rule.refused.config)]);
            assertWellBehaved(refused, rule.rule);
            assert.equal(refused.code, 2, `${rule.rule} (${rule.source}): ${refused.stderr}`);
        }
    });
});

// docs/benchmarks.md is the one page with measured figures: a recorded section for every bench,
// recorded under the goals the bench sets now, and no other page states figures of its own.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { recordSection } from "../../bench/run";
import { docFiles } from "./shown-commands";

const ROOT = path.resolve(__dirname, "../..");
const doc = readFileSync(path.join(ROOT, "docs/benchmarks.md"), "utf8");
const benches = readdirSync(path.join(ROOT, "bench")).filter((f) => f.endsWith(".bench.ts"));

/** The goals a bench's source sets: "<= 1.5x" for a ratio, "<= 2" / ">= 80" for bounds. */
function goalsIn(source: string): string[] {
    return [
        ...[...source.matchAll(/goalRatio:\s*(\d+(?:\.\d+)?)/g)].map((m) => `<= ${m[1]}x`),
        ...[...source.matchAll(/\{\s*(atMost|atLeast):\s*(\d+(?:\.\d+)?),?\s*\}/g)].map((m) => `${m[1] === "atMost" ? "<=" : ">="} ${m[2]}`),
    ].sort();
}

describe("docs/benchmarks.md", () => {
    for (const file of benches) {
        const name = file.replace(/\.bench\.ts$/, "");
        it(`holds a recorded run of bench ${name}, under the goals ${file} sets now`, () => {
            const section = new RegExp(`<!-- bench:${name} -->\\n([\\s\\S]*?)<!-- /bench -->`).exec(doc)?.[1];
            assert.ok(section, `no section for ${name}: npm run bench -- ${name} --record`);
            assert.match(section, /^Recorded \d{4}-\d{2}-\d{2} with Node v\d+/m);
            const recorded = [...section.matchAll(/\(goal ((?:<=|>=) [\d.]+x?)/g)].map((m) => m[1]).sort();
            assert.deepEqual(recorded, goalsIn(readFileSync(path.join(ROOT, "bench", file), "utf8")), `${name}: recorded under other goals: npm run bench -- ${name} --record`);
        });
    }

    it("recordSection replaces a bench's section in place and adds a missing one", () => {
        const before = "# B\n\n## x\n\n<!-- bench:x -->\nold\n<!-- /bench -->\n\ntail\n";
        const once = recordSection(before, "x", "fig: 1 ms", new Date("2026-01-02T00:00:00Z"));
        assert.match(once, /<!-- bench:x -->\nRecorded 2026-01-02 with Node v\d+[^\n]*\n\n```text\nfig: 1 ms\n```\n<!-- \/bench -->\n\ntail\n$/);
        assert.doesNotMatch(once, /old/);
        assert.match(recordSection(once, "y", "other"), /## y\n\n<!-- bench:y -->[\s\S]*other/);
    });

    it("no other page states measured figures: each paragraph naming a bench points here", () => {
        const problems: string[] = [];
        for (const file of docFiles().filter((f) => f !== "docs/benchmarks.md")) {
            for (const paragraph of readFileSync(path.join(ROOT, file), "utf8").split(/\n\s*\n/)) {
                if (/Measured here/i.test(paragraph)) problems.push(`${file}: "Measured here"`);
                if (/npm run bench -- \w/.test(paragraph) && !/benchmarks\.md/.test(paragraph)) problems.push(`${file}: ${paragraph.slice(0, 80)}...`);
            }
        }
        assert.deepEqual(problems, []);
    });
});

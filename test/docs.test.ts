// The generated references under docs/ are current: `npm run docs` would write what is committed.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GENERATED, staleDocs } from "../scripts/docs";

describe("generated docs", () => {
    for (const { file, render } of GENERATED) {
        it(`${file} is what npm run docs writes`, () => {
            assert.equal(fs.readFileSync(path.join(__dirname, "..", file), "utf8"), render(), `${file} is stale: run npm run docs`);
        });
    }

    it("a stale or missing copy is reported", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "docs-"));
        try {
            const [first] = GENERATED;
            assert.deepEqual(
                staleDocs(root),
                GENERATED.map((g) => g.file),
                "missing",
            );
            fs.mkdirSync(path.dirname(path.join(root, first.file)), { recursive: true });
            fs.writeFileSync(path.join(root, first.file), `${first.render()}edited by hand\n`);
            assert.ok(staleDocs(root).includes(first.file), "edited");
            fs.writeFileSync(path.join(root, first.file), first.render());
            assert.ok(!staleDocs(root).includes(first.file), "current");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("docs/decisions.md", () => {
    const root = path.join(__dirname, "..");
    const rows = fs
        .readFileSync(path.join(root, "docs/decisions.md"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("| ") && !l.startsWith("| Question"));

    it("names, for every question, a file that exists and exports the names given", () => {
        assert.ok(rows.length >= 8, "the table has its rows");
        for (const row of rows) {
            const decidedIn = row.split(" | ").pop() ?? "";
            const file = /`([\w./-]+\.ts)`/.exec(decidedIn)?.[1];
            assert.ok(file, `${row}: no file`);
            const text = fs.readFileSync(path.join(root, file), "utf8");
            const names = [...(/\(([^)]*)\)/.exec(decidedIn)?.[1].matchAll(/`(\w+)`/g) ?? [])].map((m) => m[1]);
            assert.ok(names.length > 0, `${row}: no name`);
            for (const name of names) assert.match(text, new RegExp(`export (const|function|async function|interface|type|class) ${name}\\b`), `${file} exports ${name}`);
        }
    });
});

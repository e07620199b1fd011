// The import rules of the house, as one table: which floor may import which. Every .ts file's
// relative imports (static, re-exports, `import()` and `require`) are read with TypeScript's own
// pre-processor, resolved to files, and held to the table; the README's layout section and
// docs/decisions.md state the rules in the sentence rendered from the same table.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

export interface Floor {
    /** The top-level directory. */
    readonly dir: string;
    /** The floors its files may import (its own always); "every" for the review, which reads them all. */
    readonly imports: readonly string[] | "every";
    /** For a floor it imports, the only files of it it may import: the rest of that floor is not for it. */
    readonly only?: Readonly<Record<string, readonly string[]>>;
}

/** Lowest first. A floor not listed here (test/, bench/, scripts/, .github/, index.ts) may import any floor, but no floor imports it. */
export const FLOORS: readonly Floor[] = [
    { dir: "catalog", imports: [] },
    { dir: "io", imports: ["catalog"] },
    { dir: "services", imports: ["catalog"] },
    { dir: "policies", imports: ["catalog"] },
    { dir: "validation", imports: ["catalog", "io"] },
    {
        dir: "canary",
        imports: ["catalog", "io", "validation"],
        // The rollout runs the gate with its options; everything else it shares with the gate is io/.
        only: { validation: ["validation/gate.ts", "validation/options.ts", "validation/checks/index.ts", "validation/checks/contract-tests.ts"] },
    },
    { dir: "review", imports: "every" },
];

const code = (p: string) => `\`${p}\``;
const dirOf = (d: string) => code(`${d}/`);
function list(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The rules as the README and docs/decisions.md state them, rendered from FLOORS. */
export function importRulesSentence(floors: readonly Floor[] = FLOORS): string {
    const parts = floors.map((f) => {
        if (f.imports === "every") return `${dirOf(f.dir)} may import every floor`;
        if (f.imports.length === 0) return `${dirOf(f.dir)} imports nothing of the project`;
        const only = Object.entries(f.only ?? {})
            .map(([d, files]) => ` (of ${dirOf(d)} only ${list(files.map(code))})`)
            .join("");
        return `${dirOf(f.dir)} imports ${list(f.imports.map(dirOf))}${f.imports.length === 1 ? " only" : ""}${only}`;
    });
    return `Imports point down only and never in a circle: ${parts.join("; ")}.`;
}

export interface Edge {
    readonly from: string;
    readonly to: string;
}

function sourceFiles(root: string, dir = ""): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) {
            if (e.name === "node_modules" || e.name === ".git" || rel === "docs/reports") continue;
            out.push(...sourceFiles(root, rel));
        } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

function resolve(root: string, from: string, spec: string): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
    for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, `${base}.js`, `${base}/index.js`]) {
        const full = path.join(root, candidate);
        if (fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
    }
    return undefined;
}

/** Every relative import between the project's files; an import that resolves to nothing is listed in `unresolved`. */
export function importGraph(root: string): { edges: Edge[]; unresolved: string[] } {
    const edges: Edge[] = [];
    const unresolved: string[] = [];
    for (const file of sourceFiles(root)) {
        const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), "utf8"), true, true);
        for (const { fileName } of info.importedFiles) {
            if (!fileName.startsWith(".")) continue;
            const to = resolve(root, file, fileName);
            if (to === undefined) unresolved.push(`${file} -> ${fileName}`);
            else edges.push({ from: file, to });
        }
    }
    return { edges, unresolved };
}

/** The import circles: each strongly connected set of two or more files, sorted (Tarjan). */
export function circles(edges: readonly Edge[]): string[][] {
    const next = new Map<string, string[]>();
    for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, index.size);
        low.set(v, index.get(v)!);
        stack.push(v);
        onStack.add(v);
        for (const w of next.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        if (low.get(v) === index.get(v)) {
            const set: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                set.push(w);
            } while (w !== v);
            if (set.length > 1 || (next.get(v) ?? []).includes(v)) found.push(set.sort());
        }
    };
    for (const v of next.keys()) if (!index.has(v)) visit(v);
    return found;
}

/** The imports the table forbids, one line each. */
export function upwardImports(edges: readonly Edge[], floors: readonly Floor[] = FLOORS): string[] {
    const floorOf = (file: string) => floors.find((f) => file.startsWith(`${f.dir}/`));
    const problems: string[] = [];
    for (const { from, to } of edges) {
        const a = floorOf(from);
        const b = floorOf(to);
        if (a === undefined || a === b) continue;
        const target = b?.dir ?? to.split("/")[0];
        if (b === undefined) problems.push(`${from} -> ${to}: ${a.dir}/ imports ${target}, which is not a floor`);
        else if (a.imports !== "every" && !a.imports.includes(b.dir)) problems.push(`${from} -> ${to}: ${a.dir}/ may not import ${b.dir}/`);
        else if (a.imports !== "every" && a.only?.[b.dir] && !a.only[b.dir].includes(to)) problems.push(`${from} -> ${to}: ${a.dir}/ imports of ${b.dir}/ only ${a.only[b.dir].join(", ")}`);
    }
    return problems;
}

const flat = (text: string) => text.replace(/\s+/g, " ");

describe("architecture: the import rules", () => {
    const { edges, unresolved } = importGraph(ROOT);

    it("reads the project's imports", () => {
        assert.ok(
            edges.some((e) => e.from === "validation/gate.ts" && e.to.startsWith("io/")),
            "the gate's imports of io/ are seen",
        );
        assert.ok(
            edges.some((e) => e.from.startsWith("canary/") && e.to === "validation/gate.ts"),
            "the rollout's import of the gate is seen",
        );
        // A .js path that resolves to nothing is a browser module quoted in a stand-in's answer (the web shell's entry script).
        assert.deepEqual(
            unresolved.filter((u) => !u.endsWith(".js")),
            [],
            "every relative import of a .ts file resolves",
        );
    });

    it("has no import circle anywhere", () => {
        assert.deepEqual(circles(edges), []);
    });

    it("imports point down the floors of the table only", () => {
        assert.deepEqual(upwardImports(edges), []);
    });

    it("every top-level directory with code is a floor of the table or a tool over them", () => {
        const tools = new Set(["test", "bench", "scripts", ".github", "index.ts"]);
        const tops = new Set(sourceFiles(ROOT).map((f) => (f.includes("/") ? f.split("/")[0] : f)));
        const unknown = [...tops].filter((t) => !tools.has(t) && !FLOORS.some((f) => f.dir === t));
        assert.deepEqual(unknown, [], "a new top-level directory gets a row in FLOORS");
    });

    it("README's layout section and docs/decisions.md state the rules of the table", () => {
        const sentence = importRulesSentence();
        for (const doc of ["README.md", "docs/decisions.md"]) {
            assert.ok(flat(fs.readFileSync(path.join(ROOT, doc), "utf8")).includes(sentence), `${doc} states: ${sentence}`);
        }
    });

    describe("the checker itself", () => {
        it("finds a circle, a self-import and names each upward import", () => {
            const e = (from: string, to: string): Edge => ({ from, to });
            assert.deepEqual(circles([e("a.ts", "b.ts"), e("b.ts", "c.ts"), e("c.ts", "a.ts"), e("c.ts", "d.ts")]), [["a.ts", "b.ts", "c.ts"]]);
            assert.deepEqual(circles([e("a.ts", "a.ts")]), [["a.ts"]]);
            assert.deepEqual(circles([e("a.ts", "b.ts"), e("b.ts", "c.ts")]), []);
            assert.deepEqual(upwardImports([e("io/http.ts", "validation/check.ts")]), ["io/http.ts -> validation/check.ts: io/ may not import validation/"]);
            assert.deepEqual(upwardImports([e("policies/x.ts", "services/config.ts")]), ["policies/x.ts -> services/config.ts: policies/ may not import services/"]);
            assert.deepEqual(upwardImports([e("catalog/x.ts", "test/setup.ts")]), ["catalog/x.ts -> test/setup.ts: catalog/ imports test, which is not a floor"]);
            assert.equal(upwardImports([e("canary/x.ts", "validation/runner.ts")]).length, 1, "the canary reaches past the gate's entry points");
            assert.deepEqual(upwardImports([e("canary/x.ts", "validation/gate.ts"), e("review/x.ts", "canary/cli.ts"), e("test/x.ts", "io/http.ts")]), []);
        });

        it("reads every form of import: static, type-only, re-export, dynamic, require", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arch-"));
            try {
                fs.mkdirSync(path.join(dir, "io"));
                for (const n of ["a", "b", "c", "d", "e"]) fs.writeFileSync(path.join(dir, "io", `${n}.ts`), "export const x = 1;\n");
                fs.writeFileSync(
                    path.join(dir, "io", "all.ts"),
                    'import { x } from "./a";\nimport type { x as y } from "./b";\nexport * from "./c";\nvoid import("./d");\nrequire("./e");\nimport "node:fs";\n',
                );
                const got = importGraph(dir)
                    .edges.filter((e) => e.from === "io/all.ts")
                    .map((e) => e.to)
                    .sort();
                assert.deepEqual(got, ["io/a.ts", "io/b.ts", "io/c.ts", "io/d.ts", "io/e.ts"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});

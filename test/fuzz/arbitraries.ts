// Generators for the fuzz suite: mutations of the real stack files (values YAML reads in
// another meaning, broken lines, duplicate and renamed keys, file-shape changes) and of
// resources the pack judges (any JSON at any path, nulls in lists, absurd nesting).
import * as fc from "fast-check";
import { CONFIG_SCHEMA } from "../../services";

export const PROJECT = "openagents-rust-lanes";

/** Scalars that change meaning in YAML, or that Cloud Run, GCP or the program would refuse. */
const SPECIAL_VALUES = [
    "0123456",
    "2e71234",
    ".inf",
    "-.inf",
    ".nan",
    "1e400",
    "~",
    "null",
    "true",
    "no",
    "0x1f",
    "0o17",
    "1_000",
    "+1",
    "1.0",
    "-0",
    '""',
    "''",
    "[]",
    "{}",
    "[a, 1]",
    "{a: 1}",
    "*ref",
    "&ref x",
    "!!binary aGk=",
    "|\n    text",
    ">-",
    "- item",
    "latest",
    "openagents-web",
    "127.0.0.1:8080",
    "NOT_A_PROJECT",
    "K_SERVICE=x",
    "PORT=8080",
    `${"a".repeat(70)}.example.com`,
    "openagents-control-service-staging-3f9c2ab-abc123",
    "serviceAccount:gate@openagentsgemini.iam.gserviceaccount.com",
    "serviceAccount:157437760789-compute@developer.gserviceaccount.com",
    "mock",
    "4",
    "1Gi",
    "250m",
    "64Mi",
];

export const yamlValue: fc.Arbitrary<string> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
    { weight: 2, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.double().map(String) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)) },
    { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }).map((a) => JSON.stringify(a)) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => "x".repeat(n)) },
);

export type Mutation =
    | { kind: "value"; line: number; value: string }
    | { kind: "delete"; line: number }
    | { kind: "duplicate"; line: number }
    | { kind: "rename"; line: number; how: "bare" | "legacy" | "upper" | "typo" }
    | { kind: "insert"; line: number; text: string }
    | { kind: "file"; how: "crlf" | "cr" | "bom" | "utf16" | "list" | "Config" | "indent" | "tab" | "empty" };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant("value" as const), line: fc.nat(), value: yamlValue }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), line: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("rename" as const), line: fc.nat(), how: fc.constantFrom("bare" as const, "legacy" as const, "upper" as const, "typo" as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), line: fc.nat(), text: fc.string({ maxLength: 40 }) }) },
    {
        weight: 1,
        arbitrary: fc.record({
            kind: fc.constant("file" as const),
            how: fc.constantFrom("crlf" as const, "cr" as const, "bom" as const, "utf16" as const, "list" as const, "Config" as const, "indent" as const, "tab" as const, "empty" as const),
        }),
    },
);

const KEY_LINE = /^(  )([A-Za-z0-9_-]+:)?([A-Za-z0-9_-]+):( .*)?$/;

/** Applies mutations to a stack file's text; the result may not even be text (UTF-16). */
export function applyMutations(text: string, mutations: readonly Mutation[]): Buffer {
    let lines = text.split("\n");
    let file = (s: string): Buffer => Buffer.from(s, "utf8");
    for (const m of mutations) {
        const keyLines = lines.map((l, i) => (KEY_LINE.test(l) ? i : -1)).filter((i) => i >= 0);
        const pick = (n: number) => (keyLines.length > 0 ? keyLines[n % keyLines.length] : 0);
        if (lines.length === 0 && m.kind !== "insert" && m.kind !== "file") continue;
        switch (m.kind) {
            case "value": {
                const i = pick(m.line);
                lines[i] = lines[i].replace(/^(\s*[^\s].*?:)( .*)?$/, `$1 ${m.value}`);
                break;
            }
            case "delete":
                lines.splice(pick(m.line), 1);
                break;
            case "duplicate": {
                const i = pick(m.line);
                lines.splice(i, 0, lines[i]);
                break;
            }
            case "rename": {
                const i = pick(m.line);
                const match = KEY_LINE.exec(lines[i]);
                if (!match) break;
                const [, indent, ns, key, rest] = match;
                const renamed = { bare: key, legacy: `${ns ?? `${PROJECT}:`}config:${key}`, upper: `${ns ?? ""}${key.toUpperCase()}`, typo: `${ns ?? ""}${key}x` }[m.how];
                lines[i] = `${indent}${renamed}:${rest ?? ""}`;
                break;
            }
            case "insert":
                lines.splice(m.line % (lines.length + 1), 0, m.text);
                break;
            case "file":
                switch (m.how) {
                    case "crlf":
                        lines = lines.map((l) => `${l}\r`);
                        break;
                    case "cr":
                        return file(lines.join("\r"));
                    case "bom":
                        file = (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, "utf8")]);
                        break;
                    case "utf16":
                        file = (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
                        break;
                    case "list":
                        lines = lines.map((l) => (l === "config:" ? "- config:" : l));
                        break;
                    case "Config":
                        lines = lines.map((l) => (l === "config:" ? "Config:" : l));
                        break;
                    case "indent":
                        lines = lines.map((l) => l.replace(/^  /, "    "));
                        break;
                    case "tab":
                        lines = lines.map((l) => l.replace(/^  /, "\t"));
                        break;
                    case "empty":
                        lines = [];
                        break;
                }
        }
    }
    return file(lines.join("\n"));
}

/** A `--set KEY=VALUE` what-if: any schema key (or gcp:project/region), any value. */
export const setOverride: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(...Object.keys(CONFIG_SCHEMA), "gcp:project", "gcp:region"), yamlValue).map(([key, value]) => `${key}=${value}`);

/** Any JSON value, with some very deep nesting and nulls among them. */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(fc.constant(null), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.record({ toString: fc.jsonValue({ maxDepth: 1 }), valueOf: fc.jsonValue({ maxDepth: 1 }) }) },
    {
        weight: 1,
        arbitrary: fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([depth, arrays]) => {
            let v: unknown = "leaf";
            for (let i = 0; i < depth; i++) v = arrays ? [v] : { x: v };
            return v;
        }),
    },
);

/** Every path into a JSON value (objects and arrays), down to a depth. */
export function pathsOf(value: unknown, depth = 8): (string | number)[][] {
    const out: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
        if (at.length >= depth || !v || typeof v !== "object") return;
        for (const [k, child] of Object.entries(v)) {
            const key = Array.isArray(v) ? Number(k) : k;
            out.push([...at, key]);
            walk(child, [...at, key]);
        }
    };
    walk(value, []);
    return out;
}

export function getAt(root: unknown, at: (string | number)[]): unknown {
    let v: unknown = root;
    for (const k of at) v = (v as Record<string | number, unknown>)[k];
    return v;
}

/** Sets the value at a path (creating nothing: the path exists). */
export function setAt(root: Record<string, unknown>, at: (string | number)[], value: unknown): void {
    let v: unknown = root;
    for (const k of at.slice(0, -1)) v = (v as Record<string | number, unknown>)[k];
    (v as Record<string | number, unknown>)[at[at.length - 1]] = value;
}

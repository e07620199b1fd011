// Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does for a program: the
// stack's values, namespaced by project, with the project schema's defaults filled in, every
// value handed over as a string (lists and objects as JSON).
//
// Every scalar is read as its text and then as the CLI reads it (review/cli-scalar.ts: yaml.v3's
// resolver, then the JSON text of a number or boolean), so the review judges the very string
// the program gets at deploy, and typed keys are checked as the CLI checks them. A string key
// whose plain value the CLI would change (0123456 is octal there: 42798) is refused ("quote
// it"), as are merge keys and a key given twice (also as bare and namespaced forms). File-shape problems (UTF-16, CR-only line endings, a list at
// the top, `Config:`) are named in one line. Every check is one pass: linear in the file.

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Document, isMap, isScalar, isSeq, Node, parseDocument, Scalar, YAMLMap } from "yaml";
import { quoted } from "../catalog";
import { CliScalar, cliPlainScalar, goAtoi } from "./cli-scalar";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface ProjectFile {
    name: string;
    config: Record<string, { type?: string; description?: string; default?: unknown; items?: unknown }>;
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Top-level keys of a stack file (Pulumi's ProjectStack); anything else is a typo such as `Config:`. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/** Decodes a file as the CLI needs it: UTF-8 (a BOM is dropped), with LF or CRLF line ends. */
export function decodeYamlFile(name: string, bytes: Buffer): string {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new StackFileError(`${name} is UTF-16: save it as UTF-8`);
    if (bytes.includes(0)) throw new StackFileError(`${name} contains NUL bytes (UTF-16 or binary): save it as UTF-8 text`);
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        throw new StackFileError(`${name} is not valid UTF-8: save it as UTF-8`);
    }
    if (text.startsWith("\uFEFF")) text = text.slice(1);
    if (text.includes("\r") && !text.includes("\n")) throw new StackFileError(`${name} has CR-only line endings: save it with LF (or CRLF) line endings`);
    return text;
}

function lineOf(text: string, offset: number): number {
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line += 1;
    return line;
}

/** Parses one YAML document without the quadratic duplicate-key check (see checkKeys) and without merge keys. */
export function parseYamlText(name: string, text: string, asText = false): Document.Parsed {
    // asText: every scalar as its text (the failsafe schema), for the CLI's own resolver to read.
    const doc = parseDocument(text, { uniqueKeys: false, merge: false, prettyErrors: false, ...(asText ? { schema: "failsafe" } : {}) });
    const err = doc.errors[0];
    if (err) throw new StackFileError(`${name} is not valid YAML (line ${lineOf(text, err.pos[0])}): ${quoted(err.message.split("\n")[0], 120)}`);
    return doc;
}

function scalarText(text: string, node: Node): string {
    const range = node.range;
    return range ? text.slice(range[0], Math.min(range[1], range[0] + 200)) : "";
}

/** Refuses merge keys and any key twice in one mapping, in one pass per mapping. */
function checkKeys(name: string, text: string, map: YAMLMap, where: string): void {
    const seen = new Set<string>();
    for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        // Only on a refusal: counting lines for every key would make the check quadratic.
        const at = () => (pair.key && (pair.key as Node).range ? ` (line ${lineOf(text, (pair.key as Node).range![0])})` : "");
        if (key === undefined) throw new StackFileError(`${name}: ${where} has a key that is not a plain name${at()}`);
        if (key === "<<") throw new StackFileError(`${name}: ${where} uses a YAML merge key (<<)${at()}, which the Pulumi CLI does not read: write the keys out`);
        if (seen.has(key)) throw new StackFileError(`${name}: ${where} sets ${quoted(key)} twice${at()}: keep one`);
        seen.add(key);
    }
}

function readYamlFile(file: string): { text: string; doc: Document.Parsed } {
    const name = path.basename(file);
    if (!existsSync(file)) throw new StackFileError(`${name} not found in ${path.dirname(file)}`);
    const text = decodeYamlFile(name, readFileSync(file));
    return { text, doc: parseYamlText(name, text) };
}

function shapeOf(node: unknown): string {
    if (isSeq(node)) return "a list";
    if (isScalar(node)) return node.value === null || node.value === "" ? "empty" : "a single value";
    return "not a mapping";
}

export function readProjectFile(dir = PROJECT_DIR): ProjectFile {
    const { doc } = readYamlFile(path.join(dir, "Pulumi.yaml"));
    const js = doc.toJS() as Partial<ProjectFile> | null;
    if (!js || typeof js !== "object" || typeof js.name !== "string") throw new StackFileError("Pulumi.yaml has no project name");
    return { name: js.name, config: js.config ?? {} };
}

/** The stacks that have a Pulumi.<stack>.yaml next to Pulumi.yaml. */
export function stackNames(dir = PROJECT_DIR): string[] {
    return ["staging", "prod"].filter((s) => existsSync(path.join(dir, `Pulumi.${s}.yaml`)));
}

/**
 * Fully qualified key, as the Pulumi CLI parses one (config.ParseKey): "controlCpu" ->
 * "<project>:controlCpu"; "gcp:region" stays; the old "<namespace>:config:<name>" form is
 * "<namespace>:<name>". Anything else is not a config key.
 */
export function qualifyKey(project: string, key: string): string {
    const parts = key.split(":");
    if (parts.length === 1) return `${project}:${key}`;
    if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return key;
    if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") return `${parts[0]}:${parts[2]}`;
    throw new StackFileError(`config key ${quoted(key)} is not <namespace>:<name> (or <name> in the project's namespace)`);
}

/** A CLI reading for a message: "the integer 25", "a timestamp". */
function cliReading(c: CliScalar): string {
    switch (c.kind) {
        case "int":
            return `the integer ${c.text}`;
        case "float":
            return `the number ${c.text}`;
        case "bool":
            return `the boolean ${c.text}`;
        case "null":
            return "null (no value)";
        case "timestamp":
            return "a timestamp";
        case "non-finite":
            return "a non-finite number, which it cannot pass on";
        case "merge":
            return "a merge key";
        case "string":
            return "a string";
    }
}

/** A scalar as the CLI reads it: quoted and block scalars are strings, plain ones go through yaml.v3's resolver. */
function cliScalar(scalar: Scalar): CliScalar {
    const text = String(scalar.value);
    return scalar.type === Scalar.PLAIN || scalar.type === undefined ? cliPlainScalar(text) : { kind: "string", text };
}

const TYPE_NAME: Record<string, string> = { integer: "an integer", boolean: "true or false", string: "a string", array: "a list" };

/**
 * One stack value as the string the program receives, checked the way the CLI checks a typed
 * key (config.go:119-160, project.go:771-830@1b5949891b). A string key whose plain value the
 * CLI would turn into another text (0123456 -> 42798) is refused too: the program cannot see it.
 */
function configValue(file: string, text: string, key: string, node: unknown, type: string | undefined): string {
    const subject = `${file}: ${key}`;
    if (isScalar(node)) {
        const source = scalarText(text, node);
        const cli = cliScalar(node);
        if (type === "array") throw new StackFileError(`${subject} is a list (YAML items), not ${quoted(source)}`);
        if (cli.kind === "null" || cli.kind === "timestamp" || cli.kind === "non-finite" || cli.kind === "merge") {
            throw new StackFileError(
                `${subject} is ${TYPE_NAME[type ?? "string"]}, but the Pulumi CLI reads ${quoted(source)} as ${cliReading(cli)}${type === "string" || type === undefined ? ": quote it" : ""}`,
            );
        }
        if (type === "integer" && !goAtoi(cli.text)) {
            throw new StackFileError(`${subject} is an integer, not ${quoted(source)} (the Pulumi CLI reads ${cliReading(cli)} and refuses it)`);
        }
        if (type === "boolean" && cli.text !== "true" && cli.text !== "false") {
            throw new StackFileError(`${subject} is true or false, not ${quoted(source)}`);
        }
        if ((type === "string" || type === undefined) && cli.kind !== "string" && cli.text !== String(node.value)) {
            throw new StackFileError(`${subject} is a string, but the Pulumi CLI reads ${quoted(source)} as ${cliReading(cli)} and hands the program ${quoted(cli.text)}: quote it`);
        }
        return cli.text;
    }
    if (isSeq(node)) {
        if (type !== undefined && type !== "array") throw new StackFileError(`${subject} is ${type === "string" ? "a string" : `${type === "integer" ? "an" : "a"} ${type}`}, not a list`);
        const items = node.items.map((item, i) => {
            if (isScalar(item)) {
                const cli = cliScalar(item);
                if (cli.kind === "string") return cli.text;
                // The CLI hands the program a JSON list whose item is no string; the items type (string) refuses it.
                if (type === "array") throw new StackFileError(`${subject} item ${i + 1} is a string, but the Pulumi CLI reads ${quoted(scalarText(text, item))} as ${cliReading(cli)}: quote it`);
                return cli.text;
            }
            if (type === "array") throw new StackFileError(`${subject} item ${i + 1} is a string, not a nested value`);
            return (item as Node | null)?.toJSON?.() as unknown;
        });
        return JSON.stringify(items);
    }
    if (isMap(node)) {
        if (type !== undefined) throw new StackFileError(`${subject} is ${type === "array" ? "a list" : `a single ${type}`}, not a mapping`);
        checkKeys(file, text, node, key);
        return JSON.stringify(node.toJSON());
    }
    throw new StackFileError(`${subject} has a value that is not plain YAML data (an alias or tag?)`);
}

/** The stack file's own values, fully qualified, each the string the program receives. */
export function parseStackFile(file: string, text: string, project: ProjectFile): Record<string, string> {
    const doc = parseYamlText(file, text, true);
    const top = doc.contents;
    if (top === null || (isScalar(top) && (top.value === null || top.value === ""))) throw new StackFileError(`${file} is empty: it needs a config: block`);
    if (!isMap(top)) throw new StackFileError(`${file} must be a mapping with a config: block at the top, not ${shapeOf(top)}`);
    checkKeys(file, text, top, "the top level");
    for (const pair of top.items) {
        const key = String((pair.key as Scalar).value);
        if (!STACK_FILE_KEYS.includes(key)) {
            const hint = STACK_FILE_KEYS.find((k) => k === key.toLowerCase());
            throw new StackFileError(`${file}: unknown top-level key ${quoted(key)}${hint ? ` (did you mean ${hint}:?)` : ""}; a stack file holds ${STACK_FILE_KEYS.join(", ")}`);
        }
    }
    const configNode = top.get("config", true) as unknown;
    if (configNode === undefined || (isScalar(configNode) && (configNode.value === null || configNode.value === ""))) throw new StackFileError(`${file} has no config: block`);
    if (!isMap(configNode)) throw new StackFileError(`${file}: config: must be a mapping of key: value, not ${shapeOf(configNode)}`);
    checkKeys(file, text, configNode, "config:");
    const config: Record<string, string> = {};
    const given = new Map<string, string>();
    for (const pair of configNode.items) {
        const raw = String((pair.key as Scalar).value);
        const full = qualifyKey(project.name, raw);
        const earlier = given.get(full);
        if (earlier !== undefined) throw new StackFileError(`${file}: config sets ${full} twice (as ${quoted(earlier)} and ${quoted(raw)}): keep one`);
        given.set(full, raw);
        const value = pair.value;
        if (value === null || value === undefined || (isScalar(value) && (value.value === null || value.value === "") && value.type === Scalar.PLAIN && !/\S/.test(scalarText(text, value)))) continue;
        const [namespace, name] = full.split(":");
        // An undeclared key of the project is the program's to refuse (with the key it is closest to).
        if (namespace === project.name && !(name in project.config)) {
            config[full] = isScalar(value) ? cliScalar(value).text : JSON.stringify((value as Node).toJSON());
            continue;
        }
        // Pulumi.yaml types only the project's keys: another namespace's value goes over as the CLI
        // hands it, a scalar's text or a structure's JSON (the gcp provider takes maps and lists).
        const type = namespace === project.name ? project.config[name]?.type : undefined;
        config[full] = configValue(file, text, full, value, type);
    }
    return config;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The config a program sees for a stack: stack values, then project defaults for unset
 * project keys, then the overrides (what-ifs from `npm run review -- --set`).
 */
export function readStackConfig(stack: string, overrides: Record<string, string> = {}, dir = PROJECT_DIR): { project: string; config: Record<string, string> } {
    const project = readProjectFile(dir);
    const file = `Pulumi.${stack}.yaml`;
    const full = path.join(dir, file);
    if (!existsSync(full)) throw new StackFileError(`${file} not found in ${dir}`);
    const config = parseStackFile(file, decodeYamlFile(file, readFileSync(full)), project);
    for (const [key, spec] of Object.entries(project.config)) {
        const qualified = qualifyKey(project.name, key);
        if (!(qualified in config) && spec && spec.default !== undefined) config[qualified] = asConfigString(spec.default);
    }
    for (const [key, value] of Object.entries(overrides)) config[qualifyKey(project.name, key)] = value;
    return { project: project.name, config };
}

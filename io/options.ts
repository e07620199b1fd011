// The option model every CLI shares: a table of rows (flag, env vars, parser, default, help,
// secret), keyed by the field name of the typed options it gives. From one table come the argv
// reader, the resolution (given values > env vars > stack outputs > defaults), --help with each
// default printed from its value, and the secret env vars. Resolution takes values, never argv:
// a typed caller (the rollout calling the gate or the analysis) hands values straight in.

import { parseArgs as parseArgv } from "node:util";
import { type Parser, formatDuration, parseDuration } from "./option-values";
import { UsageError } from "./usage-error";

export interface OptionRow<T = unknown> {
    /** The flag without its dashes; absent for an env-only option (secrets stay out of flags, so they never show in a process list). */
    readonly flag?: string;
    /** A one-letter alias of the flag (`-h`). */
    readonly short?: string;
    /** The env vars read for it, in the order they are tried. */
    readonly env?: readonly string[];
    /** The form of the value ("DURATION"); absent for a switch (a flag without a value: true when given). */
    readonly value?: string;
    /** The flag may be given more than once: its value is the list. */
    readonly repeat?: boolean;
    /** Reads one text (a flag's or an env var's) naming what gave it; absent for a switch or a row read only by the CLI. */
    readonly parse?: Parser<T>;
    /** The default when nothing else gives a value; help prints it from this value. */
    readonly default?: T;
    /** How help prints the default, when the value alone would not say it (or there is none). */
    readonly defaultText?: string;
    readonly help: string;
    /** Holds a credential: env-only, redacted, never passed on to a child process. */
    readonly secret?: boolean;
}

/** A row with a default: its field is never undefined. */
export type DefaultedRow<T> = OptionRow<T> & { readonly default: T };
/** A repeatable row: its field is the list of values given. */
export type RepeatedRow<T> = OptionRow<T> & { readonly repeat: true };

/** One row, typed by its value; the overloads keep whether it has a default or repeats, which the typed options read. */
export function option<T>(row: OptionRow<T> & { readonly repeat: true }): RepeatedRow<T>;
export function option<T>(row: OptionRow<T> & { readonly default: T }): DefaultedRow<T>;
export function option<T>(row: OptionRow<T>): OptionRow<T>;
export function option<T>(row: OptionRow<T>): OptionRow<T> {
    return row;
}

// The table's value type is deliberately loose (`any`): each row keeps its own type for the derivations below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptionTable = Readonly<Record<string, OptionRow<any>>>;

type ValueOf<R> = R extends OptionRow<infer T> ? T : never;

/** What one row gives after resolution: the list for a repeat, the value for a defaulted row, else the value or undefined. */
export type OptionValue<R> = R extends { readonly repeat: true } ? Array<ValueOf<R>> : R extends { readonly default: infer D } ? D : ValueOf<R> | undefined;

/** The rows that always give a value: a default, or a repeat (the empty list). */
type AlwaysKeys<Table extends OptionTable> = { [K in keyof Table]: Table[K] extends { readonly repeat: true } | { readonly default: unknown } ? K : never }[keyof Table];

/** The typed options of a table: each key the field name, each type its row's; a field without a default is optional. */
export type OptionValues<Table extends OptionTable> = { -readonly [K in AlwaysKeys<Table>]: OptionValue<Table[K]> } & {
    -readonly [K in Exclude<keyof Table, AlwaysKeys<Table>>]?: ValueOf<Table[K]>;
};

/** Values a caller gives (argv read, or a typed caller's own): they beat env vars, outputs and defaults. */
export type GivenValues<Table extends OptionTable> = { -readonly [K in keyof Table]?: Table[K] extends { readonly repeat: true } ? Array<ValueOf<Table[K]>> : ValueOf<Table[K]> };

/** The env vars that hold the table's secrets: read from the environment only, redacted, never passed on. */
export function secretEnvVars(table: OptionTable): string[] {
    return Object.values(table)
        .filter((o) => o.secret)
        .flatMap((o) => o.env ?? []);
}

/** The default as help and the docs print it, from its value; undefined when there is none. */
export function defaultText(o: OptionRow): string | undefined {
    if (o.defaultText !== undefined) return o.defaultText;
    if (o.default === undefined) return undefined;
    if (o.parse === parseDuration && typeof o.default === "number") return formatDuration(o.default);
    if (typeof o.default === "boolean") return o.default ? "1" : "0";
    if (Array.isArray(o.default)) return o.default.join(",");
    return typeof o.default === "string" || typeof o.default === "number" ? String(o.default) : undefined;
}

/** An option's help, its default and whether it is a secret, as every CLI's --help prints it. */
export function describeOption(o: OptionRow): string {
    const d = defaultText(o);
    return `${o.help}${d !== undefined ? ` (default ${d})` : ""}${o.secret ? " (secret)" : ""}`;
}

/** The flag's left column in help: `--flag VALUE`. */
export function flagUsage(o: OptionRow): string {
    return `--${o.flag}${o.value ? ` ${o.value}` : ""}`;
}

/** The texts argv gave each flag, by field name, in the order given (a switch's list is ["1"]). */
export type ArgvTexts<Table extends OptionTable> = Partial<Record<keyof Table & string, string[]>>;

/**
 * Reads argv with node:util's tokens and the table's flags (every mistake a one-line UsageError:
 * an unknown flag, a value missing or given to a switch, a flag given twice that does not repeat,
 * a positional). A flag right after a flag is a missing value, not a value (--only=--x means one).
 */
export function readArgv<Table extends OptionTable>(table: Table, argv: readonly string[]): ArgvTexts<Table> {
    const rows = (Object.entries(table) as Array<[keyof Table & string, OptionRow]>).filter(([, o]) => o.flag !== undefined);
    const config = Object.fromEntries(rows.map(([, o]) => [o.flag!, { type: o.value ? ("string" as const) : ("boolean" as const), multiple: true, ...(o.short ? { short: o.short } : {}) }]));
    const { tokens } = parseArgv({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
    const texts: ArgvTexts<Table> = {};
    for (const token of tokens) {
        if (token.kind === "option-terminator") throw new UsageError("unknown option -- (see --help)");
        const row = token.kind === "option" ? rows.find(([, o]) => o.flag === token.name && (token.rawName.startsWith("--") || o.short !== undefined)) : undefined;
        if (token.kind === "positional" || (!token.rawName.startsWith("--") && !row)) throw new UsageError(`unexpected argument '${argv[token.index]}' (see --help)`);
        if (!row) throw new UsageError(`unknown option --${token.name} (see --help)`);
        const [key, o] = row;
        if (!o.value) {
            if (token.value !== undefined) throw new UsageError(`--${token.name} takes no value`);
            texts[key] = ["1"];
            continue;
        }
        if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) throw new UsageError(`--${token.name} needs a value ${o.value}`);
        const list = texts[key] ?? [];
        if (list.length > 0 && !o.repeat) throw new UsageError(`--${token.name} given twice`);
        list.push(token.value);
        texts[key] = list;
    }
    return texts;
}

/** The given values of argv's texts: each parsed by its row naming its flag; a switch is true. Rows without a parser keep their text. */
export function givenFromArgv<Table extends OptionTable>(table: Table, texts: ArgvTexts<Table>): GivenValues<Table> {
    const given: Record<string, unknown> = {};
    for (const [key, list] of Object.entries(texts) as Array<[string, string[]]>) {
        const o: OptionRow = table[key];
        if (!o.value) given[key] = true;
        else if (o.repeat) given[key] = list.map((t) => (o.parse ? o.parse(t, `--${o.flag}`) : t));
        else given[key] = o.parse ? o.parse(list[0], `--${o.flag}`) : list[0];
    }
    return given as GivenValues<Table>;
}

/** Where resolution reads from, highest first: the values given, the env vars, the stack outputs; then the defaults. */
export interface OptionSources<Table extends OptionTable> {
    given?: GivenValues<Table>;
    env?: NodeJS.ProcessEnv;
    outputs?: GivenValues<Table>;
}

/** The first env var of a row that is set (an empty one counts as unset), with its name. */
export function envText(o: OptionRow, env: NodeJS.ProcessEnv, names: readonly string[] = o.env ?? []): { text: string; name: string } | undefined {
    for (const name of names) {
        const v = env[name];
        if (v !== undefined && v !== "") return { text: v, name };
    }
    return undefined;
}

/** Where a resolved value came from. */
export type ValueSource = "given" | "env" | "outputs" | "default" | "unset";

/** One row resolved: given > env (parsed, naming the env var) > outputs > default, with where it came from. */
export function resolveRow<T>(o: OptionRow<T>, given: T | undefined, env: NodeJS.ProcessEnv, output?: T): { value: T | undefined; source: ValueSource } {
    if (given !== undefined) return { value: given, source: "given" };
    const e = o.parse ? envText(o, env) : undefined;
    if (e) return { value: o.parse!(e.text, e.name), source: "env" };
    if (output !== undefined && output !== "") return { value: output, source: "outputs" };
    return o.default === undefined ? { value: undefined, source: "unset" } : { value: o.default, source: "default" };
}

/** Every row resolved into the table's typed options. */
export function resolveTable<Table extends OptionTable>(table: Table, sources: OptionSources<Table>): OptionValues<Table> {
    const env = sources.env ?? {};
    const given = (sources.given ?? {}) as Record<string, unknown>;
    const outputs = (sources.outputs ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, o] of Object.entries(table) as Array<[string, OptionRow]>) {
        if (o.repeat) out[key] = given[key] ?? [];
        else out[key] = resolveRow(o, given[key], env, outputs[key]).value;
    }
    return out as OptionValues<Table>;
}

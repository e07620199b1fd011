// The gate's argv, read by node:util's parseArgs with the flags of the option table. Tokens
// rather than strict mode, so every mistake is the gate's own one-line usage error (exit 2).

import { parseArgs as parseArgv } from "node:util";
import { OPTION_LIST } from "./option-table";
import { UsageError } from "../io/usage-error";

export interface ParsedArgs {
    /** The values of each flag that takes one, in the order given. */
    values: Map<string, string[]>;
    help: boolean;
    plain: boolean;
    /** Every switch (a flag without a value) given. */
    switches: ReadonlySet<string>;
}

const FLAG_OPTIONS = OPTION_LIST.filter((o) => o.flag !== undefined);
const CONFIG = Object.fromEntries(FLAG_OPTIONS.map((o) => [o.flag!, o.value ? { type: "string" as const, multiple: true } : { type: "boolean" as const }]));

export function parseArgs(argv: readonly string[]): ParsedArgs {
    const { tokens } = parseArgv({ args: [...argv], options: CONFIG, strict: false, allowPositionals: true, tokens: true });
    const values = new Map<string, string[]>();
    const switches = new Set<string>();
    for (const token of tokens) {
        if (token.kind === "option-terminator") throw new UsageError("unknown option -- (see --help)");
        if (token.kind === "positional" || !token.rawName.startsWith("--")) throw new UsageError(`unexpected argument '${argv[token.index]}' (see --help)`);
        const spec = FLAG_OPTIONS.find((o) => o.flag === token.name);
        if (!spec) throw new UsageError(`unknown option --${token.name} (see --help)`);
        if (!spec.value) {
            if (token.value !== undefined) throw new UsageError(`--${token.name} takes no value`);
            switches.add(token.name);
            continue;
        }
        // A flag right after a flag is a missing value, not a value (say --only=--x to mean one).
        if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) throw new UsageError(`--${token.name} needs a value ${spec.value}`);
        const list = values.get(token.name) ?? [];
        if (list.length > 0 && !spec.repeat) throw new UsageError(`--${token.name} given twice`);
        list.push(token.value);
        values.set(token.name, list);
    }
    return { values, help: switches.has("help"), plain: switches.has("plain"), switches };
}

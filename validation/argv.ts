// The gate's argv, read by the shared option model (io/options.ts) with the flags of the option
// table: every mistake is the gate's own one-line usage error (exit 2).

import { type ArgvTexts, readArgv } from "../io/options";
import { OPTIONS } from "./option-table";

export interface ParsedArgs {
    /** The values of each flag that takes one, in the order given. */
    values: Map<string, string[]>;
    help: boolean;
    plain: boolean;
    /** Every switch (a flag without a value) given. */
    switches: ReadonlySet<string>;
    /** The texts by field name, as the resolution's given values are read from them. */
    texts: ArgvTexts<typeof OPTIONS>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
    const texts = readArgv(OPTIONS, argv);
    const values = new Map<string, string[]>();
    const switches = new Set<string>();
    for (const [key, list] of Object.entries(texts) as Array<[keyof typeof OPTIONS, string[]]>) {
        const o = OPTIONS[key];
        if (o.value) values.set(o.flag!, list);
        else switches.add(o.flag!);
    }
    return { values, help: switches.has("help"), plain: switches.has("plain"), switches, texts };
}

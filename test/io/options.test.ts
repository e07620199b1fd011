// The shared option model: a table of rows gives the typed options (each key the field name),
// the argv reader, the resolution from values, the help lines and the secret env vars. A new
// option is one row plus its use: the gate's table with one row added is resolved, helped and
// redacted with no other change.
import * as assert from "node:assert/strict";
import { helpText } from "../../validation/cli";
import { OPTIONS, SECRET_ENV_VARS } from "../../validation/option-table";
import { parseDuration, parsePositiveInt, parseText } from "../../io/option-values";
import { type GivenValues, type OptionRow, type OptionTable, type OptionValues, describeOption, givenFromArgv, option, readArgv, resolveTable, secretEnvVars } from "../../io/options";
import { UsageError } from "../../io/usage-error";

/** Fails to compile unless A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const holds = <T extends true>(): T => true as T;

const TABLE = {
    pollMs: option({ flag: "poll", env: ["POLL"], value: "DURATION", parse: parseDuration, default: 30_000, help: "between two polls" }),
    retries: option({ flag: "retries", env: ["RETRIES"], value: "N", parse: parsePositiveInt, help: "tries before giving up" }),
    label: option<string>({ flag: "label", value: "TEXT", repeat: true, parse: parseText, help: "a label for the run" }),
    quiet: option<boolean>({ flag: "quiet", help: "no progress lines" }),
    apiKey: option({ env: ["API_KEY"], parse: parseText, secret: true, help: "the API's key" }),
} satisfies OptionTable;

describe("io/options: one option model for every CLI", () => {
    it("types the options from the table: a default is always there, a repeat is a list, the rest may be undefined", () => {
        type V = OptionValues<typeof TABLE>;
        holds<Same<V["pollMs"], number>>();
        holds<Same<V["retries"], number | undefined>>();
        holds<Same<V["label"], string[]>>();
        holds<Same<V["quiet"], boolean | undefined>>();
        holds<Same<GivenValues<typeof TABLE>["label"], string[] | undefined>>();
        const v: V = resolveTable(TABLE, { env: {} });
        assert.deepEqual(v, { pollMs: 30_000, retries: undefined, label: [], quiet: undefined, apiKey: undefined });
    });

    it("resolves values: given beats env, env beats outputs, outputs beat the default; an env var's problem names it", () => {
        const env = { POLL: "5s", RETRIES: "4", API_KEY: "k-123456789" };
        assert.deepEqual(resolveTable(TABLE, { given: { pollMs: 1000 }, env, outputs: { pollMs: 9, retries: 7 } }), { pollMs: 1000, retries: 4, label: [], quiet: undefined, apiKey: "k-123456789" });
        assert.equal(resolveTable(TABLE, { env: {}, outputs: { retries: 7 } }).retries, 7);
        assert.equal(resolveTable(TABLE, { env: { RETRIES: "" }, outputs: { retries: 7 } }).retries, 7, "an empty env var is unset");
        assert.throws(
            () => resolveTable(TABLE, { env: { POLL: "soon" } }),
            (e: unknown) => e instanceof UsageError && e.message.startsWith("POLL: 'soon' is not a duration"),
        );
    });

    it("reads argv into the same values, naming the flag in a problem", () => {
        const given = givenFromArgv(TABLE, readArgv(TABLE, ["--poll", "2m", "--label=a", "--label", "b", "--quiet"]));
        assert.deepEqual(given, { pollMs: 120_000, label: ["a", "b"], quiet: true });
        assert.deepEqual(resolveTable(TABLE, { given, env: { POLL: "1s" } }).pollMs, 120_000);
        const bad: Array<[string[], string]> = [
            [["--retries", "0"], "--retries: '0' is not a positive integer"],
            [["--retries", "1", "--retries", "2"], "--retries given twice"],
            [["--quiet=yes"], "--quiet takes no value"],
            [["--api-key", "x"], "unknown option --api-key (see --help)"],
            [["--poll"], "--poll needs a value DURATION"],
            [["extra"], "unexpected argument 'extra' (see --help)"],
        ];
        for (const [argv, message] of bad)
            assert.throws(
                () => givenFromArgv(TABLE, readArgv(TABLE, argv)),
                (e: unknown) => e instanceof UsageError && e.message === message,
                argv.join(" "),
            );
    });

    it("derives the help line (default from its value) and the secret env vars", () => {
        assert.equal(describeOption(TABLE.pollMs), "between two polls (default 30s)");
        assert.equal(describeOption(TABLE.retries), "tries before giving up");
        assert.equal(describeOption(TABLE.apiKey), "the API's key (secret)");
        assert.deepEqual(secretEnvVars(TABLE), ["API_KEY"]);
    });

    it("a new gate option is one row: typed, resolved from argv or env, in --help with its default, and a secret row joins the secret list", () => {
        const GATE = {
            ...OPTIONS,
            probeRetries: option({ flag: "probe-retries", env: ["GATE_PROBE_RETRIES"], value: "N", parse: parsePositiveInt, default: 2, help: "tries of one probe" }),
            vendorToken: option({ env: ["VENDOR_TOKEN"], parse: parseText, secret: true, help: "a vendor's token" }),
        } satisfies OptionTable;
        type V = OptionValues<typeof GATE>;
        holds<Same<V["probeRetries"], number>>();
        holds<Same<V["requestTimeoutMs"], number>>();
        assert.equal(resolveTable(GATE, { env: {} }).probeRetries, 2);
        assert.equal(resolveTable(GATE, { env: { GATE_PROBE_RETRIES: "5" } }).probeRetries, 5);
        assert.equal(resolveTable(GATE, { given: givenFromArgv(GATE, readArgv(GATE, ["--probe-retries", "3"])), env: { GATE_PROBE_RETRIES: "5" } }).probeRetries, 3);
        assert.deepEqual(secretEnvVars(GATE), [...SECRET_ENV_VARS, "VENDOR_TOKEN"]);
        assert.equal(describeOption(GATE.probeRetries), "tries of one probe (default 2)");
        // The gate's own help prints each row's default the same way.
        const rows: OptionRow[] = Object.values(OPTIONS);
        for (const o of rows.filter((r) => r.flag !== undefined)) assert.ok(helpText().includes(describeOption(o)), o.flag);
    });
});

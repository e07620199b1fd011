// The option table feeds the argv parser, --help, the secret env vars and docs/gate.md.
import * as assert from "node:assert/strict";
import { helpText } from "../../validation/cli";
import { defaultText } from "../../validation/option-table";
import { UsageError } from "../../io/usage-error";
import { OPTION_LIST, SECRET_ENV_VARS, parseArgs, resolveOptions } from "../../validation/options";

describe("validation/option-table", () => {
    it("--help prints every option with its default, taken from the table", () => {
        const help = helpText();
        for (const o of OPTION_LIST) {
            const d = defaultText(o);
            const line = help.split("\n").findIndex((l) => (o.flag ? l.startsWith(`  --${o.flag}`) : l.startsWith(`  ${o.env!.join(", ")}`)));
            assert.ok(line >= 0, `${o.flag ?? o.env!.join(",")} in --help`);
            const text = o.flag ? help.split("\n")[line] : help.split("\n")[line + 1];
            if (d !== undefined) assert.ok(text.includes(`(default ${d})`), `${text} shows default ${d}`);
            if (o.secret) assert.ok(text.includes("(secret)"), `${text} says secret`);
        }
    });

    it("a table default is what resolution gives when nothing else is set", () => {
        const o = resolveOptions([], { env: { PATH: "/nonexistent" }, isTTY: false });
        assert.deepEqual([o.requestTimeoutMs, o.checkTimeoutMs, o.overallTimeoutMs, o.waitReadyMs, o.maxBodyBytes, o.concurrency, o.logErrorThreshold], [10_000, 60_000, 600_000, 0, 2_097_152, 0, 0]);
        assert.match(helpText(), /--check-timeout DURATION .*\(default 1m\)/);
        assert.match(helpText(), /--timeout DURATION .*\(default 10m\)/);
    });

    it("lists exactly the secret env vars, all of them env-only", () => {
        assert.deepEqual(SECRET_ENV_VARS, [
            "STAGING_CONTROL_ACCESS_TOKEN",
            "PROD_CONTROL_ACCESS_TOKEN",
            "STAGING_MAINTENANCE_BYPASS_TOKEN",
            "PROD_MAINTENANCE_BYPASS_TOKEN",
            "STAGING_RUNTIME_ID_TOKEN",
            "PROD_RUNTIME_ID_TOKEN",
            "RUNTIME_ID_TOKEN",
            "OA_AUTH_MOCK_MAGIC_CODE",
            "CLOUDSDK_AUTH_ACCESS_TOKEN",
        ]);
        for (const o of OPTION_LIST.filter((x) => x.secret)) assert.equal(o.flag, undefined, "a secret has no flag");
    });

    it("argv: --flag value and --flag=value, repeats where allowed, and the same one-line errors as before", () => {
        const parsed = parseArgs(["--only", "a", "--only=b", "--plain", "--stack=prod=x", "--output-dir="]);
        assert.deepEqual(parsed.values.get("only"), ["a", "b"]);
        assert.deepEqual(parsed.values.get("stack"), ["prod=x"]);
        assert.deepEqual(parsed.values.get("output-dir"), [""]);
        assert.equal(parsed.plain, true);
        assert.equal(parsed.help, false);
        assert.deepEqual(parseArgs(["--only=--x"]).values.get("only"), ["--x"]);
        const bad: Array<[string[], string]> = [
            [["x"], "unexpected argument 'x' (see --help)"],
            [["-h"], "unexpected argument '-h' (see --help)"],
            [["--bogus"], "unknown option --bogus (see --help)"],
            [["--plain=1"], "--plain takes no value"],
            [["--only"], "--only needs a value ID[,ID...]"],
            [["--only", "--plain"], "--only needs a value ID[,ID...]"],
            [["--timeout", "1s", "--timeout", "2s"], "--timeout given twice"],
            [["--"], "unknown option -- (see --help)"],
        ];
        for (const [argv, message] of bad) {
            assert.throws(
                () => parseArgs(argv),
                (e: unknown) => e instanceof UsageError && e.message === message,
                argv.join(" "),
            );
        }
    });
});

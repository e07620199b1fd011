// What the Pulumi CLI hands the program for a plain scalar (yaml.v3's resolver, then JSON text),
// as properties: every Go base-0 spelling of an int64 is that integer's decimal text, a leading
// 0 is octal, floats print as JSON prints them, words other than the boolean and null ones stay
// text; a quoted value never reaches this reader.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { cliPlainScalar, goAtoi } from "../../review/cli-scalar";

const INT64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe("stack-file scalars as the Pulumi CLI reads them", () => {
    it("reads every base-0 spelling of an int64 as its decimal text", () => {
        fc.assert(
            fc.property(INT64, fc.constantFrom("dec", "plus", "hex", "oct", "octal0", "bin", "underscored"), (n, form) => {
                const sign = n < 0n ? "-" : "";
                const abs = n < 0n ? -n : n;
                const spelled = {
                    dec: `${n}`,
                    plus: n < 0n ? `${n}` : `+${n}`,
                    hex: `${sign}0x${abs.toString(16)}`,
                    oct: `${sign}0o${abs.toString(8)}`,
                    octal0: abs === 0n ? "0" : `${sign}0${abs.toString(8)}`,
                    bin: `${sign}0b${abs.toString(2)}`,
                    underscored: `${sign}${abs.toString().replace(/(\d)(?=(\d{3})+$)/g, "$1_")}`,
                }[form];
                assert.deepEqual(cliPlainScalar(spelled), { kind: "int", text: n.toString() }, spelled);
            }),
        );
    });

    it("prints a float as Go's JSON does, and leaves out-of-range numbers as text", () => {
        assert.deepEqual(cliPlainScalar("1.0"), { kind: "float", text: "1" });
        assert.deepEqual(cliPlainScalar("1.5e3"), { kind: "float", text: "1500" });
        assert.deepEqual(cliPlainScalar(".5"), { kind: "float", text: "0.5" });
        assert.deepEqual(cliPlainScalar("1e21"), { kind: "float", text: "1e+21" });
        assert.deepEqual(cliPlainScalar("09"), { kind: "float", text: "9" });
        assert.deepEqual(cliPlainScalar("2e71234"), { kind: "string", text: "2e71234" });
        assert.deepEqual(cliPlainScalar("18446744073709551615"), { kind: "int", text: "18446744073709551615" });
    });

    it("takes only yaml.v3's boolean and null words, and dates as timestamps", () => {
        for (const w of ["true", "True", "TRUE"]) assert.deepEqual(cliPlainScalar(w), { kind: "bool", text: "true" });
        for (const w of ["false", "False", "FALSE"]) assert.deepEqual(cliPlainScalar(w), { kind: "bool", text: "false" });
        for (const w of ["yes", "no", "on", "off", "y", "tRUE"]) assert.deepEqual(cliPlainScalar(w), { kind: "string", text: w });
        for (const w of ["~", "null", "Null", "NULL", ""]) assert.equal(cliPlainScalar(w).kind, "null");
        assert.equal(cliPlainScalar("2026-12-05").kind, "timestamp");
        assert.equal(cliPlainScalar("2026-12-05T01:02:03Z").kind, "timestamp");
        assert.equal(cliPlainScalar("2026-13-05").kind, "string");
    });

    it("leaves any word that starts with a letter other than yYnNtTfFoO as it is", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-eg-mp-su-xzA-EG-MP-SU-XZ_/][\w./:-]{0,30}$/), (w) => {
                assert.deepEqual(cliPlainScalar(w), { kind: "string", text: w });
            }),
        );
    });

    it("takes what strconv.Atoi takes for an integer key", () => {
        fc.assert(fc.property(INT64, (n) => assert.ok(goAtoi(n.toString()) && goAtoi(n < 0n ? n.toString() : `+${n}`))));
        for (const bad of ["", "+", "0x19", "1.0", " 1", "9223372036854775808", "1_000"]) assert.equal(goAtoi(bad), false, bad);
    });
});

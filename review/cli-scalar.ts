// What the Pulumi CLI makes of one plain YAML scalar in a stack file, and the text it hands the
// program for it. The CLI reads Pulumi.<stack>.yaml with gopkg.in/yaml.v3 into untyped values
// (pulumi/pulumi sdk/go/common/workspace/loaders.go:173-232 and encoding/marshal.go:111-124
// @1b5949891b), so yaml.v3's resolver decides the type (go-yaml/yaml resolve.go:126-272
// @v3.0.1), then each value becomes the program's string: a string as is, a number or boolean as
// its JSON text (sdk/go/common/resource/config/object.go:403-419, value.go:238-245). A quoted or
// block scalar is always a string. Typed keys are then checked on that text
// (pkg/workspace/config.go:119-160, sdk/go/common/workspace/project.go:771-830).

export type CliKind = "string" | "int" | "float" | "bool" | "null" | "timestamp" | "non-finite" | "merge";

export interface CliScalar {
    kind: CliKind;
    /** The string the program receives (for null, timestamp, non-finite and merge: the source text). */
    text: string;
}

/** resolve.go:36-45: the first character hints what a plain scalar may be. */
function hint(c: string): "S" | "D" | "M" | "." | undefined {
    if (c === "+" || c === "-") return "S";
    if (c >= "0" && c <= "9") return "D";
    if ("yYnNtTfFoO~".includes(c)) return "M";
    if (c === ".") return ".";
    return undefined;
}

/** resolve.go:47-56: the words resolved by lookup. */
const WORDS: Record<string, CliKind | boolean> = {
    true: true,
    True: true,
    TRUE: true,
    false: false,
    False: false,
    FALSE: false,
    "": "null",
    "~": "null",
    null: "null",
    Null: "null",
    NULL: "null",
    ".nan": "non-finite",
    ".NaN": "non-finite",
    ".NAN": "non-finite",
    ".inf": "non-finite",
    ".Inf": "non-finite",
    ".INF": "non-finite",
    "+.inf": "non-finite",
    "+.Inf": "non-finite",
    "+.INF": "non-finite",
    "-.inf": "non-finite",
    "-.Inf": "non-finite",
    "-.INF": "non-finite",
    "<<": "merge",
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b prefixes, a leading 0 is octal), as a BigInt. */
function goParseBase0(s: string, signed: boolean): bigint | undefined {
    let rest = s;
    let negative = false;
    if (signed && (rest.startsWith("+") || rest.startsWith("-"))) {
        negative = rest.startsWith("-");
        rest = rest.slice(1);
    }
    let digits: RegExp;
    let prefix = "";
    if (/^0[xX]/.test(rest)) [digits, prefix, rest] = [/^[0-9a-fA-F]+$/, "0x", rest.slice(2)];
    else if (/^0[oO]/.test(rest)) [digits, prefix, rest] = [/^[0-7]+$/, "0o", rest.slice(2)];
    else if (/^0[bB]/.test(rest)) [digits, prefix, rest] = [/^[01]+$/, "0b", rest.slice(2)];
    else if (rest.length > 1 && rest.startsWith("0")) [digits, prefix, rest] = [/^[0-7]+$/, "0o", rest.slice(1)];
    else digits = /^[0-9]+$/;
    if (!digits.test(rest)) return undefined;
    const value = BigInt(`${prefix}${rest}`) * (negative ? -1n : 1n);
    if (signed ? value < INT64_MIN || value > INT64_MAX : value > UINT64_MAX) return undefined;
    return value;
}

/** resolve.go:124: what yaml.v3 takes as a float. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** resolve.go:294-325: yyyy-m-d, optionally with a time (T, t or a space). */
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})|\s[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?)?$/;

function isTimestamp(s: string): boolean {
    if (!TIMESTAMP.test(s)) return false;
    const [, month, day] = s.split(/[-Tt\s]/).map(Number);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Go's encoding/json text of a float64 (shortest form, exponent below 1e-6 and from 1e21, as JavaScript prints). */
function floatText(n: number): string {
    return Object.is(n, -0) ? "-0" : String(n);
}

/** A finite float parsed as Go's ParseFloat does (out of range is an error there, so not a float). */
function goFloat(s: string): number | undefined {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
}

/** What the CLI makes of a plain (unquoted, non-block) scalar's text. */
export function cliPlainScalar(input: string): CliScalar {
    const h = input === "" ? "M" : hint(input[0]);
    if (h === undefined) return { kind: "string", text: input };
    if (input in WORDS) {
        const w = WORDS[input];
        if (typeof w === "boolean") return { kind: "bool", text: String(w) };
        return { kind: w, text: input };
    }
    if (h === "M") return { kind: "string", text: input };
    if (h === ".") {
        const f = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(input) ? goFloat(input) : undefined;
        return f !== undefined ? { kind: "float", text: floatText(f) } : { kind: "string", text: input };
    }
    if (isTimestamp(input)) return { kind: "timestamp", text: input };
    const plain = input.replace(/_/g, "");
    const int = goParseBase0(plain, true) ?? goParseBase0(plain, false);
    if (int !== undefined) return { kind: "int", text: int.toString() };
    if (YAML_STYLE_FLOAT.test(plain)) {
        const f = goFloat(plain);
        if (f !== undefined) return { kind: "float", text: floatText(f) };
    }
    return { kind: "string", text: input };
}

/** Go's strconv.Atoi on a 64-bit platform: an optional sign and decimal digits within int64. */
export function goAtoi(text: string): boolean {
    if (!/^[-+]?[0-9]+$/.test(text)) return false;
    const v = BigInt(text);
    return v >= INT64_MIN && v <= INT64_MAX;
}

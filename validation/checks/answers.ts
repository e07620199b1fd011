// Body assertions for the HTTP steps: is the answer JSON (by its content type and its bytes), and
// does it carry the contract's fields with their types and values (lanes.md).

import type { HttpResponse } from "../../io/http";
import type { BodyVerdict } from "../steps";

export type Json = Record<string, unknown>;

/** A rule for one field, by dotted path ("run.id"). */
export type FieldRule =
    | { path: string; type: "string" | "number" | "boolean" | "object" | "array"; nonEmpty?: boolean }
    | { path: string; equals: string | number | boolean }
    | { path: string; oneOf: readonly (string | number | boolean)[] };

export function contentTypeOf(response: HttpResponse): string {
    return (response.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export function isJsonContentType(response: HttpResponse): boolean {
    const type = contentTypeOf(response);
    return type === "application/json" || type.endsWith("+json");
}

export function isJavaScriptContentType(response: HttpResponse): boolean {
    return /^(text|application)\/(javascript|ecmascript|x-javascript)$/.test(contentTypeOf(response));
}

/** The JSON object an answer carries, or why it carries none. */
export function jsonObject(response: HttpResponse): { ok: true; json: Json } | { ok: false; problem: string } {
    const type = contentTypeOf(response) || "no content type";
    if (response.body.length === 0) return { ok: false, problem: `with an empty body (${type}), not JSON` };
    if (!isJsonContentType(response)) return { ok: false, problem: `with ${type}, not application/json` };
    let parsed: unknown;
    try {
        parsed = JSON.parse(response.body.toString("utf8"));
    } catch {
        return { ok: false, problem: "with a body that is not JSON" };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, problem: "with JSON that is not an object" };
    return { ok: true, json: parsed as Json };
}

export function fieldAt(json: unknown, path: string): unknown {
    let value: unknown = json;
    for (const key of path.split(".")) {
        if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
        value = (value as Json)[key];
    }
    return value;
}

function typeOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
}

/** The first rule the object breaks, in words; undefined when it keeps them all. */
export function fieldProblem(json: Json, rules: readonly FieldRule[]): string | undefined {
    for (const rule of rules) {
        const value = fieldAt(json, rule.path);
        if (value === undefined) return `without ${rule.path}`;
        if ("type" in rule) {
            if (typeOf(value) !== rule.type) return `with ${rule.path} a ${typeOf(value)}, not a ${rule.type}`;
            if (rule.nonEmpty && rule.type === "string" && (value as string).trim() === "") return `with an empty ${rule.path}`;
        } else if ("equals" in rule) {
            if (value !== rule.equals) return `with ${rule.path} ${shown(value)}, not ${JSON.stringify(rule.equals)}`;
        } else if (!rule.oneOf.includes(value as string)) {
            return `with ${rule.path} ${shown(value)}, not one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(", ")}`;
        }
    }
    return undefined;
}

/** A value quoted in a cause: short, and only scalars (an object is named by its type). */
function shown(value: unknown): string {
    if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return `a ${typeOf(value)}`;
}

/** A JSON answer keeping the rules: the common body assertion of the steps. */
export function jsonWith(response: HttpResponse, rules: readonly FieldRule[], then?: (json: Json) => BodyVerdict): BodyVerdict {
    const parsed = jsonObject(response);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    const problem = fieldProblem(parsed.json, rules);
    if (problem) return { ok: false, problem: `JSON ${problem}` };
    return then ? then(parsed.json) : { ok: true };
}

/** The rules in words, for the step table. */
export function describeRules(rules: readonly FieldRule[]): string {
    return rules
        .map((r) => ("type" in r ? `${r.path} (${r.type})` : "equals" in r ? `${r.path} = ${JSON.stringify(r.equals)}` : `${r.path} in ${r.oneOf.map((v) => JSON.stringify(v)).join("/")}`))
        .join(", ");
}

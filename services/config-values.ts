// The walk over the config schema: each key read, parsed by its type, defaulted, and checked
// against the range, form or catalog rule its row states. Rules across keys are config.ts's.

import { ArrayKeySpec, BooleanKeySpec, CONFIG_SCHEMA, ConfigKey, ConfigKeySpec, ConfigValues, IntegerKeySpec, StringKeySpec } from "./config-schema";

/** Raw values as the engine hands them over: strings, with arrays as JSON. */
export type RawConfigReader = (key: string) => string | undefined;

/** Records one refused value: the bare key, the expected form, the value given (if any). */
export type ProblemSink = (key: string, expected: string, got?: string) => void;

function readString(key: string, spec: StringKeySpec, v: string | undefined, problem: ProblemSink): string {
    if (v === undefined) {
        if (spec.default !== undefined) return spec.default;
        problem(key, `${spec.form} (required)`);
        return "";
    }
    if (spec.accepts && !spec.accepts(v)) problem(key, spec.form, v);
    else if (spec.rule && v !== "") {
        const why = spec.rule(v);
        if (why) problem(key, `${spec.form} (${why})`, v);
    }
    return v;
}

function readInteger(key: string, spec: IntegerKeySpec, v: string | undefined, problem: ProblemSink): number {
    const { min, max } = spec.range;
    if (v === undefined) {
        if (spec.default !== undefined) return spec.default;
        problem(key, `an integer from ${min} to ${max} (required)`);
        return min;
    }
    const n = Number(v);
    if (!/^-?[0-9]+$/.test(v.trim()) || n < min || n > max) {
        problem(key, `an integer from ${min} to ${max}`, v);
        return min;
    }
    return n;
}

function readBoolean(key: string, spec: BooleanKeySpec, v: string | undefined, problem: ProblemSink): boolean {
    if (v === undefined) {
        if (spec.default !== undefined) return spec.default;
        problem(key, "true or false (required)");
        return false;
    }
    if (v !== "true" && v !== "false") problem(key, "true or false", v);
    return v === "true";
}

function readArray(key: string, spec: ArrayKeySpec, v: string | undefined, problem: ProblemSink): string[] {
    if (v === undefined) return [...(spec.default ?? [])];
    try {
        const parsed: unknown = JSON.parse(v);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed;
    } catch {
        // reported below
    }
    problem(key, "a list of strings", v);
    return [];
}

function readOne(key: string, spec: ConfigKeySpec, v: string | undefined, problem: ProblemSink): ConfigValues[ConfigKey] {
    switch (spec.type) {
        case "string":
            return readString(key, spec, v, problem);
        case "integer":
            return readInteger(key, spec, v, problem);
        case "boolean":
            return readBoolean(key, spec, v, problem);
        case "array":
            return readArray(key, spec, v, problem);
    }
}

/** Every key of the schema, in its order: parsed, defaulted, and checked on its own. */
export function readValues(read: RawConfigReader, problem: ProblemSink): ConfigValues {
    const values: Partial<Record<ConfigKey, ConfigValues[ConfigKey]>> = {};
    for (const [key, spec] of Object.entries(CONFIG_SCHEMA) as Array<[ConfigKey, ConfigKeySpec]>) {
        const raw = read(key);
        values[key] = readOne(key, spec, raw === null ? undefined : raw, problem);
    }
    return values as ConfigValues;
}

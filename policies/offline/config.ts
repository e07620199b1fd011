// Policy pack config, applied offline exactly as the Pulumi CLI applies --policy-pack-config:
// the file is JSON keyed by policy name, each value an enforcement level or an object with an
// optional enforcementLevel plus properties; "all" sets every policy's level; the schema's
// defaults are filled in first and given properties replace them key by key (no deep merge);
// the result is validated against each policy's schema. (pulumi/pulumi
// pkg/resource/analyzer/config.go: parsePolicyPackConfig, createConfigWithDefaults, applyConfig.)

import * as fs from "node:fs";
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { quoted, joinProblems } from "../../catalog";
import type { PackPolicy } from "../lib/types";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

export interface GivenPolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

export interface ReconciledPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export type ReconciledConfig = Record<string, ReconciledPolicyConfig>;

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (LEVELS as readonly string[]).includes(value);
}

/** Deepest nesting a policy config may have: real ones nest three levels (policy, property, list). */
const MAX_CONFIG_DEPTH = 32;

/** How deep a JSON value nests, measured without recursion (so any depth is safe to measure). */
export function nestingDepth(value: unknown): number {
    let deepest = 0;
    const stack: [unknown, number][] = [[value, 0]];
    while (stack.length > 0) {
        const [v, depth] = stack.pop()!;
        if (!v || typeof v !== "object") continue;
        deepest = Math.max(deepest, depth + 1);
        if (deepest > MAX_CONFIG_DEPTH) return deepest;
        for (const child of Object.values(v)) stack.push([child, depth + 1]);
    }
    return deepest;
}

/** Parses the JSON text the CLI takes with --policy-pack-config. */
export function parsePolicyConfig(text: string, source = "policy config"): Record<string, GivenPolicyConfig> {
    if (text.trim() === "") return {};
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(`${source}: not valid JSON (${(e as Error).message})`);
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyConfigError(`${source}: must be a JSON object keyed by policy name`);
    if (nestingDepth(raw) > MAX_CONFIG_DEPTH) throw new PolicyConfigError(`${source}: nested deeper than ${MAX_CONFIG_DEPTH} levels; policy config is a level or a flat object of properties`);
    const result: Record<string, GivenPolicyConfig> = {};
    for (const [policy, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!isLevel(value)) throw new PolicyConfigError(`${source}: parsing enforcement level for ${quoted(policy)}: ${quoted(value)} is not a valid enforcement level`);
            result[policy] = { enforcementLevel: value, properties: {} };
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                throw new PolicyConfigError(`${source}: parsing enforcement level for ${quoted(policy)}: ${quoted(enforcementLevel)} is not a valid enforcement level`);
            }
            result[policy] = { enforcementLevel: enforcementLevel, properties };
        } else {
            throw new PolicyConfigError(`${source}: parsing ${quoted(policy)}: ${quoted(value)} is not a valid value; must be a string or object`);
        }
    }
    return result;
}

export function readPolicyConfigFile(path: string): Record<string, GivenPolicyConfig> {
    let text: string;
    try {
        text = fs.readFileSync(path, "utf8");
    } catch (e) {
        throw new PolicyConfigError(`cannot read policy config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parsePolicyConfig(text, path);
}

/** Defaults from the schemas, then "all", then per-policy levels and properties; validated. */
export function reconcilePolicyConfig(policies: readonly PackPolicy[], given: Record<string, GivenPolicyConfig> = {}, packLevel: EnforcementLevel = "advisory"): ReconciledConfig {
    const result: ReconciledConfig = {};
    for (const p of policies) {
        const defaults: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if ("default" in schema) defaults[key] = structuredClone(schema.default);
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel ?? packLevel, properties: defaults };
    }
    const all = given.all;
    if (all?.enforcementLevel) {
        for (const name of Object.keys(result)) result[name].enforcementLevel = all.enforcementLevel;
    }
    for (const [name, config] of Object.entries(given)) {
        const current = result[name] ?? { enforcementLevel: packLevel, properties: {} };
        result[name] = {
            enforcementLevel: config.enforcementLevel ?? current.enforcementLevel,
            properties: { ...current.properties, ...config.properties },
        };
    }
    const errors = policies.flatMap((p) => (p.configSchema ? validateAgainst(p.configSchema, result[p.name].properties).map((e) => `${p.name}: ${e}`) : []));
    if (errors.length > 0) throw new PolicyConfigError(`policy config is invalid: ${joinProblems(errors)}`);
    return result;
}

/** Names in a config that are no policy of the pack ("all" aside): the CLI ignores them silently. */
export function unknownPolicyNames(policies: readonly PackPolicy[], given: Record<string, GivenPolicyConfig>): string[] {
    const known = new Set(policies.map((p) => p.name));
    return Object.keys(given).filter((n) => n !== "all" && !known.has(n));
}

// The JSON Schema subset the pack's schemas use (type, enum, items, minimum, maximum, minLength).
type Schema = Record<string, unknown>;

function validateAgainst(schema: PolicyConfigSchema, properties: Record<string, unknown>): string[] {
    const errors: string[] = [];
    for (const key of schema.required ?? []) if (!(key in properties)) errors.push(`${key} is required`);
    for (const [key, value] of Object.entries(properties)) {
        const propSchema = schema.properties[key] as Schema | undefined;
        if (propSchema) errors.push(...validateValue(propSchema, value, key));
    }
    return errors;
}

function typeOf(value: unknown): string {
    if (Array.isArray(value)) return "array";
    if (value === null) return "null";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

function validateValue(schema: Schema, value: unknown, path: string): string[] {
    const actual = typeOf(value);
    const wanted = schema.type as string | undefined;
    if (wanted && !(wanted === actual || (wanted === "number" && actual === "integer"))) {
        return [`${path}: Invalid type. Expected: ${wanted}, given: ${actual}`];
    }
    const errors: string[] = [];
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) {
        errors.push(`${path}: must be one of the following: ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof value === "number") {
        if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${path}: Must be greater than or equal to ${schema.minimum}`);
        if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${path}: Must be less than or equal to ${schema.maximum}`);
    }
    if (typeof value === "string" && typeof schema.minLength === "number" && value.length < schema.minLength) {
        errors.push(`${path}: String length must be greater than or equal to ${schema.minLength}`);
    }
    if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
        value.forEach((item, i) => errors.push(...validateValue(schema.items as Schema, item, `${path}.${i}`)));
    }
    return errors;
}

// Reads and validates the whole stack configuration before anything is declared. Every
// problem names the key and the expected form; all problems are reported at once.

import * as pulumi from "@pulumi/pulumi";
import { type Environment, closest, isEnvironment, joinProblems, quoted } from "../catalog";
import { readControl, readMigrate, readProvider, readRuntime } from "./config-lanes";
import { CROSS_KEY_RULES } from "./config-rules";
import { CONFIG_SCHEMA, PROJECT } from "./config-schema";
import { type ProblemSink, type RawConfigReader, readValues } from "./config-values";

export type { RawConfigReader };

export type { ConfigProblem, ContainerSizing, EnvVar, SecretRef, ServiceSettings, StackConfig } from "./stack-config";
import type { ConfigProblem, StackConfig } from "./stack-config";

/** A configuration error: a pulumi.RunError, so `pulumi up` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: ConfigProblem[]) {
        super(joinProblems(problems.map(formatProblem)));
        this.name = "ConfigError";
    }
}

/** Longest one problem may print: the key, the expected form and a cut excerpt of the value fit well within it. */
const MAX_PROBLEM_CHARS = 200;

/** One problem on one short line: key, expected form, escaped excerpt of the value. */
export function formatProblem(p: ConfigProblem): string {
    const got = p.got !== undefined ? `, got ${quoted(p.got)}` : "";
    const expected = p.expected.length > MAX_PROBLEM_CHARS ? `${p.expected.slice(0, MAX_PROBLEM_CHARS)}...` : p.expected;
    return `${p.key}: expected ${expected.replace(/[\r\n]+/g, " ")}${got}`;
}

/**
 * Parses and validates raw config; throws one ConfigError listing every problem. `givenKeys`
 * are the keys the stack sets in the project's namespace (bare names): one the schema does not
 * declare is read by nobody, so it is refused, with the declared key it is closest to. Each lane
 * has its reader (config-lanes.ts); what joins keys is a named rule of CROSS_KEY_RULES (config-rules.ts).
 */
export function parseStackConfig(read: RawConfigReader, provider: { project?: string; region?: string; settings?: Readonly<Record<string, string>> }, givenKeys: readonly string[] = []): StackConfig {
    const problems: ConfigProblem[] = [];
    const problem: ProblemSink = (key, expected, got) => problems.push({ key: `${PROJECT}:${key}`, expected, got });
    for (const key of givenKeys) {
        if (key in CONFIG_SCHEMA) continue;
        const meant = closest(key, Object.keys(CONFIG_SCHEMA));
        problem(key, `a key Pulumi.yaml declares${meant ? ` (did you mean ${meant}?)` : ""}; nothing reads this one`);
    }
    const values = readValues(read, problem);
    const environment: Environment = isEnvironment(values.environment) ? values.environment : "staging";
    const config: StackConfig = {
        environment,
        control: readControl(values, environment, problem),
        runtime: readRuntime(values, environment, problem),
        migrate: readMigrate(values, environment, problem),
        ...readProvider(provider, problems),
        deletionProtection: values.deletionProtection,
        secretVersion: values.secretVersion,
    };
    for (const rule of CROSS_KEY_RULES) rule(config, problem, problems.length === 0);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
}

/** Reads the stack's config through the Pulumi SDK and validates it. */
export function loadStackConfig(): StackConfig {
    const config = new pulumi.Config(PROJECT);
    const gcp = new pulumi.Config("gcp");
    const all = pulumi.runtime.allConfig();
    const given = Object.keys(all)
        .filter((k) => k.startsWith(`${PROJECT}:`))
        .map((k) => k.slice(PROJECT.length + 1));
    // The provider's other settings (endpoints, credentials), which the plan never shows.
    const settings = Object.fromEntries(
        Object.entries(all)
            .filter(([k]) => k.startsWith("gcp:"))
            .map(([k, v]) => [k.slice("gcp:".length), v]),
    );
    return parseStackConfig((key) => config.get(key), { project: gcp.get("project"), region: gcp.get("region"), settings }, given);
}

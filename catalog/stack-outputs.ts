// The stack-outputs contract: what the program exports per environment and what the gate and
// the canary analysis read back from `pulumi stack output --json`. The keys are declared once
// here; the program's outputs type is built from them and the readers parse with readStackOutputs.

/** The string outputs, in the order the program declares them. */
export const STRING_OUTPUT_KEYS = [
    "environment",
    "project",
    "region",
    "controlServiceName",
    "controlServiceUrl",
    "controlBaseUrl",
    "controlImage",
    "controlRevision",
    "controlStableRevision",
    "runtimeServiceName",
    "runtimeServiceUrl",
    "runtimeImage",
    "migrateJobName",
    "migrateJobImage",
] as const;

/** The numeric outputs. */
export const NUMBER_OUTPUT_KEYS = ["controlCanaryPercent"] as const;

export type StringOutputKey = (typeof STRING_OUTPUT_KEYS)[number];
export type NumberOutputKey = (typeof NUMBER_OUTPUT_KEYS)[number];
export type StackOutputKey = StringOutputKey | NumberOutputKey;

/** Every key of the contract. */
export const STACK_OUTPUT_KEYS: readonly StackOutputKey[] = [...STRING_OUTPUT_KEYS, ...NUMBER_OUTPUT_KEYS];

/** One environment's outputs as read back (all optional: older stacks lack some). */
export type StackOutputs = { [K in StringOutputKey]?: string } & { [K in NumberOutputKey]?: number };

/** The outputs as the program declares them: every key, each value of type S (strings) or N (numbers). */
export type DeclaredStackOutputs<S, N> = { [K in StringOutputKey]: S } & { [K in NumberOutputKey]: N };

export type StackOutputsReading = { outputs: StackOutputs; problem?: undefined } | { outputs?: undefined; problem: string };

/** Reads `pulumi stack output --json` text; a problem (one line, naming the key) when it does not hold to the contract. */
export function readStackOutputs(json: string): StackOutputsReading {
    let data: unknown;
    try {
        data = JSON.parse(json);
    } catch {
        return { problem: "not JSON (expected `pulumi stack output --json`)" };
    }
    return readStackOutputValues(data);
}

/** Reads the outputs as values (what the Automation API's `outputs()` gives, unwrapped); a problem as readStackOutputs says it. */
export function readStackOutputValues(data: unknown): StackOutputsReading {
    if (!data || typeof data !== "object" || Array.isArray(data)) return { problem: "expected a JSON object of stack outputs" };
    const o = data as Record<string, unknown>;
    const outputs: StackOutputs = {};
    for (const key of STRING_OUTPUT_KEYS) {
        const v = o[key];
        if (v === undefined || v === null) continue;
        if (typeof v !== "string") return { problem: `output ${key} should be a string` };
        outputs[key] = v;
    }
    for (const key of NUMBER_OUTPUT_KEYS) {
        const v = o[key];
        if (v === undefined || v === null) continue;
        const n = typeof v === "string" ? Number(v) : v;
        if (typeof n !== "number" || !Number.isFinite(n)) return { problem: `output ${key} should be a number` };
        outputs[key] = n;
    }
    return { outputs };
}

// The gate's options, as canary/ and the tests import them. Each job lives in its own module:
// the option table (option-table.ts), argv (argv.ts), value parsers (option-values.ts), stack
// outputs (stack-outputs.ts) and the resolution (resolve-options.ts).

export { UsageError } from "./usage-error";
export { MAX_TIMER_MS, checkEndpoint, parseDuration, utcStamp } from "./option-values";
export { type PulumiRunner, type StackOutputs, loadOutputs, parseStackOutputs, runPulumiStackOutput } from "./stack-outputs";
export { type ParsedArgs, parseArgs } from "./argv";
export { type GateOption, OPTIONS, OPTION_LIST, SECRET_ENV_VARS } from "./option-table";
export { type EnvironmentTargets, type GateOptions, type ResolveContext, type Source, resolveOptions, secretsOf } from "./resolve-options";

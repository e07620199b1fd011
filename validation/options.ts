// The gate's options, as canary/ and the tests import them. Each job lives in its own module:
// the option table (option-table.ts), argv (argv.ts) and the resolution (resolve-options.ts);
// the value parsers and the stack outputs they read are shared I/O (io/option-values.ts,
// io/stack-outputs.ts).

export { type ParsedArgs, parseArgs } from "./argv";
export { type GateOption, OPTIONS, OPTION_LIST, SECRET_ENV_VARS } from "./option-table";
export { type EnvironmentTargets, type GateGiven, type GateOptions, type ResolveContext, type Source, resolveGateOptions, resolveOptions, secretsOf } from "./resolve-options";

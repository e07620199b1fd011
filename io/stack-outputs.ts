// Reads the stack outputs the gate and the canary analysis start from: saved files (--outputs
// ENV=FILE) or the Pulumi CLI (--stack [ENV=]NAME). The keys and their types are the catalog's
// contract (catalog/stack-outputs.ts); this module only finds the text and blames the source.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Environment, type StackOutputs, isEnvironment, readStackOutputValues, readStackOutputs } from "../catalog";
import { UsageError } from "./usage-error";

export type { StackOutputs } from "../catalog";

export type PulumiRunner = (stack: string) => string;

/** Runs the Pulumi CLI; a config error when it is not on PATH or fails. */
export function runPulumiStackOutput(stack: string, env: NodeJS.ProcessEnv = process.env): string {
    if (!onPath("pulumi", env)) {
        throw new UsageError(`--stack ${stack}: the pulumi CLI is not on PATH; save the outputs with \`pulumi stack output --json\` and pass --outputs ENV=FILE`);
    }
    try {
        return execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            env,
            timeout: 60_000,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new UsageError(`--stack ${stack}: \`pulumi stack output --json\` failed: ${stderr.trim().split("\n").pop() ?? String(error)}`);
    }
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        try {
            fs.accessSync(path.join(dir, command), fs.constants.X_OK);
            return true;
        } catch {
            // not here
        }
    }
    return false;
}

/** The catalog's reading of the outputs, or a UsageError naming the source. */
export function parseStackOutputs(json: string, source: string): StackOutputs {
    const reading = readStackOutputs(json);
    if (reading.problem !== undefined) throw new UsageError(`${source}: ${reading.problem}`);
    return reading.outputs;
}

/** The catalog's reading of outputs held as values (the stack's own, in a typed caller), or a UsageError naming the source. */
export function stackOutputsOf(values: Readonly<Record<string, unknown>>, source: string): StackOutputs {
    const reading = readStackOutputValues(values);
    if (reading.problem !== undefined) throw new UsageError(`${source}: ${reading.problem}`);
    return reading.outputs;
}

function splitEnvPrefix(value: string, flag: string): { env?: Environment; rest: string } {
    const eq = value.indexOf("=");
    if (eq < 0) return { rest: value };
    const env = value.slice(0, eq);
    if (!isEnvironment(env)) throw new UsageError(`--${flag} ${value}: '${env}' is not an environment (staging|prod)`);
    return { env, rest: value.slice(eq + 1) };
}

/** The outputs named by --outputs ENV=FILE and --stack [ENV=]NAME values, by environment (the canary analysis reads them too). */
export function loadOutputs(args: { values: ReadonlyMap<string, readonly string[]> }, pulumi: PulumiRunner): Partial<Record<Environment, StackOutputs>> {
    const result: Partial<Record<Environment, StackOutputs>> = {};
    const put = (environment: Environment, outputs: StackOutputs, source: string): void => {
        if (outputs.environment !== undefined && outputs.environment !== environment) {
            throw new UsageError(`${source}: its environment output is '${outputs.environment}', not '${environment}'`);
        }
        if (result[environment]) throw new UsageError(`${source}: outputs of ${environment} given twice`);
        result[environment] = outputs;
    };
    for (const value of args.values.get("outputs") ?? []) {
        const { env: environment, rest } = splitEnvPrefix(value, "outputs");
        if (!environment || rest === "") throw new UsageError(`--outputs ${value}: expected ENV=FILE`);
        let text: string;
        try {
            text = fs.readFileSync(rest, "utf8");
        } catch (error) {
            throw new UsageError(`--outputs ${value}: cannot read ${rest}: ${(error as Error).message}`);
        }
        put(environment, parseStackOutputs(text, `--outputs ${value}`), `--outputs ${value}`);
    }
    for (const value of args.values.get("stack") ?? []) {
        const { env: named, rest } = splitEnvPrefix(value, "stack");
        if (rest === "") throw new UsageError(`--stack ${value}: expected a stack name`);
        const outputs = parseStackOutputs(pulumi(rest), `--stack ${rest}`);
        const environment = named ?? (isEnvironment(outputs.environment) ? outputs.environment : undefined);
        if (!environment) throw new UsageError(`--stack ${rest}: its outputs name no environment; use --stack staging=${rest} or prod=${rest}`);
        put(environment, outputs, `--stack ${rest}`);
    }
    return result;
}

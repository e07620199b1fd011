// Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does for a program: the
// stack's values, namespaced by project, with the project schema's defaults filled in, every
// value handed over as a string (lists and objects as JSON).

import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface ProjectFile {
    name: string;
    config: Record<string, { type?: string; description?: string; default?: unknown; items?: unknown }>;
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

function readYaml(file: string): unknown {
    if (!existsSync(file)) throw new StackFileError(`${path.basename(file)} not found in ${path.dirname(file)}`);
    try {
        return parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(err as Error).message}`);
    }
}

export function readProjectFile(dir = PROJECT_DIR): ProjectFile {
    const doc = readYaml(path.join(dir, "Pulumi.yaml")) as Partial<ProjectFile> | null;
    if (!doc || typeof doc.name !== "string") throw new StackFileError("Pulumi.yaml has no project name");
    return { name: doc.name, config: doc.config ?? {} };
}

/** The stacks that have a Pulumi.<stack>.yaml next to Pulumi.yaml. */
export function stackNames(dir = PROJECT_DIR): string[] {
    return ["staging", "prod"].filter((s) => existsSync(path.join(dir, `Pulumi.${s}.yaml`)));
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Fully qualified key: "controlCpu" -> "<project>:controlCpu"; "gcp:region" stays. */
export function qualifyKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The config a program sees for a stack: stack values, then project defaults for unset
 * project keys, then the overrides (what-ifs from `npm run review -- --set`).
 */
export function readStackConfig(stack: string, overrides: Record<string, string> = {}, dir = PROJECT_DIR): { project: string; config: Record<string, string> } {
    const project = readProjectFile(dir);
    const doc = readYaml(path.join(dir, `Pulumi.${stack}.yaml`)) as { config?: Record<string, unknown> } | null;
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (value === null || value === undefined) continue;
        config[qualifyKey(project.name, key)] = asConfigString(value);
    }
    for (const [key, spec] of Object.entries(project.config)) {
        const full = qualifyKey(project.name, key);
        if (!(full in config) && spec && spec.default !== undefined) config[full] = asConfigString(spec.default);
    }
    for (const [key, value] of Object.entries(overrides)) config[qualifyKey(project.name, key)] = value;
    return { project: project.name, config };
}

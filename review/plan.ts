// Runs the Pulumi program for one stack under Pulumi's mock runtime and records every
// resource registration as plain data: the plan the offline review prints, the tests assert
// on and the policy pack judges. No cloud, no Pulumi CLI.

import { statSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { GCP, isEnvironment, Environment, runAppUrl } from "../catalog";
import { PROJECT_DIR, readStackConfig } from "./stack-files";

export interface RecordedResource {
    /** Pulumi type token, e.g. "gcp:cloudrunv2/service:Service". */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** False for ComponentResources. */
    custom: boolean;
    /** Inputs as the engine sees them (camelCase, Outputs resolved; preview unknowns stay pulumi.unknown). */
    inputs: Record<string, unknown>;
    /** Parent URN; absent for top-level resources. */
    parent?: string;
    /** URNs this resource depends on (explicit dependsOn and inputs from other resources). */
    dependencies: string[];
    /** Custom timeouts the program set, in seconds (how long `up` waits for the provider). */
    customTimeouts?: { createSeconds?: number; updateSeconds?: number; deleteSeconds?: number };
}

export interface StackPlan {
    stack: string;
    project: string;
    environment: Environment;
    /** The config the program saw, fully qualified keys. */
    config: Record<string, string>;
    resources: RecordedResource[];
    /** Stack outputs; values unknown during a preview are UNKNOWN_OUTPUT. */
    outputs: Record<string, unknown>;
}

export interface RecordOptions {
    /** Config what-ifs: "key" (project namespace) or "ns:key" -> raw value. */
    overrides?: Record<string, string>;
    /** Run as a preview: computed outputs (URLs, account emails) stay unknown, as in `pulumi preview`. */
    preview?: boolean;
    /** Project directory holding Pulumi.yaml, the stack files and index.ts. */
    dir?: string;
    /** Where Pulumi.yaml and the stack files are read from, when not `dir` (the program still runs from `dir`). */
    stackDir?: string;
}

export const UNKNOWN_OUTPUT = "(known after apply)";

/** What the cloud would compute on create; a preview leaves these unknown. */
function computedState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "gcp:cloudrunv2/service:Service":
            return { uri: runAppUrl(String(inputs.name)) };
        case "gcp:serviceaccount/account:Account":
            return { email: `${String(inputs.accountId)}@${typeof inputs.project === "string" ? inputs.project : GCP.project}.iam.gserviceaccount.com` };
        default:
            return {};
    }
}

interface MonitorRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
type Callback = (err: unknown, response?: { getUrn(): string }) => void;
interface MockMonitorLike {
    registerResource(req: MonitorRequest, callback: Callback): Promise<void>;
}

async function resolveOutputs(programExports: Record<string, unknown>): Promise<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(programExports)) {
        if (pulumi.Output.isInstance(value)) {
            // Output.promise()/isKnown are internal but stable: the SDK's own tests read them.
            const internal = value as unknown as { promise(): Promise<unknown>; isKnown: Promise<boolean> };
            const [known, resolved] = await Promise.all([internal.isKnown, internal.promise()]);
            // Under mocks a computed output nobody returned resolves to undefined in a preview.
            outputs[key] = known && resolved !== undefined ? resolved : UNKNOWN_OUTPUT;
        } else {
            outputs[key] = value;
        }
    }
    return outputs;
}

/** When each loaded program file was last changed, as seen when it was loaded. */
const loadedVersions = new Map<string, number>();

function changedOnDisk(file: string): boolean {
    try {
        return statSync(file).mtimeMs !== loadedVersions.get(file);
    } catch {
        return true;
    }
}

/**
 * Forgets the program's modules so the next require runs it again with new config. Only the
 * entry point has side effects, so the rest stays loaded unless a file of it changed on disk
 * since it was loaded (a long-lived process, such as the tests); then all of them go.
 */
function unloadProgram(dir: string): void {
    const entry = path.join(dir, "index.ts");
    const files = loadedFiles(dir);
    const stale = files.some((f) => f !== entry && loadedVersions.has(f) && changedOnDisk(f));
    for (const id of stale ? files : [entry]) {
        delete require.cache[id];
        loadedVersions.delete(id);
    }
}

/** Notes when each program file now loaded was last changed. */
function noteLoaded(dir: string): void {
    for (const f of loadedFiles(dir)) {
        try {
            if (!loadedVersions.has(f)) loadedVersions.set(f, statSync(f).mtimeMs);
        } catch {
            // gone since: the next run reloads it
        }
    }
}

/** The tools that run the program, which it never imports (imports point down: README, Layout). */
const TOOLING = ["review", "policies", "bench", "test", "validation", "canary", "scripts", ".github"];

/**
 * The files of `dir` this process has loaded, outside node_modules and the tooling: a superset of
 * the program's own modules once it has run, so when all of them are unchanged at a git ref, so is
 * the program.
 */
export function loadedFiles(dir: string): string[] {
    const root = path.resolve(dir) + path.sep;
    const skip = ["node_modules", ...TOOLING].map((d) => path.join(root, d) + path.sep);
    return Object.keys(require.cache).filter((id) => id.startsWith(root) && !skip.some((d) => id.startsWith(d)));
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs the program for a stack and returns what it declared. Runs are serialised: the mock
 * runtime is process-wide state.
 */
export function recordStack(stack: string, options: RecordOptions = {}): Promise<StackPlan> {
    const run = running.then(() => recordStackNow(stack, options));
    running = run.catch(() => undefined);
    return run;
}

async function recordStackNow(stack: string, options: RecordOptions): Promise<StackPlan> {
    const dir = options.dir ?? PROJECT_DIR;
    const { project, config } = readStackConfig(stack, options.overrides, options.stackDir ?? dir);
    const preview = options.preview ?? false;
    const inputsByKey = new Map<string, Record<string, unknown>>();

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                inputsByKey.set(`${args.type}::${args.name}`, inputs);
                const state = preview ? { ...inputs } : { ...inputs, ...computedState(args.type, inputs) };
                return { id: preview ? undefined : `${args.name}-id`, state };
            },
            call: (args) => args.inputs as Record<string, unknown>,
        },
        project,
        stack,
        preview,
    );
    pulumi.runtime.setAllConfig(config);

    // The mock callbacks do not see parents, dependencies or custom timeouts: read them off the requests.
    const resources: RecordedResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (!err && response) {
                const type = req.getType();
                const name = req.getName();
                resources.push({
                    type,
                    name,
                    urn: response.getUrn(),
                    custom: req.getCustom(),
                    inputs: inputsByKey.get(`${type}::${name}`) ?? {},
                    parent: req.getParent() || undefined,
                    dependencies: [...new Set(req.getDependenciesList())],
                    ...customTimeoutsOf(req),
                });
            }
            callback(err, response);
        });

    unloadProgram(dir);
    // The program is a CommonJS module run for its side effects, as the Pulumi CLI runs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(dir, "index.ts")) as Record<string, unknown>;
    noteLoaded(dir);
    const outputs = await resolveOutputs(program);
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const environment = config[`${project}:environment`];
    if (!isEnvironment(environment)) throw new Error(`stack ${stack}: environment ${environment} is not staging or prod`);
    // Registration order is completion order; sort by URN so plans diff cleanly.
    resources.sort((a, b) => a.urn.localeCompare(b.urn));
    return { stack, project, environment, config, resources, outputs };
}

/** Test and review helper: the resources of a type, optionally by logical name. */
export function resourcesOfType(plan: StackPlan, type: string): RecordedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function findResource(plan: StackPlan, type: string, name: string): RecordedResource {
    const found = plan.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        const names =
            resourcesOfType(plan, type)
                .map((r) => r.name)
                .join(", ") || "none";
        throw new Error(`no ${type} named ${name} in stack ${plan.stack} (have: ${names})`);
    }
    return found;
}

/** "1800s", "30m", "1h30m" (Go durations, as the SDK sends them) -> seconds; undefined when unset or not one. */
function durationToSeconds(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const parts = [...value.matchAll(/([0-9]+(?:\.[0-9]+)?)(h|m|s|ms)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return undefined;
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    return parts.reduce((total, p) => total + Number(p[1]) * unit[p[2]], 0);
}

function customTimeoutsOf(req: MonitorRequest): Pick<RecordedResource, "customTimeouts"> {
    const t = req.getCustomtimeouts();
    if (!t) return {};
    const createSeconds = durationToSeconds(t.getCreate());
    const updateSeconds = durationToSeconds(t.getUpdate());
    const deleteSeconds = durationToSeconds(t.getDelete());
    if (createSeconds === undefined && updateSeconds === undefined && deleteSeconds === undefined) return {};
    return { customTimeouts: { createSeconds, updateSeconds, deleteSeconds } };
}

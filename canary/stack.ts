// The Pulumi stack a rollout drives, behind a small interface: read and set this project's
// config, `up` with the policy pack and the stack's policy config, read the outputs, cancel. The
// real one is the Automation API of @pulumi/pulumi on this project's directory (it needs the
// Pulumi CLI on PATH, run in a process group of its own: see pulumi-command.ts); the tests drive a
// fake that keeps the same contract, and a stand-in CLI (test/canary/pulumi-stand-in.js).

import * as fs from "node:fs";
import * as path from "node:path";
import type * as Automation from "@pulumi/pulumi/automation";
import { type Environment, stackInitCommand } from "../catalog";
import { ownGroupPulumiCommand } from "./pulumi-command";

/** What an `up` did, as the evidence records it. */
export interface UpSummary {
    result: string;
    /** Resource operations by kind (same, update, create, replace, delete). */
    changes: Record<string, number>;
    durationMs: number;
}

/** Why a Pulumi command failed, from the SDK's typed errors (and, where the SDK has no type, the CLI's own sentence). */
export type StackErrorKind = "policy" | "locked" | "not-found" | "secrets" | "cli-missing" | "command" | "other";

/** An `up` (or a stack selection) that failed: a policy violation, a locked stack, a missing stack, ... */
export class StackError extends Error {
    constructor(
        message: string,
        readonly kind: StackErrorKind,
    ) {
        super(message);
        this.name = "StackError";
    }
}

export interface RolloutStack {
    readonly name: string;
    /** The stack file the config lives in (committed once the rollout is over). */
    readonly stackFile: string;
    /** A key of this project's namespace (controlCanaryPercent); undefined when unset. */
    getConfig(key: string): Promise<string | undefined>;
    setConfig(key: string, value: string): Promise<void>;
    /** Runs `pulumi up` with the policy pack; throws StackError on a failed update. */
    up(options: { onOutput?: (line: string) => void; signal?: AbortSignal }): Promise<UpSummary>;
    outputs(): Promise<Record<string, unknown>>;
    /** Cancels an update in progress (the stack may then need `pulumi cancel`/refresh). */
    cancel(): Promise<void>;
}

export interface AutomationStackOptions {
    /** The project's directory (Pulumi.yaml). */
    projectDir: string;
    stackName: string;
    environment: Environment;
    /** Where DEPLOY_GOOGLE_APPLICATION_CREDENTIALS is read (process.env by default; see cliEnv). */
    env?: NodeJS.ProcessEnv;
}

/** The CLI's output kept in the SDK's CommandError (automation/cmd.js:39-53, a private field of its type). */
interface CommandOutput {
    stdout?: string;
    stderr?: string;
    err?: NodeJS.ErrnoException;
}

function commandOutput(error: unknown): CommandOutput {
    return (error as { commandResult?: CommandOutput }).commandResult ?? {};
}

// The CLI's own sentences for failures the SDK gives no type of its own (its types: automation/errors.js:69-83).
/** pulumi/pulumi pkg/secrets/passphrase/manager.go:394-396@1b59498: a passphrase stack run non-interactively without one. */
export const PASSPHRASE_MISSING = "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables";
/** A mandatory violation as the CLI renders it: `<pack>@v<version> [mandatory]  <policy> (<type>: <name>)` (pkg/backend/display/diff.go:227-250@1b59498). */
const MANDATORY_POLICY = /\[mandatory\]/;

/** Why an Automation API call failed, as a StackError kind: by the SDK's error types first. */
export function classifyStackError(error: unknown, automation: Pick<typeof Automation, "CommandError" | "ConcurrentUpdateError" | "StackNotFoundError">): StackErrorKind {
    if (error instanceof automation.StackNotFoundError) return "not-found";
    if (error instanceof automation.ConcurrentUpdateError) return "locked";
    if (!(error instanceof automation.CommandError)) return "other";
    const out = commandOutput(error);
    // The CLI could not be started at all: the spawn's own error, never a sentence in its output.
    if (out.err?.code === "ENOENT") return "cli-missing";
    const text = `${out.stderr ?? ""}\n${out.stdout ?? ""}`;
    if (text.includes(PASSPHRASE_MISSING)) return "secrets";
    if (MANDATORY_POLICY.test(text)) return "policy";
    return "command";
}

const CLI_MISSING = "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) or, in CI, add pulumi/actions without a command before this step";
const HINTS: Partial<Record<StackErrorKind, (stack: string) => string>> = {
    "not-found": (stack) => `stack ${stack} does not exist in this backend (PULUMI_BACKEND_URL): check the backend, or create it once with \`${stackInitCommand(stack)}\` (docs/operations.md)`,
    secrets: (stack) => `the stack file Pulumi.${stack}.yaml names no secrets provider, so the CLI asks for a passphrase: commit its secretsprovider and encryptedkey lines (docs/operations.md)`,
    locked: (stack) => `stack ${stack} is locked by another update: wait for it, or \`pulumi cancel --stack ${stack}\` if none runs`,
};

/** The last meaningful lines of what the CLI said, for a one-line cause. */
function lastLines(error: unknown): string {
    const out = commandOutput(error);
    const said = out.stderr?.trim() || out.stdout?.trim() || (error instanceof Error ? error.message : String(error));
    const lines = said
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^(stderr|stdout|code|err\?):?/i.test(l));
    const errors = lines.filter((l) => /error|violation/i.test(l));
    return (errors.length > 0 ? errors.slice(-2) : lines.slice(-1)).join(" / ").slice(0, 600);
}

/** The StackError for a failed command: its kind by type, the CLI's last words, and what to do where that is known. */
export function stackError(what: string, stackName: string, error: unknown, automation: Parameters<typeof classifyStackError>[1]): StackError {
    const kind = classifyStackError(error, automation);
    if (kind === "cli-missing") return new StackError(CLI_MISSING, kind);
    if (kind === "policy") {
        const out = commandOutput(error);
        const violations = `${out.stdout ?? ""}\n${out.stderr ?? ""}`
            .split("\n")
            .filter((l) => MANDATORY_POLICY.test(l))
            .map((l) => l.trim());
        return new StackError(`${what} failed: mandatory policy violation: ${[...new Set(violations)].join(" / ").slice(0, 600)}`, kind);
    }
    const hint = HINTS[kind]?.(stackName);
    return new StackError(`${what} failed: ${lastLines(error)}${hint ? ` (${hint})` : ""}`, kind);
}

/**
 * The environment the CLI gets on top of this process's: with DEPLOY_GOOGLE_APPLICATION_CREDENTIALS
 * set, the deployer's credentials file becomes the CLI's Application Default Credentials, while
 * this process's own reads (traffic, analysis, gate) keep GOOGLE_APPLICATION_CREDENTIALS: the
 * reader's. CI passes the two files of two identities this way (docs/workflows.md).
 */
export function cliEnv(env: NodeJS.ProcessEnv): Record<string, string> {
    const deploy = env.DEPLOY_GOOGLE_APPLICATION_CREDENTIALS?.trim();
    return deploy ? { GOOGLE_APPLICATION_CREDENTIALS: deploy, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: deploy } : {};
}

/** The real stack: LocalWorkspace.selectStack on the project directory, the CLI in its own process group. */
export async function automationStack(options: AutomationStackOptions): Promise<RolloutStack> {
    // Loaded here, not at the top: the analysis and the tests never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const automation = require("@pulumi/pulumi/automation") as typeof Automation;
    const name = options.stackName;
    let stack: Awaited<ReturnType<typeof automation.LocalWorkspace.selectStack>>;
    try {
        const pulumiCommand = await ownGroupPulumiCommand(automation);
        stack = await automation.LocalWorkspace.selectStack({ stackName: name, workDir: options.projectDir }, { pulumiCommand, envVars: cliEnv(options.env ?? process.env) });
    } catch (error) {
        throw stackError(`pulumi stack select ${name}`, name, error, automation);
    }
    const policyConfig = path.join(options.projectDir, ".github", "policy-config", `${options.environment}.json`);
    const stackFile = path.join(options.projectDir, `Pulumi.${name}.yaml`);
    const wrap = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
        try {
            return await call();
        } catch (error) {
            throw stackError(what, name, error, automation);
        }
    };
    return {
        name,
        stackFile,
        getConfig: (key) =>
            wrap(`pulumi config (${name})`, async () => {
                const all = await stack.getAllConfig();
                const entry = Object.entries(all).find(([k]) => k === key || k.endsWith(`:${key}`));
                return entry?.[1].value;
            }),
        setConfig: (key, value) => wrap(`pulumi config set ${key} (${name})`, () => stack.setConfig(key, { value })),
        up: ({ onOutput, signal }) =>
            wrap("pulumi up", async () => {
                const started = Date.now();
                const result = await stack.up({
                    policyPacks: [path.join(options.projectDir, "policies")],
                    policyPackConfigs: fs.existsSync(policyConfig) ? [policyConfig] : [],
                    onOutput: onOutput
                        ? (out) =>
                              out
                                  .split("\n")
                                  .filter(Boolean)
                                  .forEach((l) => onOutput(l))
                        : undefined,
                    signal,
                    color: "never",
                    message: `canary rollout of ${name}`,
                });
                const changes: Record<string, number> = {};
                for (const [kind, n] of Object.entries(result.summary.resourceChanges ?? {})) changes[kind] = Number(n);
                return { result: result.summary.result, changes, durationMs: Date.now() - started };
            }),
        outputs: () => wrap(`pulumi stack output (${name})`, async () => Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value]))),
        cancel: () => wrap(`pulumi cancel (${name})`, () => stack.cancel()),
    };
}

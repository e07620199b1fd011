// The Pulumi stack a rollout drives, behind a small interface: read and set this project's
// config, `up` with the policy pack and the stack's policy config, read the outputs, cancel. The
// real one is the Automation API of @pulumi/pulumi on this project's directory (it needs the
// Pulumi CLI on PATH); the tests drive a fake that keeps the same contract.

import * as fs from "node:fs";
import * as path from "node:path";
import type * as Automation from "@pulumi/pulumi/automation";
import type { Environment } from "../catalog";

/** What an `up` did, as the evidence records it. */
export interface UpSummary {
    result: string;
    /** Resource operations by kind (same, update, create, replace, delete). */
    changes: Record<string, number>;
    durationMs: number;
}

/** An `up` that failed: a policy violation, a provider error, a locked stack. */
export class StackError extends Error {
    constructor(
        message: string,
        readonly kind: "policy" | "provider" | "locked" | "cli-missing" | "other",
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
}

/** Why an Automation API error happened, as a StackError kind. */
export function classifyStackError(message: string): StackError["kind"] {
    if (/ENOENT|not found|command not found|no such file/i.test(message) && /pulumi/i.test(message)) return "cli-missing";
    if (/mandatory policy violation|policy violation|Policy Violations/i.test(message)) return "policy";
    if (/the stack is currently locked|conflict: Another update is currently in progress/i.test(message)) return "locked";
    if (/error: .*(googleapi|Error 4\d\d|Error 5\d\d|provider)/i.test(message)) return "provider";
    return "other";
}

const CLI_MISSING = "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) or, in CI, add pulumi/actions without a command before this step";

/** The last meaningful line of a long Pulumi error, for a one-line cause. */
function lastLines(message: string): string {
    const lines = message.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(stderr|stdout|code):?$/i.test(l));
    const errors = lines.filter((l) => /error|violation/i.test(l));
    return (errors.length > 0 ? errors.slice(-2) : lines.slice(-1)).join(" / ").slice(0, 600);
}

/** The real stack: LocalWorkspace.selectStack on the project directory. */
export async function automationStack(options: AutomationStackOptions): Promise<RolloutStack> {
    // Loaded here, not at the top: the analysis and the tests never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const automation = require("@pulumi/pulumi/automation") as typeof Automation;
    let stack: Awaited<ReturnType<typeof automation.LocalWorkspace.selectStack>>;
    try {
        stack = await automation.LocalWorkspace.selectStack({ stackName: options.stackName, workDir: options.projectDir });
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const kind = classifyStackError(message);
        throw new StackError(kind === "cli-missing" ? CLI_MISSING : `pulumi stack select ${options.stackName} failed: ${lastLines(message)}`, kind);
    }
    const policyConfig = path.join(options.projectDir, ".github", "policy-config", `${options.environment}.json`);
    const stackFile = path.join(options.projectDir, `Pulumi.${options.stackName}.yaml`);
    return {
        name: options.stackName,
        stackFile,
        getConfig: async (key) => {
            const all = await stack.getAllConfig();
            const entry = Object.entries(all).find(([k]) => k === key || k.endsWith(`:${key}`));
            return entry?.[1].value;
        },
        setConfig: (key, value) => stack.setConfig(key, { value }),
        up: async ({ onOutput, signal }) => {
            const started = Date.now();
            try {
                const result = await stack.up({
                    policyPacks: [path.join(options.projectDir, "policies")],
                    policyPackConfigs: fs.existsSync(policyConfig) ? [policyConfig] : [],
                    onOutput: onOutput ? (out) => out.split("\n").filter(Boolean).forEach((l) => onOutput(l)) : undefined,
                    signal,
                    color: "never",
                    message: `canary rollout of ${options.stackName}`,
                });
                const changes: Record<string, number> = {};
                for (const [kind, n] of Object.entries(result.summary.resourceChanges ?? {})) changes[kind] = Number(n);
                return { result: result.summary.result, changes, durationMs: Date.now() - started };
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                throw new StackError(`pulumi up failed: ${lastLines(message)}`, classifyStackError(message));
            }
        },
        outputs: async () => Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value])),
        cancel: () => stack.cancel(),
    };
}

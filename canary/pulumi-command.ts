// The Pulumi CLI as the Automation API runs it, but in a process group of its own.
//
// Why: the CLI cancels an `up` on its own first SIGINT and terminates on the second
// (pulumi/pulumi pkg/backend/cancellation_scope.go:64-118@1b59498), and the SDK starts it in the
// caller's process group (execa without `detached`: @pulumi/pulumi 3.276.0 automation/cmd.js:164).
// A Ctrl-C on a terminal goes to the whole foreground group, so the CLI cancelled the `up` on the
// first one, before this process could decide anything. Here the CLI gets a session and group of
// its own (spawn `detached`), so a signal reaches it only when it is sent on purpose: the SDK's
// `signal` option (SIGINT to the CLI alone, automation/cmd.js:181-184), and a last SIGINT if this
// process exits while the CLI still runs, the CLI's "terminate" (the signal it would have had
// from the terminal).
//
// Everything else is the SDK's run, reproduced: `--non-interactive`, PULUMI_AUTOMATION_API, the
// CLI's directory first on PATH (automation/cmd.js:140-157), the output streamed, and a non-zero
// exit turned into the SDK's own typed errors by its own createCommandError (automation/errors.js:69-83).

import { spawn } from "node:child_process";
import * as path from "node:path";
import type * as Automation from "@pulumi/pulumi/automation";

/** The SDK's CommandResult (automation/cmd.js:39-53), internal to it. */
interface CommandResultLike {
    stdout: string;
    stderr: string;
    code: number;
    err?: Error;
}

type Run = (
    args: string[],
    cwd: string,
    additionalEnv: Record<string, string>,
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
) => Promise<CommandResultLike>;

interface SdkInternals {
    CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => CommandResultLike;
    createCommandError: (result: CommandResultLike) => Error;
}

function internals(): SdkInternals {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const cmd = require("@pulumi/pulumi/automation/cmd") as Pick<SdkInternals, "CommandResult">;
    const errors = require("@pulumi/pulumi/automation/errors") as Pick<SdkInternals, "createCommandError">;
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { CommandResult: cmd.CommandResult, createCommandError: errors.createCommandError };
}

/** Runs one CLI command in its own process group; rejects with the SDK's typed errors. */
export function runInOwnGroup(command: string): Run {
    const sdk = internals();
    return (args, cwd, additionalEnv, onOutput, onError, signal) =>
        new Promise((resolve, reject) => {
            const argv = args.includes("--non-interactive") ? [...args] : [...args, "--non-interactive"];
            const env: NodeJS.ProcessEnv = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
            if (path.isAbsolute(command)) env.PATH = `${path.dirname(command)}${path.delimiter}${additionalEnv.PATH ?? process.env.PATH ?? ""}`;
            const child = spawn(command, argv, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.setEncoding("utf8").on("data", (d: string) => {
                stdout += d;
                onOutput?.(d);
            });
            child.stderr.setEncoding("utf8").on("data", (d: string) => {
                stderr += d;
                onError?.(d);
            });
            const interrupt = (): void => void (child.exitCode === null && child.signalCode === null && child.kill("SIGINT"));
            // This process going away (a third signal exits at once) must not leave the CLI running unseen.
            const onExit = (): void => interrupt();
            process.once("exit", onExit);
            if (signal?.aborted) interrupt();
            signal?.addEventListener("abort", interrupt, { once: true });
            let settled = false;
            const finish = (result: CommandResultLike): void => {
                if (settled) return;
                settled = true;
                process.removeListener("exit", onExit);
                signal?.removeEventListener("abort", interrupt);
                if (result.code === 0) resolve(result);
                else reject(sdk.createCommandError(result));
            };
            child.on("error", (err) => finish(new sdk.CommandResult(stdout, err.message, -2, err)));
            child.on("close", (code, sig) => finish(new sdk.CommandResult(stdout, stderr, code ?? (sig ? 128 : -1))));
        });
}

/** The SDK's PulumiCommand for the CLI on PATH (its version check included), run in its own process group. */
export async function ownGroupPulumiCommand(automation: typeof Automation): Promise<Automation.PulumiCommand> {
    const cli = await automation.PulumiCommand.get();
    // `run` is the SDK's internal entry point for every command a workspace and a stack send
    // (automation/stack.js:1328, localWorkspace.js runPulumiCmd); the instance keeps its command and version.
    Object.defineProperty(cli, "run", { value: runInOwnGroup(cli.command), enumerable: false });
    return cli;
}

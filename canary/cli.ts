// `npm run canary -- <command> [options]`. Commands: analyze (judge the control service's
// current canary stage), rollout (drive the ladder), rollback (back to the stable revision).
// Each command's exit codes are in its help (ANALYZE_EXIT, ROLLOUT_EXIT, ROLLBACK_EXIT), which
// docs/canary.md is checked against.

import { assertWritableDir } from "../io/evidence/atomic";
import { CLOUD_PLATFORM_SCOPE, adcLoader, adcTokenSource } from "../io/gcp/credentials";
import { UsageError } from "../io/usage-error";
import { onStopSignals } from "../io/stop-signals";
import { runAnalysis } from "./analyze";
import { MONITORING_READ_SCOPE } from "./monitoring";
import { ANALYZE_OPTIONS, type AnalyzeOptions, resolveAnalyzeOptions } from "./options";
import { type OptionRow, describeOption, flagUsage } from "../io/options";
import { ROLLOUT_EXIT } from "./rollout";
import { rollbackMain, rolloutMain } from "./rollout-cli";
import { rolloutHelpLines } from "./rollout-options";

const COMMANDS = ["analyze", "rollout", "rollback"] as const;
type Command = (typeof COMMANDS)[number];

/** Exit codes per command: the code, then what it means. */
export const ANALYZE_EXIT: ReadonlyArray<[number, string]> = [
    [0, "promote"],
    [1, "roll back"],
    [2, "usage or config error (no Google credentials among them)"],
    [3, "hold"],
];
const ROLLOUT_EXITS: ReadonlyArray<[number, string]> = [
    [ROLLOUT_EXIT.promoted, "promoted to 100 % (or staged at 0 % with --stage, or nothing to roll out)"],
    [ROLLOUT_EXIT["rolled-back"], "rolled back, or the gate said NO-GO"],
    [ROLLOUT_EXIT.usage, "usage or config error"],
    [ROLLOUT_EXIT.held, "held past --max-holds"],
    [ROLLOUT_EXIT["up-failed"], "an up failed"],
    [ROLLOUT_EXIT.error, "any other error: the evidence says where it stopped and gives the resume command"],
];
export const ROLLBACK_EXIT: ReadonlyArray<[number, string]> = [
    [0, "rolled back and the gate said GO"],
    [1, "the gate said NO-GO after the rollback"],
    [2, "usage error, or nothing to roll back to"],
    [4, "the up failed (the stack file's config is put back)"],
];
const INTERRUPTED = "130/143 interrupted (the evidence is written first)";
/** A rollback that ran to its end keeps its outcome's code, signal or not (canary/rollback.ts rollbackExitCode). */
const ROLLBACK_INTERRUPTED = "130/143 interrupted: only when a signal cut the gate short; a rollback that ran to its end exits with its outcome";

function exitLines(codes: ReadonlyArray<[number, string]>, interrupted = INTERRUPTED): string[] {
    return ["", "Exit codes:", ...codes.map(([code, what]) => `  ${code}  ${what}`), `  ${interrupted}`];
}

function analyzeHelp(): string[] {
    const lines = [
        "Usage: npm run canary -- analyze --environment staging|prod (--outputs ENV=FILE | --stack ENV=NAME) [options]",
        "",
        "Judges the control service's canary stage on Cloud Monitoring (request_count, request_latencies)",
        "against the stable revision and decides promote, hold or rollback, with evidence",
        "(analysis.json, SUMMARY.md). Precedence: flags > env vars > stack outputs > catalog defaults.",
        "Needs Google credentials: export CLOUDSDK_AUTH_ACCESS_TOKEN=$(gcloud auth print-access-token),",
        "or gcloud auth application-default login; without them it stops at once (exit 2).",
        "",
        "Options:",
    ];
    const rows: OptionRow[] = Object.values(ANALYZE_OPTIONS);
    for (const o of rows.filter((r) => r.flag !== undefined)) lines.push(`${`  ${flagUsage(o)}`.padEnd(32)} ${describeOption(o)}${o.env ? ` [env ${o.env.join(", ")}]` : ""}`);
    lines.push("", "Env vars without a flag:");
    for (const o of rows.filter((r) => r.flag === undefined)) lines.push(`  ${o.env!.join(", ")}${o.value ? `=${o.value}` : ""}`, `      ${describeOption(o)}`);
    return [...lines, ...exitLines(ANALYZE_EXIT)];
}

function rolloutHelp(): string[] {
    return [
        "Usage: npm run canary -- rollout --environment prod [--stack prod] [options]",
        "",
        "Drives the ladder through the Pulumi Automation API (needs the Pulumi CLI): the serving revision",
        "becomes controlStableRevision, the new one goes up at 0 % and is gated, then each rung is applied,",
        "waited on and judged; promote, hold or roll back; at 100 % the stack file is committed.",
        "",
        "Options:",
        ...rolloutHelpLines("rollout"),
        ...exitLines(ROLLOUT_EXITS),
    ];
}

function rollbackHelp(): string[] {
    return [
        "Usage: npm run canary -- rollback --environment prod [--stack prod] [--to REVISION] [options]",
        "",
        "controlCanaryPercent 0 on controlStableRevision (or REVISION), up, the gate, the stack file committed.",
        "Never waits for staging.",
        "",
        "Options:",
        ...rolloutHelpLines("rollback"),
        ...exitLines(ROLLBACK_EXIT, ROLLBACK_INTERRUPTED),
    ];
}

/** The help of one command, or the overview of all three. */
export function helpText(command?: Command): string {
    const lines =
        command === "analyze"
            ? analyzeHelp()
            : command === "rollout"
              ? rolloutHelp()
              : command === "rollback"
                ? rollbackHelp()
                : [
                      "Usage: npm run canary -- analyze|rollout|rollback [options]   (npm run canary -- COMMAND --help for one)",
                      "",
                      "  analyze   judge the control service's current canary stage on Cloud Monitoring: promote, hold or roll back",
                      "  rollout   walk the canary ladder through the Pulumi Automation API, judging each stage",
                      "  rollback  serve controlStableRevision (or --to REVISION) 100 % again",
                      "",
                      `Exit codes: analyze ${ANALYZE_EXIT.map(([c]) => c).join("/")}, rollout ${ROLLOUT_EXITS.map(([c]) => c).join("/")}, rollback ${ROLLBACK_EXIT.map(([c]) => c).join("/")} (each command's help says what each means); 2 is always a usage error; ${INTERRUPTED}.`,
                  ];
    return `${lines.join("\n")}\n`;
}

/**
 * Google credentials for the analysis, or a usage error naming the commands that provide them:
 * with none, every read fails and the analysis could only hold, which reads as a verdict.
 */
export async function checkCredentials(options: Pick<AnalyzeOptions, "accessToken">, load = adcLoader([MONITORING_READ_SCOPE, CLOUD_PLATFORM_SCOPE])): Promise<void> {
    // The analysis makes its own source, so the token it obtains joins its redactor.
    if (options.accessToken) return;
    try {
        await adcTokenSource(load).token();
    } catch {
        throw new UsageError(
            "no Google credentials to read Cloud Monitoring with: export CLOUDSDK_AUTH_ACCESS_TOKEN=$(gcloud auth print-access-token), or run gcloud auth application-default login (in CI: google-github-actions/auth)",
        );
    }
}

export async function main(argv: readonly string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h") {
        process.stdout.write(helpText());
        return command === undefined ? 2 : 0;
    }
    if ((COMMANDS as readonly string[]).includes(command) && (rest.includes("--help") || rest.includes("-h"))) {
        process.stdout.write(helpText(command as Command));
        return 0;
    }
    if (command === "rollout") return rolloutMain(rest);
    if (command === "rollback") return rollbackMain(rest);
    let options: AnalyzeOptions;
    try {
        if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command.slice(0, 40)}' (commands: ${COMMANDS.join(", ")})`);
        options = resolveAnalyzeOptions(rest);
        assertWritableDir(options.outputDir, "--output-dir");
        await checkCredentials(options);
    } catch (error) {
        if (error instanceof UsageError || (error instanceof Error && error.message.startsWith("--output-dir"))) {
            process.stderr.write(`error: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
    // A second signal stops at once.
    const signals = onStopSignals(["stopping; writing the evidence (the decision is a hold)"]);
    const controller = signals.stages[0];
    const run = await runAnalysis(options, { interrupt: controller.signal, stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined });
    return signals.exitCode() ?? run.exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(2);
        },
    );
}

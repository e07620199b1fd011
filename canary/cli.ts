// `npm run canary -- <command> [options]`. Commands: analyze (judge the control service's
// current canary stage: exit 0 promote, 1 roll back, 3 hold), rollout (drive the ladder: 0
// promoted, 1 rolled back or NO-GO, 3 held, 4 an up failed), rollback (back to the stable
// revision: 0 done and GO, 1 NO-GO, 4 the up failed). 2 usage or config error; 130/143
// interrupted (the evidence is written first).

import { assertWritableDir } from "../validation/evidence/atomic";
import { UsageError } from "../validation/options";
import { onStopSignals } from "../validation/stop-signals";
import { runAnalysis } from "./analyze";
import { ANALYZE_ENV_HELP, ANALYZE_FLAGS, type AnalyzeOptions, resolveAnalyzeOptions } from "./options";
import { rollbackMain, rolloutMain } from "./rollout-cli";
import { ROLLOUT_HELP } from "./rollout-options";

const COMMANDS = ["analyze", "rollout", "rollback"] as const;

export function helpText(): string {
    const lines = [
        "Usage: npm run canary -- analyze --environment staging|prod (--outputs ENV=FILE | --stack ENV=NAME) [options]",
        "",
        "Judges the control service's canary stage on Cloud Monitoring (request_count, request_latencies)",
        "against the stable revision and decides promote, hold or rollback, with evidence",
        "(analysis.json, SUMMARY.md). Precedence: flags > env vars > stack outputs > catalog defaults.",
        "",
        "Options:",
    ];
    for (const f of ANALYZE_FLAGS) lines.push(`${`  --${f.name}${f.value ? ` ${f.value}` : ""}`.padEnd(32)} ${f.help}${f.env ? ` [env ${f.env}]` : ""}`);
    lines.push("", "Env vars without a flag:");
    for (const [name, help] of ANALYZE_ENV_HELP) lines.push(`  ${name}`, `      ${help}`);
    lines.push("", "Exit codes: 0 promote, 1 roll back, 2 usage/config error, 3 hold, 130/143 interrupted.");
    lines.push(
        "",
        "npm run canary -- rollout --environment prod [--stack prod] [options]",
        "  Drives the ladder through the Pulumi Automation API (needs the Pulumi CLI): the serving revision",
        "  becomes controlStableRevision, the new one goes up at 0 % and is gated, then each rung is applied,",
        "  waited on and judged; promote, hold or roll back; at 100 % the stack file is committed.",
        "  Exit codes: 0 promoted, 1 rolled back or NO-GO, 2 usage, 3 held past --max-holds, 4 an up failed, 130/143 interrupted.",
        "npm run canary -- rollback --environment prod [--stack prod] [--to REVISION]",
        "  controlCanaryPercent 0 on controlStableRevision (or REVISION), up, the gate, the stack file committed.",
        "",
        "Rollout and rollback options:",
        ...ROLLOUT_HELP,
    );
    return `${lines.join("\n")}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || rest.includes("--help")) {
        process.stdout.write(helpText());
        return command === undefined ? 2 : 0;
    }
    if (command === "rollout") return rolloutMain(rest);
    if (command === "rollback") return rollbackMain(rest);
    let options: AnalyzeOptions;
    try {
        if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command '${command.slice(0, 40)}' (commands: ${COMMANDS.join(", ")})`);
        options = resolveAnalyzeOptions(rest);
        assertWritableDir(options.outputDir, "--output-dir");
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

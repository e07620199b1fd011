// `npm run validate -- [options]`: the post-deploy gate. Exit 0 GO (or NO-GO with
// FAIL_ON_REQUIRED_FAILURE=0), 1 NO-GO, 2 usage or config error, 130/143/129 interrupted by
// SIGINT/SIGTERM/SIGHUP (the evidence is written first, unfinished checks failed "interrupted").

import { CHECK_IDS, selectChecks, unknownCheckIds } from "./checks";
import { runGate } from "./gate";
import { UsageError } from "../io/usage-error";
import { type GateOptions, OPTION_LIST, resolveOptions } from "./options";
import { describeOption as describe, flagUsage } from "../io/options";
import { onStopSignals } from "../io/stop-signals";

export function helpText(): string {
    const lines = [
        "Usage: npm run validate -- [options]",
        "",
        "Post-deploy gate for the OpenAgents Rust lanes: probes the deployed services, writes the",
        "evidence (results.tsv, logs/<id>.log, SUMMARY.md, results.json, junit.xml) and decides GO/NO-GO.",
        "Precedence: flags > env vars > stack outputs (--stack/--outputs) > defaults.",
        "",
        "Options:",
    ];
    const flags = OPTION_LIST.filter((o) => o.flag !== undefined);
    for (const o of flags) {
        const left = `  ${flagUsage(o)}`;
        lines.push(`${left.padEnd(38)} ${describe(o)}${o.env ? ` [env ${o.env.join(", ")}]` : ""}${o.repeat ? " (repeatable)" : ""}`);
    }
    lines.push("", "Env vars without a flag (secrets are read from the environment only):");
    for (const o of OPTION_LIST.filter((x) => x.flag === undefined)) lines.push(`  ${o.env!.join(", ")}${o.value ? `=${o.value}` : ""}`, `      ${describe(o)}`);
    lines.push("", "Checks (in order):", ...CHECK_IDS.map((id) => `  ${id}`));
    lines.push(
        "",
        "Exit codes: 0 GO (or NO-GO with FAIL_ON_REQUIRED_FAILURE=0), 1 NO-GO, 2 usage/config error,",
        "            130 interrupted (SIGINT), 143 terminated (SIGTERM), 129 hung up (SIGHUP).",
    );
    return `${lines.join("\n")}\n`;
}

let outputGuarded = false;
/** A closed stdout or stderr (the reader of `| head` gone) is no reason to crash or lose the run. */
function ignoreClosedOutput(): void {
    if (outputGuarded) return;
    outputGuarded = true;
    process.stdout.on("error", () => undefined);
    process.stderr.on("error", () => undefined);
}

export async function main(argv: readonly string[]): Promise<number> {
    ignoreClosedOutput();
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(helpText());
        return 0;
    }
    let options: GateOptions;
    try {
        options = resolveOptions(argv);
        const unknown = unknownCheckIds(options.only ?? []);
        if (unknown.length > 0) throw new UsageError(`--only: unknown check id(s) ${unknown.join(", ")} (known: ${CHECK_IDS.join(", ")})`);
        // An empty run would be a GO that checked nothing.
        if (selectChecks(options).length === 0) throw new UsageError(`--only ${options.only?.join(",")} selects no check of --environment ${options.environment}`);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`error: ${error.message}\n`);
            return 2;
        }
        throw error;
    }

    // A second signal stops at once.
    const signals = onStopSignals(['stopping; writing the evidence with unfinished checks failed "interrupted"']);
    const controller = signals.stages[0];

    try {
        const run = await runGate(options, { interrupt: controller.signal, stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined });
        return signals.exitCode() ?? run.exitCode;
    } catch (error) {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        return signals.exitCode() ?? 2;
    }
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

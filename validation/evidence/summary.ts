// SUMMARY.md: the old gate's sections (title, timestamp, Overall, counts, Environment, check
// table, commands) plus Go/No-Go: per blocking check, what blocks and the action to take.

import type { CheckResult } from "../check";
import type { Decision } from "../decision";
import type { EnvironmentEntry } from "./environment";

export const SUMMARY_TITLE = "# Rust Cutover Validation Summary";

function md(text: string): string {
    return text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
}

function code(text: string): string {
    return `\`${text.replace(/`/g, "'").replace(/[\r\n]+/g, " ")}\``;
}

export interface SummaryInput {
    generatedAt: string;
    results: readonly CheckResult[];
    decision: Decision;
    environment: readonly EnvironmentEntry[];
    failOnRequiredFailure: boolean;
}

export function renderSummary(s: SummaryInput): string {
    const d = s.decision;
    const out: string[] = [];
    out.push(SUMMARY_TITLE, "");
    out.push(`- Timestamp (UTC): ${s.generatedAt}`);
    out.push(`- Overall: \`${d.overall}\``);
    out.push(`- Decision: **${d.go ? "GO" : "NO-GO"}**${d.interrupted ? " (run interrupted)" : ""}`);
    out.push("");
    out.push("## Counts", "");
    out.push(`- Total checks: ${d.counts.total}`);
    out.push(`- Passed: ${d.counts.passed}`);
    out.push(`- Required failures: ${d.counts.requiredFailures}`);
    out.push(`- Optional failures: ${d.counts.optionalFailures}`);
    out.push(`- Required skipped: ${d.counts.requiredSkipped}`);
    out.push(`- Optional skipped: ${d.counts.optionalSkipped}`);
    out.push("");
    out.push("## Environment", "");
    for (const e of s.environment) out.push(`- ${e.name}: ${code(e.value)}${e.source && e.source !== "unset" ? ` (${e.source})` : ""}`);
    out.push("");
    out.push("## Checks", "");
    out.push("| check_id | required | status | cause | log |");
    out.push("|---|---|---|---|---|");
    for (const r of s.results) {
        out.push(`| ${md(r.id)} | ${r.required ? "required" : "optional"} | ${r.status} | ${md(r.cause ?? "")} | [${md(r.logPath)}](${r.logPath}) |`);
    }
    out.push("");
    out.push("## Commands", "");
    for (const r of s.results) {
        out.push(`- \`${r.id}\`: ${r.status === "skipped" ? `skipped: ${md(r.cause ?? "")}` : code(r.command)}`);
    }
    out.push("");
    out.push("## Go/No-Go", "");
    if (d.go) {
        out.push("**GO**: every required check passed.");
    } else {
        out.push(`**NO-GO**: ${d.blockers.length} required check(s) did not pass${d.interrupted ? "; the run was interrupted" : ""}${d.counts.total === 0 ? "; no checks ran" : ""}.`);
        if (!s.failOnRequiredFailure) out.push("", "FAIL_ON_REQUIRED_FAILURE=0: the gate exits 0 anyway (pre-cutover baseline only).");
        out.push("", "Blocking, with the action to take before re-running:", "");
        d.blockers.forEach((b, i) => {
            const what = b.status === "skipped" ? `skipped (${md(b.cause ?? "")})` : `failed: ${md(b.cause ?? "")}`;
            out.push(`${i + 1}. **${b.id}** ${what}. Action: ${md(b.action ?? "read the log and fix the cause")}.`);
        });
    }
    const optional = s.results.filter((r) => !r.required && r.status === "failed");
    const warned = s.results.filter((r) => r.warnings.length > 0);
    if (optional.length > 0 || warned.length > 0) {
        out.push("", "Not blocking:", "");
        for (const r of optional) out.push(`- **${r.id}** (optional) failed: ${md(r.cause ?? "")}`);
        for (const r of warned) for (const w of r.warnings) out.push(`- **${r.id}** warning: ${md(w)}`);
    }
    return `${out.join("\n")}\n`;
}

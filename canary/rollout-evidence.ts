// The evidence of a rollout: rollout.json (every rung: percent, times, the `up` summary, the
// gate's decision, each analysis' numbers and decision) and SUMMARY.md (the outcome first, the
// ladder as a timeline, a canary-vs-stable chart per stage), appended to $GITHUB_STEP_SUMMARY at
// the end. Rewritten atomically after every step, so a run cut short still leaves its record.

import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../io/evidence/atomic";
import { Redactor } from "../io/redact";
import { markdownText } from "../io/text";
import type { Decision } from "./judge";
import type { UpSummary } from "./stack";

export const ROLLOUT_SCHEMA_VERSION = 1;

export interface StageNumbers {
    revision: string;
    requests: number;
    errors: number;
    errorRate: number;
    errorRateUpper: number;
    p95Ms?: number;
    latencySamples: number;
}

export interface RungRecord {
    percent: number;
    startedAt: string;
    finishedAt?: string;
    note?: string;
    up?: UpSummary;
    error?: string;
    gate?: { go: boolean; summary: string; evidence?: string };
    /** One per look: the decision, its reasons, the numbers, the rule that judged, the analysis' own evidence. */
    analyses: Array<{ decision: Decision; reasons: string[]; canary: StageNumbers; stable: StageNumbers; rule?: string; evidence: string }>;
}

export interface RolloutRecord {
    schemaVersion: number;
    environment: string;
    stack: string;
    ladder: number[];
    waitSeconds: number;
    maxHolds: number;
    startedAt: string;
    finishedAt?: string;
    outcome: "promoted" | "staged" | "rolled-back" | "no-go" | "held" | "up-failed" | "error" | "interrupted" | "usage" | "nothing";
    message: string;
    stableRevision?: string;
    canaryRevision?: string;
    /** The command that continues a held or interrupted rollout. */
    resume?: string;
    /** What happened to the stack file (committed, pushed, or what to do). */
    commit?: string;
    rungs: RungRecord[];
    /** Where the rollout's pooled statistics start, and why there (the canary's creation, or this run's first rung when that was unreadable). */
    pooledFrom?: { at: string; source: string };
}

const cell = markdownText;
const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

export function renderRolloutSummary(r: RolloutRecord): string {
    const lines = [
        `# Canary rollout: ${cell(r.outcome.toUpperCase())} (${cell(r.stack)})`,
        "",
        `**${cell(r.message)}**`,
        "",
        `Canary \`${cell(r.canaryRevision ?? "?")}\` against stable \`${cell(r.stableRevision ?? "?")}\`; ladder ${r.ladder.join(" -> ")} %, a look a minute after the ingestion lag, at most ${Math.round(((1 + r.maxHolds) * r.waitSeconds) / 60)} min a stage (the window plus ${r.maxHolds} hold(s)).`,
        ...(r.pooledFrom ? ["", `Pooled from ${cell(r.pooledFrom.at || "?")}: ${cell(r.pooledFrom.source)}.`] : []),
        ...(r.resume ? ["", `Resume: \`${cell(r.resume)}\``] : []),
        ...(r.commit ? ["", `Stack file: ${cell(r.commit)}`] : []),
        "",
        "## Timeline",
        "",
        "| step | % | started | finished | up | gate | analyses |",
        "|---|---|---|---|---|---|---|",
    ];
    r.rungs.forEach((g, i) => {
        const up = g.error
            ? `failed: ${g.error}`
            : g.up
              ? `${g.up.result} (${
                    Object.entries(g.up.changes)
                        .map(([k, n]) => `${n} ${k}`)
                        .join(", ") || "no changes"
                })`
              : "-";
        const gate = g.gate ? `${g.gate.go ? "GO" : "NO-GO"}` : "-";
        const analyses = g.analyses.map((a) => a.decision).join(", ") || (g.note ?? "-");
        lines.push(`| ${i + 1} | ${g.percent} | ${g.startedAt} | ${g.finishedAt ?? "-"} | ${cell(up)} | ${gate} | ${cell(analyses)} |`);
    });
    const judged = r.rungs.flatMap((g) => g.analyses.map((a) => ({ percent: g.percent, a })));
    if (judged.length > 0) {
        const labels = judged.map((j, i) => `"${i + 1}: ${j.percent}%"`).join(", ");
        const series = (value: (n: StageNumbers) => number) => ({ canary: judged.map((j) => value(j.a.canary)), stable: judged.map((j) => value(j.a.stable)) });
        lines.push(
            "",
            "## Canary vs stable, stage by stage",
            "",
            "| stage | decision | canary requests / 5xx | canary 5xx rate (upper bound) | stable 5xx rate | canary p95 | stable p95 |",
            "|---|---|---|---|---|---|---|",
            ...judged.map(
                (j, i) =>
                    `| ${i + 1}: ${j.percent} % | ${j.a.decision} | ${j.a.canary.requests} / ${j.a.canary.errors} | ${pct(j.a.canary.errorRate)} (${pct(j.a.canary.errorRateUpper)}) | ${pct(j.a.stable.errorRate)} | ${j.a.canary.p95Ms?.toFixed(1) ?? "n/a"} ms | ${j.a.stable.p95Ms?.toFixed(1) ?? "n/a"} ms |`,
            ),
            "",
            ...chart(
                "5xx rate, %",
                "5xx %",
                labels,
                series((n) => n.errorRate * 100),
                3,
            ),
            "",
            ...chart(
                "p95 latency, ms",
                "p95 ms",
                labels,
                series((n) => n.p95Ms ?? 0),
                1,
            ),
        );
        const last = judged[judged.length - 1].a;
        lines.push("", "Reasons of the last analysis:", "", ...last.reasons.map((reason) => `- ${cell(reason)}`));
    }
    return `${lines.join("\n")}\n`;
}

/** A Mermaid xychart (it renders in GitHub step summaries): the canary as bars, the stable revision as a line. */
function chart(title: string, axis: string, labels: string, values: { canary: number[]; stable: number[] }, digits: number): string[] {
    const top = Math.max(1, ...values.canary, ...values.stable) * 1.2;
    return [
        `${title} (bars: canary, line: stable):`,
        "",
        "```mermaid",
        "xychart-beta",
        `    x-axis [${labels}]`,
        `    y-axis "${axis}" 0 --> ${top.toFixed(2)}`,
        `    bar [${values.canary.map((v) => v.toFixed(digits)).join(", ")}]`,
        `    line [${values.stable.map((v) => v.toFixed(digits)).join(", ")}]`,
        "```",
    ];
}

/** Writes rollout.json and SUMMARY.md; with stepSummaryFile, appends the summary there too. */
export function writeRolloutEvidence(dir: string, record: RolloutRecord, stepSummaryFile?: string, redactor = new Redactor()): { json: string; summary: string } {
    const json = path.join(dir, "rollout.json");
    const summary = path.join(dir, "SUMMARY.md");
    const text = redactor.redact(renderRolloutSummary(record));
    writeFileAtomic(json, redactor.redact(`${JSON.stringify(record, null, 2)}\n`));
    writeFileAtomic(summary, text);
    if (stepSummaryFile) {
        try {
            fs.appendFileSync(stepSummaryFile, `${text}\n`);
        } catch (error) {
            process.stderr.write(`warning: could not append the rollout summary to GITHUB_STEP_SUMMARY: ${(error as Error).message}\n`);
        }
    }
    return { json, summary };
}

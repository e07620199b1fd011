// The evidence of one analysis: analysis.json for machines, SUMMARY.md for people (decision
// first, canary vs stable, a Mermaid chart), appended to $GITHUB_STEP_SUMMARY when set. Every
// file is written atomically and through the redactor.

import * as fs from "node:fs";
import * as path from "node:path";
import type { CanaryThresholds } from "../catalog";
import { writeFileAtomic } from "../io/evidence/atomic";
import type { Redactor } from "../io/redact";
import { markdownText } from "../io/text";
import type { RevisionNumbers, StageJudgement } from "./judge";
import type { SentQuery } from "./monitoring";

export const SCHEMA_VERSION = 1;

export interface Analysis {
    generatedAt: string;
    environment: string;
    project: string;
    region: string;
    service: string;
    window: { start: string; end: string; seconds: number; ingestionLagSeconds: number };
    split: { intended: { canary: string; canaryPercent: number; stable: string; stablePercent: number }; serving?: Array<{ revision: string; percent: number }> };
    thresholds: CanaryThresholds;
    judgement: StageJudgement;
    problems: string[];
    queries: SentQuery[];
    interrupted?: boolean;
}

export function renderJson(a: Analysis): string {
    const j = a.judgement;
    return `${JSON.stringify(
        {
            schemaVersion: SCHEMA_VERSION,
            generatedAt: a.generatedAt,
            decision: j.decision,
            reasons: j.reasons,
            ...(j.rule ? { rule: j.rule } : {}),
            environment: a.environment,
            project: a.project,
            region: a.region,
            service: a.service,
            window: a.window,
            split: a.split,
            thresholds: a.thresholds,
            canary: j.canary,
            stable: j.stable,
            gates: j.gates,
            problems: a.problems,
            interrupted: a.interrupted ?? false,
            queries: a.queries.map((q) => ({ what: q.what, path: q.path, params: Object.fromEntries(groupParams(q.params)), pages: q.pages })),
        },
        null,
        2,
    )}\n`;
}

/** Query parameters as name -> value, a repeated name (groupByFields) as a list. */
function groupParams(params: Array<[string, string]>): Array<[string, string | string[]]> {
    const out = new Map<string, string | string[]>();
    for (const [k, v] of params) {
        const prev = out.get(k);
        out.set(k, prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]);
    }
    return [...out];
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const msText = (x: number | undefined, atLeast = false): string => (x === undefined ? "n/a" : `${x.toFixed(1)} ms${atLeast ? "+" : ""}`);
const round = (x: number): number => Math.round(x * 100) / 100;

function row(label: string, c: RevisionNumbers, s: RevisionNumbers, f: (r: RevisionNumbers) => string): string {
    return `| ${label} | ${markdownText(f(c))} | ${markdownText(f(s))} |`;
}

export function renderSummary(a: Analysis): string {
    const j = a.judgement;
    const c = j.canary;
    const s = j.stable;
    const t = a.thresholds;
    const level = `${Math.round(t.confidence * 100)} %`;
    const lines = [
        `# Canary analysis: ${j.decision.toUpperCase()}`,
        "",
        `**${j.decision === "promote" ? "Promote" : j.decision === "rollback" ? "Roll back" : "Hold"}** ${markdownText(a.service)} (${a.environment}): canary \`${markdownText(c.revision)}\` at ${a.split.intended.canaryPercent} % against stable \`${markdownText(s.revision)}\`.`,
        "",
        ...j.reasons.map((r) => `- ${markdownText(r)}`),
        "",
        `Window ${a.window.start} to ${a.window.end} (${a.window.seconds / 60} min, ending ${a.window.ingestionLagSeconds / 60} min before the analysis). Generated ${a.generatedAt}.`,
        "",
        "| | canary | stable |",
        "|---|---|---|",
        row("revision", c, s, (r) => r.revision),
        row("requests", c, s, (r) => String(r.requests)),
        row("5xx", c, s, (r) => String(r.errors)),
        row("5xx rate", c, s, (r) => pct(r.errorRate)),
        row(j.rule ? "5xx rate, always-valid bounds (canary: the rollback and the promotion bound)" : `5xx rate, ${level} bounds`, c, s, (r) => `${pct(r.errorRateLower)} - ${pct(r.errorRateUpper)}`),
        row("latency samples", c, s, (r) => String(r.latencySamples)),
        row("p50", c, s, (r) => msText(r.p50Ms)),
        row("p95", c, s, (r) => msText(r.p95Ms, r.p95AtLeast)),
        row(j.rule ? `p95, ${level} bounds of this look alone (the rule reads the share above its mark)` : `p95, ${level} bounds`, c, s, (r) => `${msText(r.p95LowerMs)} - ${msText(r.p95UpperMs)}`),
        "",
        j.rule
            ? `Rule: ${markdownText(j.rule)}.`
            : `Thresholds: 5xx at most ${pct(t.maxErrorRate)} (promote when the upper bound is at most ${pct(t.errorRateCeiling)}; roll back when the lower bound is above ${pct(t.maxErrorRate)}, with ${t.rollbackMinErrors}+ errors); p95 at most ${t.maxLatencyRatio}x stable unless within ${t.latencyFloorMs} ms; at least ${t.minRequests} requests and ${t.latencyMinSamples} latency samples per revision.`,
        "",
        "```mermaid",
        "xychart-beta",
        '    title "5xx rate (%): stable, canary, canary upper bound, threshold"',
        '    x-axis ["stable", "canary", "canary upper bound", "threshold"]',
        `    y-axis "%" 0 --> ${round(Math.max(t.maxErrorRate, c.errorRateUpper, s.errorRate, c.errorRate) * 100 * 1.2) || 1}`,
        `    bar [${[s.errorRate, c.errorRate, c.errorRateUpper, t.maxErrorRate].map((x) => round(x * 100)).join(", ")}]`,
        "```",
        "",
    ];
    if (c.p95Ms !== undefined && s.p95Ms !== undefined) {
        const limit = s.p95Ms * t.maxLatencyRatio;
        lines.push(
            "```mermaid",
            "xychart-beta",
            `    title "p95 latency (ms): stable, canary, limit ${t.maxLatencyRatio}x stable"`,
            '    x-axis ["stable p95", "canary p95", "limit"]',
            `    y-axis "ms" 0 --> ${Math.ceil(Math.max(limit, c.p95Ms, s.p95Ms) * 1.2)}`,
            `    bar [${[s.p95Ms, c.p95Ms, limit].map(round).join(", ")}]`,
            "```",
            "",
        );
    }
    if (a.split.serving) lines.push(`Serving split (Cloud Run trafficStatuses): ${a.split.serving.map((x) => `${markdownText(x.revision)} ${x.percent} %`).join(", ") || "none"}.`, "");
    lines.push("Queries (Cloud Monitoring timeSeries.list):", "");
    for (const q of a.queries) lines.push(`- ${q.what}: \`${markdownText(q.params.find(([k]) => k === "filter")?.[1] ?? "")}\` (${q.pages} page${q.pages === 1 ? "" : "s"})`);
    lines.push("");
    return lines.join("\n");
}

export interface WrittenEvidence {
    json: string;
    summary: string;
}

export function writeAnalysisEvidence(
    dir: string,
    analysis: Analysis,
    redactor: Redactor,
    stepSummaryFile?: string,
    warn: (line: string) => void = (l) => void process.stderr.write(`${l}\n`),
): WrittenEvidence {
    const json = path.join(dir, "analysis.json");
    const summary = path.join(dir, "SUMMARY.md");
    const summaryText = redactor.redact(renderSummary(analysis));
    writeFileAtomic(json, redactor.redact(renderJson(analysis)));
    writeFileAtomic(summary, summaryText);
    if (stepSummaryFile) {
        // The decision is made and written: a step summary that cannot take it must not change the exit code.
        try {
            fs.appendFileSync(stepSummaryFile, `${summaryText}\n`);
        } catch (error) {
            warn(redactor.redact(`warning: could not append the summary to GITHUB_STEP_SUMMARY (${stepSummaryFile}): ${(error as Error).message}`));
        }
    }
    return { json, summary };
}

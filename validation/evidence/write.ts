// Writes the evidence of a run into the output directory, every file atomically and through
// the redactor (a second line of defence: the runner already redacted what checks logged).

import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckResult } from "../check";
import type { Redactor } from "../redact";
import type { RunOutcome } from "../runner";
import { writeFileAtomic } from "./atomic";
import type { Decision } from "../decision";
import type { EnvironmentEntry } from "./environment";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderSummary } from "./summary";
import { renderTsv } from "./tsv";

export interface EvidenceInput {
    outputDir: string;
    outcome: RunOutcome;
    decision: Decision;
    environment: EnvironmentEntry[];
    failOnRequiredFailure: boolean;
    generatedAt: string;
    redactor: Redactor;
    /** $GITHUB_STEP_SUMMARY, when set: SUMMARY.md is appended to it. */
    stepSummaryFile?: string;
    /** Where a warning goes (stderr by default): a failed append to stepSummaryFile is one, not an error. */
    warn?: (line: string) => void;
}

export interface EvidenceFiles {
    summary: string;
    tsv: string;
    json: string;
    junit: string;
    logs: string[];
}

export function writeEvidence(input: EvidenceInput): EvidenceFiles {
    const dir = input.outputDir;
    const write = (rel: string, content: string): string => {
        const file = path.join(dir, rel);
        writeFileAtomic(file, input.redactor.redact(content));
        return file;
    };
    const results: CheckResult[] = input.outcome.results;
    const logs: string[] = [];
    for (const r of results) {
        const lines = input.outcome.logs.get(r.id) ?? [];
        const header = `# ${r.id} (${r.required ? "required" : "optional"}): ${r.description}`;
        logs.push(write(r.logPath, `${[header, ...lines].join("\n")}\n`));
    }
    const summaryText = renderSummary({
        generatedAt: input.generatedAt,
        results,
        decision: input.decision,
        environment: input.environment,
        failOnRequiredFailure: input.failOnRequiredFailure,
    });
    // The TSV is written after the logs it points at, the summary last.
    const tsv = write("results.tsv", renderTsv(results));
    const json = write(
        "results.json",
        renderJson({
            generatedAt: input.generatedAt,
            startedAt: input.outcome.startedAt,
            durationMs: input.outcome.durationMs,
            overall: input.decision.overall,
            decision: input.decision.go ? "GO" : "NO-GO",
            interrupted: input.decision.interrupted,
            failOnRequiredFailure: input.failOnRequiredFailure,
            counts: input.decision.counts,
            environment: input.environment,
            checks: results,
        }),
    );
    const junit = write("junit.xml", renderJunit(results, input.outcome.logs, input.outcome.startedAt, input.outcome.durationMs));
    const summary = write("SUMMARY.md", summaryText);
    if (input.stepSummaryFile) {
        // The evidence is written and the verdict decided: a step summary that cannot be appended to must not change the exit code.
        try {
            fs.appendFileSync(input.stepSummaryFile, `${input.redactor.redact(summaryText)}\n`);
        } catch (error) {
            const warn = input.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
            warn(input.redactor.redact(`warning: could not append the summary to GITHUB_STEP_SUMMARY (${input.stepSummaryFile}): ${(error as Error).message}`));
        }
    }
    return { summary, tsv, json, junit, logs };
}

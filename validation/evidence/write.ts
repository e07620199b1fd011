// Writes the evidence of a run into the output directory, every file atomically. Values are
// redacted, never rendered files: a secret whose text the service chose ("true", "NO-GO", the
// head of a check id) masks where it occurs in a value and can change no key, id or decision.

import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckResult } from "../check";
import type { Redactor } from "../../io/redact";
import { type RunOutcome, redactOutcome } from "../runner";
import { escapeControl } from "../../io/text";
import { writeFileAtomic } from "../../io/evidence/atomic";
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
        writeFileAtomic(file, content);
        return file;
    };
    const outcome = redactOutcome(input.outcome, input.redactor);
    const results: CheckResult[] = outcome.results;
    const environment = input.environment.map(({ own, ...e }) => ({ ...e, value: own ? e.value : escapeControl(input.redactor.redact(e.value)) }));
    const logs: string[] = [];
    for (const r of results) {
        const lines = outcome.logs.get(r.id) ?? [];
        const header = `# ${r.id} (${r.required ? "required" : "optional"}): ${r.description}`;
        logs.push(write(r.logPath, `${[header, ...lines].join("\n")}\n`));
    }
    const summaryText = renderSummary({
        generatedAt: input.generatedAt,
        results,
        decision: input.decision,
        environment,
        failOnRequiredFailure: input.failOnRequiredFailure,
    });
    // The TSV is written after the logs it points at, the summary last.
    const tsv = write("results.tsv", renderTsv(results));
    const json = write(
        "results.json",
        renderJson({
            generatedAt: input.generatedAt,
            final: true,
            startedAt: outcome.startedAt,
            durationMs: outcome.durationMs,
            overall: input.decision.overall,
            decision: input.decision.go ? "GO" : "NO-GO",
            interrupted: input.decision.interrupted,
            failOnRequiredFailure: input.failOnRequiredFailure,
            counts: input.decision.counts,
            environment,
            checks: results,
        }),
    );
    const junit = write("junit.xml", renderJunit(results, outcome.logs, outcome.startedAt, outcome.durationMs, input.decision.go ? "GO" : "NO-GO"));
    const summary = write("SUMMARY.md", summaryText);
    if (input.stepSummaryFile) {
        // The evidence is written and the verdict decided: a step summary that cannot be appended to must not change the exit code.
        try {
            fs.appendFileSync(input.stepSummaryFile, `${summaryText}\n`);
        } catch (error) {
            const warn = input.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
            warn(input.redactor.redact(`warning: could not append the summary to GITHUB_STEP_SUMMARY (${input.stepSummaryFile}): ${(error as Error).message}`));
        }
    }
    return { summary, tsv, json, junit, logs };
}

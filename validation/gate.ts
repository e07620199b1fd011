// One gate run: build the checks from the options, run them, decide GO/NO-GO, write the
// evidence. The CLI wraps this with argument parsing, signals and exit codes; the bench and the
// tests call it directly.

import { buildChecks } from "./checks";
import { type Progress, formatResultLine, liveProgress, plainProgress } from "./console";
import { type Decision, decide } from "./decision";
import { environmentEntries } from "./evidence/environment";
import { type OwnedDir, ownOutputDir } from "./evidence/run-dir";
import { type EvidenceFiles, writeEvidence } from "./evidence/write";
import { HttpClient, type HttpClientOptions } from "../io/http";
import { type IdTokenSource, ambientIdTokenSource } from "./id-token";
import { type GateOptions, secretsOf } from "./options";
import { Redactor } from "../io/redact";
import { type RunOutcome, redactOutcome, runChecks } from "./runner";
import { escapeControl } from "../io/text";

export interface GateIo {
    /** Where progress and the final lines go (stdout by default). */
    write?: (text: string) => void;
    interrupt?: AbortSignal;
    /** $GITHUB_STEP_SUMMARY. */
    stepSummaryFile?: string;
    /** Extra HTTP client settings (tests: a failing lookup, a test CA). */
    http?: HttpClientOptions;
    idTokens?: IdTokenSource;
    /** Skip writing files (the bench). */
    noEvidence?: boolean;
}

export interface GateRun {
    outcome: RunOutcome;
    decision: Decision;
    files?: EvidenceFiles;
    /** 0 GO (or NO-GO with FAIL_ON_REQUIRED_FAILURE=0), 1 NO-GO; the CLI maps interrupts to 130/143. */
    exitCode: 0 | 1;
}

export async function runGate(options: GateOptions, io: GateIo = {}): Promise<GateRun> {
    const write = io.write ?? stdoutWriter();
    // Before the first request: a verdict that cannot be written is a verdict lost, and what an
    // earlier run left here must not outlive this one.
    const owned: OwnedDir | undefined = io.noEvidence ? undefined : ownOutputDir(options.outputDir, "OUTPUT_DIR");
    const redactor = new Redactor(secretsOf(options));
    // Every secret an answer hands out (a token at any JSON path, a cookie) is masked from then on.
    const http = new HttpClient({ timeoutMs: options.requestTimeoutMs, maxBodyBytes: options.maxBodyBytes, insecureTls: options.insecureTls, onSecret: (s) => redactor.add(s), ...io.http });
    // A minted token is registered with the redactor by the check that asks for it (runtime-smoke).
    const idTokens = io.idTokens ?? ambientIdTokenSource();
    try {
        const checks = buildChecks(options, { http, redactor, idTokens });
        const progress: Progress = options.plain ? plainProgress(write) : liveProgress(checks, write, terminalWidth());
        if (options.plain) write(`post-deploy gate: ${checks.length} check(s), concurrency ${options.concurrency > 0 ? options.concurrency : "all"}, evidence in ${options.outputDir}\n`);
        const ran = await runChecks(checks, {
            concurrency: options.concurrency,
            checkTimeoutMs: options.checkTimeoutMs + options.waitReadyMs,
            overallTimeoutMs: options.overallTimeoutMs,
            interrupt: io.interrupt,
            redactor,
            onStart: (c) => progress.start(c),
            onFinish: (r) => progress.finish(r),
        });
        progress.stop();
        // Redacted again with every secret learned during the run; ids, statuses and flags are never touched.
        const outcome = redactOutcome(ran, redactor);
        const decision = decide(outcome.results, outcome.interrupted);
        let files: EvidenceFiles | undefined;
        if (!io.noEvidence) {
            files = writeEvidence({
                outputDir: options.outputDir,
                outcome,
                decision,
                environment: environmentEntries(options),
                failOnRequiredFailure: options.failOnRequiredFailure,
                generatedAt: new Date().toISOString(),
                redactor,
                stepSummaryFile: io.stepSummaryFile,
            });
        }
        // The decision is on disk: the directory's evidence is final.
        owned?.finish();
        write(finalLines(decision, options, files && { ...files, summary: escapeControl(redactor.redact(files.summary)) }));
        const exitCode: 0 | 1 = decision.go || !options.failOnRequiredFailure ? 0 : 1;
        return { outcome, decision, files, exitCode };
    } finally {
        owned?.release();
        http.close();
    }
}

function finalLines(d: Decision, o: GateOptions, files?: EvidenceFiles): string {
    const lines: string[] = [];
    const c = d.counts;
    lines.push(
        `${d.go ? "GO" : "NO-GO"}${d.interrupted ? " (interrupted)" : ""}: ${c.passed} passed, ${c.requiredFailures} required failure(s), ${c.optionalFailures} optional failure(s), ${c.requiredSkipped} required skipped, ${c.optionalSkipped} optional skipped`,
    );
    for (const b of d.blockers) lines.push(`  blocking: ${formatResultLine(b)}`);
    if (!d.go && !o.failOnRequiredFailure) lines.push("FAIL_ON_REQUIRED_FAILURE=0: exiting 0 despite NO-GO");
    if (files) lines.push(`evidence: ${files.summary}`);
    return `${lines.join("\n")}\n`;
}

/**
 * Writes to stdout until it is closed (`| head`): a closed pipe is an error event, which unhandled
 * would crash the run before its evidence is written. The run goes on without a reader.
 */
export function stdoutWriter(stream: NodeJS.WriteStream = process.stdout): (text: string) => void {
    let closed = false;
    // EPIPE or any other write error: the reader is gone, the run is not.
    stream.on("error", () => {
        closed = true;
    });
    return (text: string) => {
        if (closed || stream.destroyed) return;
        try {
            stream.write(text);
        } catch {
            closed = true;
        }
    };
}

/** The terminal's width; a pseudo-terminal may report none or a tiny one. */
function terminalWidth(): number {
    const columns = process.stdout.columns;
    return columns !== undefined && columns >= 40 ? columns : 120;
}

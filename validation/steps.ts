// The step runner behind the HTTP checks. A check is an ordered table of steps (method, path,
// auth, accepted statuses, body assertion, what a later step needs from it); the runner sends
// every step whose needs are met at once, judges each answer on its body as well as its status,
// and turns the table into the check's verdict. The same table is the check's `command` column
// and what docs/gate-checks.md lists, so what the gate says it does is what it does.

import type { CheckContext, CheckVerdict } from "./check";
import { type HttpClient, type HttpOutcome, type HttpResponse, sleep } from "../io/http";
import type { Redactor } from "../io/redact";
import { bodyExcerpt } from "../io/text";

/** What earlier steps handed on (a run id, a cookie, an asset path). */
export type Provided = Readonly<Record<string, string>>;

/** A step's judgement of an answer that passed the screen and the status. */
export type BodyVerdict = { ok: true; provides?: Record<string, string>; note?: string; warning?: string } | { ok: false; problem: string; action?: string };

export interface Step {
    /** Stable id that `needs` refers to. */
    id: string;
    method: "GET" | "POST";
    /** As shown (placeholders like {run_id} are filled by `request`). */
    path: string;
    /** Which credential goes with it, in words ("none", "ID token", "access token"). */
    auth: string;
    /** Accepted statuses, in words ("200", "200 or 401"). */
    accepts: string;
    /** The body assertion, in words. */
    expects: string;
    /** Steps whose answers this one needs. */
    needs?: readonly string[];
    /** What it hands on to later steps, in words. */
    provides?: string;
    /** Where the request and every assertion come from: `file:line@commit` of the service's source. */
    source: readonly string[];
    /** Retried with backoff under --wait-ready until it passes (readiness). */
    waitsForReady?: boolean;
    /** Why the step is not sent (recorded as passed with that warning), from what earlier steps provided. */
    skip?(got: Provided): string | undefined;
    /** The request, from what earlier steps provided (`url` when it is not under the base; `cookie` replaces the bypass cookie). */
    request(got: Provided): { path: string; url?: string; json?: unknown; headers?: Record<string, string>; followRedirects?: boolean };
    /** An answer tolerated with a warning before its status is judged (Google's front-end 404 on /healthz). */
    tolerate?(response: HttpResponse): string | undefined;
    status(code: number): boolean;
    /** What an unexpected status means for this step, in a few words (shown in parentheses). */
    explainStatus?(code: number, response: HttpResponse): string | undefined;
    body(response: HttpResponse, got: Provided): BodyVerdict;
}

export interface StepContext {
    http: HttpClient;
    base: string;
    /** Headers every step sends (an ID token, the bypass cookie is added from `got.cookie`). */
    headers: Record<string, string>;
    redactor: Redactor;
    /** Why an answer is not from the expected service at all (legacy, another lane); checked first. */
    screen(response: HttpResponse): string | undefined;
    /** What to do about an unexpected status. */
    actionFor(status: number): string;
    /** Where the target does not answer at all. */
    unreachableAction: string;
    waitReadyMs: number;
}

export interface StepRecord {
    step: Step;
    outcome: "passed" | "failed" | "not-run";
    cause?: string;
    action?: string;
    warning?: string;
    note?: string;
    /** The HTTP status of the answer judged, when there was one. */
    httpStatus?: number;
    /** A redacted, escaped excerpt of a failed answer's body. */
    excerpt?: string;
}

export interface StepsRun {
    records: StepRecord[];
    provided: Provided;
}

/** A step's line in the `command` column: METHOD path, with what it waits for. */
export function describeStep(step: Step): string {
    return `${step.method} ${step.path}${step.needs && step.needs.length > 0 ? ` (after ${step.needs.join(", ")})` : ""}`;
}

/** The markdown table of a check's steps (docs/gate-checks.md lists these). */
export function stepTable(steps: readonly Step[]): string {
    const rows = ["| step | request | auth | accepts | body must be | needs | gives | source |", "|---|---|---|---|---|---|---|---|"];
    for (const s of steps) {
        rows.push(`| ${s.id} | \`${s.method} ${s.path}\` | ${s.auth} | ${s.accepts} | ${s.expects} | ${s.needs?.join(", ") || "-"} | ${s.provides ?? "-"} | ${s.source.join(", ")} |`);
    }
    return rows.join("\n");
}

const SNIPPET = 200;

/** Runs a table: every step as soon as its needs have passed, all at once where they are independent. */
export async function runSteps(steps: readonly Step[], sc: StepContext, ctx: CheckContext): Promise<StepsRun> {
    const records = new Map<string, StepRecord>();
    const provided: Record<string, string> = {};
    const started = new Set<string>();
    const ids = new Set(steps.map((s) => s.id));
    for (const s of steps) for (const n of s.needs ?? []) if (!ids.has(n)) throw new Error(`step ${s.id} needs unknown step ${n}`);

    const runOne = async (step: Step): Promise<void> => {
        const { record, provides } = await judgeStep(step, { ...provided }, sc, ctx);
        records.set(step.id, record);
        if (record.outcome === "passed") Object.assign(provided, provides);
    };
    const pending = new Set<Promise<void>>();
    // Table order: a step is started once all it needs passed, ruled out once one of them did not.
    const launch = (): void => {
        for (const step of steps) {
            if (started.has(step.id)) continue;
            const needs = step.needs ?? [];
            const blocked = needs.find((n) => records.has(n) && records.get(n)!.outcome !== "passed");
            if (blocked) {
                started.add(step.id);
                records.set(step.id, { step, outcome: "not-run", cause: `not run: ${blocked} did not pass` });
                ctx.log(`step ${step.id}: not run (${blocked} did not pass)`);
            } else if (needs.every((n) => records.get(n)?.outcome === "passed")) {
                started.add(step.id);
                const p: Promise<void> = runOne(step).finally(() => pending.delete(p));
                pending.add(p);
            }
        }
    };
    launch();
    while (pending.size > 0) {
        await Promise.race(pending);
        launch();
    }
    for (const step of steps) if (!records.has(step.id)) records.set(step.id, { step, outcome: "not-run", cause: "not run" });
    return { records: steps.map((s) => records.get(s.id)!), provided };
}

async function judgeStep(step: Step, got: Provided, sc: StepContext, ctx: CheckContext): Promise<{ record: StepRecord; provides: Record<string, string> }> {
    const skipped = step.skip?.(got);
    if (skipped) {
        ctx.log(`step ${step.id}: not sent: ${skipped}`);
        return { record: { step, outcome: "passed", warning: skipped }, provides: {} };
    }
    const req = step.request(got);
    const headers = { ...sc.headers, ...(got.cookie ? { cookie: got.cookie } : {}), ...(req.headers ?? {}) };
    const what = `${step.method} ${req.path}`;
    const send = (): Promise<HttpOutcome> =>
        sc.http.request({ url: req.url ?? joinUrl(sc.base, req.path), method: step.method, json: req.json, headers, followRedirects: req.followRedirects, signal: ctx.signal, log: ctx.log });

    let record = verdictOf(step, what, await send(), got, sc, ctx);
    if (step.waitsForReady && sc.waitReadyMs > 0) {
        const until = Math.min(Date.now() + sc.waitReadyMs, ctx.deadline);
        let delay = 1000;
        // An impostor never turns into the Rust service by waiting: only a status or body problem is retried.
        while (record.outcome === "failed" && record.retryable && !ctx.signal.aborted) {
            const left = until - Date.now();
            if (left <= 0) break;
            const wait = Math.min(delay, left);
            ctx.log(`step ${step.id}: not ready yet (${record.cause}); retry in ${wait} ms (--wait-ready)`);
            if (!(await sleep(wait, ctx.signal))) break;
            delay = Math.min(delay * 2, 10_000);
            record = verdictOf(step, what, await send(), got, sc, ctx);
        }
    }
    const { retryable: _retryable, provides, ...rest } = record;
    ctx.log(`step ${step.id}: ${rest.outcome}${rest.cause ? `: ${rest.cause}` : rest.note ? ` (${rest.note})` : ""}`);
    return { record: rest, provides: provides ?? {} };
}

type Judged = StepRecord & { retryable?: boolean; provides?: Record<string, string> };

function verdictOf(step: Step, what: string, outcome: HttpOutcome, got: Provided, sc: StepContext, ctx: CheckContext): Judged {
    if (!outcome.ok) return { step, outcome: "failed", cause: `${what}: ${outcome.failure.message}`, action: sc.unreachableAction, retryable: true };
    const r = outcome.response;
    // An answer with more secret-looking values than the gate learned is never shown, not even its head.
    const shown = r.secretsUnlearned ? Buffer.from("(withheld: the answer carries more secret-looking values than the gate learns from one answer)") : r.body;
    const showBody = (): void => ctx.log(`body: ${bodyExcerpt(shown, SNIPPET, sc.redactor)}`);
    const impostor = sc.screen(r);
    if (impostor) {
        showBody();
        return { step, outcome: "failed", cause: `${what} ${impostor}`, action: "point the target at the Rust service of this lane and environment", httpStatus: r.status };
    }
    const tolerated = step.tolerate?.(r);
    if (tolerated) return { step, outcome: "passed", warning: tolerated, httpStatus: r.status };
    if (!step.status(r.status)) {
        showBody();
        const meaning = step.explainStatus?.(r.status, r);
        return {
            step,
            outcome: "failed",
            cause: `${what} answered ${r.status}${meaning ? ` (${meaning})` : ""}, expected ${step.accepts}`,
            action: sc.actionFor(r.status),
            httpStatus: r.status,
            excerpt: bodyExcerpt(shown, 120, sc.redactor),
            retryable: true,
        };
    }
    const body = step.body(r, got);
    if (!body.ok) {
        showBody();
        return {
            step,
            outcome: "failed",
            cause: `${what} answered ${r.status} ${body.problem}`,
            action: body.action ?? "check what serves this URL: the answer is not the service's contract",
            httpStatus: r.status,
            retryable: true,
        };
    }
    return { step, outcome: "passed", note: body.note, warning: body.warning, httpStatus: r.status, provides: body.provides };
}

/** The check's verdict from its steps: the first failure in table order leads, the rest are counted. */
export function stepsVerdict(run: StepsRun, passNote: string, warnings: string[]): CheckVerdict {
    for (const r of run.records) if (r.warning) warnings.push(r.warning);
    const failed = run.records.filter((r) => r.outcome === "failed");
    if (failed.length === 0) return { status: "passed", cause: passNote, warnings };
    const notRun = run.records.filter((r) => r.outcome === "not-run").length;
    const more = [failed.length > 1 ? `${failed.length - 1} more step(s) failed` : "", notRun > 0 ? `${notRun} not run` : ""].filter(Boolean).join(", ");
    return { status: "failed", cause: `${failed[0].cause}${more ? ` (${more}; see the log)` : ""}`, action: failed[0].action, warnings };
}

export function joinUrl(base: string, path: string): string {
    return `${base.replace(/\/+$/, "")}${path.startsWith("/") ? "" : "/"}${path}`;
}

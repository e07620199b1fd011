// The scheduled drift check's verdict and its issue: reads what the drift job's two commands
// printed and exited with (`pulumi preview --refresh --expect-no-changes` on the stack, `pulumi
// policy analyze` on a refreshed copy of its state), then keeps one open issue per stack in step
// with it: opened on the first bad run, its report replaced (and a comment added) when the report
// changes, closed with a comment by the first clean run.
//
// usage: node -r sucrase/register/ts .github/scripts/drift-report.ts --stack STACK --dir DIR
//   DIR holds <command>.txt and <command>.rc (output, exit code) for preview, refresh and analyze;
//   a missing .rc means the command never ran.
// env:   GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name); GITHUB_API_URL (default
//        https://api.github.com); GITHUB_SERVER_URL and GITHUB_RUN_ID for the run's link;
//        GITHUB_STEP_SUMMARY, when set, gets the report.
// exit:  0 clean, 1 not clean (the issue is open and current), 2 usage error or the issue could
//        not be written (the report is still printed).

import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type GitHub, call, commandText, findInPages } from "./github-api";

export type { GitHub } from "./github-api";

interface Issue {
    number: number;
    body?: string | null;
    pull_request?: unknown;
    html_url?: string;
}

export type Kind = "drift" | "policy" | "preview-failed" | "refresh-failed" | "analyze-failed";

export interface CommandResult {
    /** The exit code, or undefined when the command never ran (an earlier step failed). */
    rc: number | undefined;
    output: string;
}

export interface DriftRun {
    stack: string;
    preview: CommandResult;
    /** The refresh of a private copy of the state, which `policy analyze` then reads. */
    refresh: CommandResult;
    analyze: CommandResult;
}

/** What the Pulumi CLI prints when `--expect-no-changes` meets a change (newer CLIs name the operation). */
const NO_CHANGES_EXPECTED = /no changes were expected (?:for \S+ )?but changes were proposed/;

const KIND_TEXT: Record<Kind, string> = {
    drift: "**Drift**: `pulumi preview --refresh --expect-no-changes` proposes changes: the cloud is no longer what the program on `main` declares.",
    policy: "**Policy**: `pulumi policy analyze` on the refreshed state reports a mandatory violation: what runs now breaks the pack.",
    "preview-failed": "**The preview failed** without proposing changes (credentials, state, a provider error, or a mandatory violation in the plan): drift is unknown.",
    "refresh-failed": "**The copy of the state could not be made or refreshed**: the refreshed state's policy verdicts are unknown.",
    "analyze-failed": "**`pulumi policy analyze` failed** without reporting a mandatory violation (the pack did not load?): the verdicts are unknown.",
};

/** The kinds of trouble a run shows; none means the stack is clean. */
export function classify(run: DriftRun): Kind[] {
    const kinds: Kind[] = [];
    if (run.preview.rc !== 0) kinds.push(run.preview.rc !== undefined && NO_CHANGES_EXPECTED.test(run.preview.output) ? "drift" : "preview-failed");
    if (run.refresh.rc !== 0) kinds.push("refresh-failed");
    else if (run.analyze.rc !== 0) kinds.push(run.analyze.rc !== undefined && /\bmandatory\b/i.test(run.analyze.output) ? "policy" : "analyze-failed");
    return kinds;
}

export function marker(stack: string): string {
    return `<!-- drift-report stack=${stack} -->`;
}

export function issueTitle(stack: string): string {
    return `Drift: stack ${stack} is not what main declares`;
}

/** GitHub refuses issue bodies over 65,536 characters; each of the three outputs gets a share, its end kept (the summary and the error are last). */
const OUTPUT_BUDGET = 20_000;

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Credential shapes a hand-made change can leave in a diff (Pulumi prints its own secrets as
 * [secret], not a value someone typed into the console): masked before the text reaches the issue.
 */
const CREDENTIALS: RegExp[] = [
    /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, // JWT
    /\bya29\.[\w-]+/g, // Google OAuth access token
    /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})/g,
    /\bAKIA[0-9A-Z]{16}\b/g,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    /\bbase64:[A-Za-z0-9+/=]{16,}/g, // a Laravel APP_KEY
    /(:\/\/[^\s:/@"]+:)[^\s@"]+(?=@)/g, // the password of a URL (postgres://user:pw@host)
];

export function maskCredentials(text: string): string {
    return CREDENTIALS.reduce((t, re) => t.replace(re, (m: string, keep?: string) => (typeof keep === "string" && m.startsWith(keep) ? `${keep}***` : "***")), text);
}

function clip(text: string): string {
    const clean = maskCredentials(text.replace(ANSI, "")).trimEnd();
    if (clean.length <= OUTPUT_BUDGET) return clean;
    const cut = clean.slice(clean.length - OUTPUT_BUDGET);
    return `[... ${clean.length - OUTPUT_BUDGET} earlier characters: see the run's drift-<stack> artifact ...]\n${cut.slice(cut.indexOf("\n") + 1)}`;
}

/** A code fence longer than any backtick run in the text, so the output cannot close it. */
function fenced(text: string): string {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = "`".repeat(longest + 1);
    return `${fence}\n${text}\n${fence}`;
}

function section(title: string, result: CommandResult): string {
    const status = result.rc === undefined ? "did not run" : `exit ${result.rc}`;
    return `<details><summary>${title} (${status})</summary>\n\n${fenced(clip(result.output) || "(no output)")}\n\n</details>`;
}

export function issueBody(run: DriftRun, kinds: Kind[], runUrl: string | undefined): string {
    return [
        marker(run.stack),
        `Stack \`${run.stack}\`, checked by ${runUrl ? `[this drift run](${runUrl})` : "a drift run"}:`,
        "",
        ...kinds.map((k) => `- ${KIND_TEXT[k]}`),
        "",
        "What to do with each kind: docs/workflows.md, *Drift (scheduled)*. The drift job updates this issue while the stack stays like this and closes it on the first clean run.",
        "",
        section(`pulumi preview --refresh --expect-no-changes --stack ${run.stack}`, run.preview),
        "",
        section(`pulumi refresh --stack ${run.stack} (a private copy of the state)`, run.refresh),
        "",
        section(`pulumi policy analyze --stack ${run.stack} (the refreshed copy)`, run.analyze),
        "",
    ].join("\n");
}

// ---- GitHub ----

const LABEL = "drift";

async function ensureLabel(gh: GitHub): Promise<void> {
    if ((await call(gh, "GET", `/labels/${LABEL}`)).status !== 404) return;
    await call(gh, "POST", "/labels", { name: LABEL, color: "d93f0b", description: "a stack differs from main (scheduled drift check)" });
}

/** This stack's open drift issue, the oldest if someone opened another by hand. */
function findIssue(gh: GitHub, stack: string): Promise<Issue | undefined> {
    return findInPages<Issue>(gh, `/issues?state=open&labels=${LABEL}&per_page=100&sort=created&direction=asc`, (i) => !i.pull_request && (i.body ?? "").includes(marker(stack)));
}

export type Outcome = "opened" | "updated" | "unchanged" | "closed" | "nothing to do";

export async function syncIssue(gh: GitHub, run: DriftRun, kinds: Kind[], runUrl: string | undefined): Promise<{ outcome: Outcome; number?: number }> {
    const open = await findIssue(gh, run.stack);
    const link = runUrl ? `[drift run](${runUrl})` : "a drift run";
    if (kinds.length === 0) {
        if (!open) return { outcome: "nothing to do" };
        await call(gh, "POST", `/issues/${open.number}/comments`, { body: `Clean again: ${link} found no drift and no violation in \`${run.stack}\`. Closing.` });
        await call(gh, "PATCH", `/issues/${open.number}`, { state: "closed", state_reason: "completed" });
        return { outcome: "closed", number: open.number };
    }
    const body = issueBody(run, kinds, runUrl);
    if (!open) {
        await ensureLabel(gh);
        const made = await call<Issue>(gh, "POST", "/issues", { title: issueTitle(run.stack), body, labels: [LABEL] });
        return { outcome: "opened", number: made.data.number };
    }
    // The run link differs every day: compare the reports without it, so an unchanged drift is one update, not a comment a day.
    const withoutLink = (text: string) => text.replace(/\[this drift run\]\([^)]*\)/, "");
    if (withoutLink(open.body ?? "") === withoutLink(body)) {
        await call(gh, "PATCH", `/issues/${open.number}`, { body });
        return { outcome: "unchanged", number: open.number };
    }
    await call(gh, "PATCH", `/issues/${open.number}`, { body });
    await call(gh, "POST", `/issues/${open.number}/comments`, { body: `The report changed (${link}): ${kinds.join(", ")}. The description holds the new one.` });
    return { outcome: "updated", number: open.number };
}

// ---- command line ----

function readResult(dir: string, name: string): CommandResult {
    const rcFile = path.join(dir, `${name}.rc`);
    const outFile = path.join(dir, `${name}.txt`);
    const rcText = fs.existsSync(rcFile) ? fs.readFileSync(rcFile, "utf8").trim() : "";
    return { rc: /^\d+$/.test(rcText) ? Number(rcText) : undefined, output: fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "" };
}

export function readRun(stack: string, dir: string): DriftRun {
    return { stack, preview: readResult(dir, "preview"), refresh: readResult(dir, "refresh"), analyze: readResult(dir, "analyze") };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
    let stack: string | undefined;
    let dir: string | undefined;
    try {
        const { values } = parseArgs({ args: argv, options: { stack: { type: "string" }, dir: { type: "string" } }, strict: true });
        ({ stack, dir } = values);
    } catch (e) {
        out(`drift-report: ${(e as Error).message}`);
        return 2;
    }
    if (!stack || !/^[a-z][a-z0-9-]*$/.test(stack) || !dir) {
        out("drift-report: --stack <name> and --dir <directory> are required");
        return 2;
    }
    const run = readRun(stack, dir);
    const kinds = classify(run);
    const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const verdict = kinds.length === 0 ? `${stack}: clean (no drift, no violation)` : `${stack}: ${kinds.join(", ")}`;
    out(verdict);
    if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `## Drift: ${verdict}\n\n${kinds.length ? issueBody(run, kinds, runUrl) : ""}\n`);
    if (!env.GITHUB_TOKEN || !env.GITHUB_REPOSITORY) {
        out("drift-report: GITHUB_TOKEN and GITHUB_REPOSITORY are required to keep the issue");
        return 2;
    }
    try {
        const { outcome, number } = await syncIssue({ apiUrl: env.GITHUB_API_URL || "https://api.github.com", repository: env.GITHUB_REPOSITORY, token: env.GITHUB_TOKEN }, run, kinds, runUrl);
        out(`issue: ${outcome}${number ? ` #${number}` : ""}`);
    } catch (e) {
        out(`::error::drift-report: the ${stack} drift issue could not be written: ${commandText((e as Error).message)}`);
        return 2;
    }
    return kinds.length === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (line) => console.log(line)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(`drift-report: ${(e as Error).stack ?? String(e)}`);
            process.exit(2);
        },
    );
}

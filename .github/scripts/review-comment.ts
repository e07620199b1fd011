// The offline review on the pull request: one comment, found by its marker and updated on every
// push (never a new comment each time), one collapsible section per stack with its diff against
// the base branch and its policy verdicts.
//
// usage: node -r sucrase/register/ts .github/scripts/review-comment.ts --pr N --dir DIR [--base REF]
//   DIR holds review-<stack>.txt (what `npm run review -- --stack <stack> --base REF` printed) and
//   review-<stack>.rc (its exit code) for each stack reviewed.
// env:   GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name); GITHUB_API_URL (default https://api.github.com).
// exit:  0 the comment is current, 2 usage error or the comment could not be written.

import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type GitHub, call, commandText, findInPages } from "./github-api";

export const MARKER = "<!-- openagents-offline-review -->";
/** GitHub refuses a comment over 65,536 characters: each stack's section is cut to fit. */
const MAX_SECTION = 28_000;

export interface StackReview {
    stack: string;
    text: string;
    /** The review's exit code: 0 clean, 1 a mandatory violation, 2 a config error, 3 a crash. */
    code: number;
}

const VERDICT: Record<number, string> = { 0: "no mandatory violation", 1: "mandatory policy violation", 2: "config or usage error", 3: "the review crashed" };

/** Terminal colours, if any slipped through, are noise in a comment. */
function plain(text: string): string {
    return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** The stack's one-line summary (`prod: 1 to update, 0 to replace, 2 unchanged`), or the verdict alone. */
export function summaryLine(r: StackReview): string {
    const line = plain(r.text)
        .split("\n")
        .map((l) => l.trim())
        .find((l) => new RegExp(`^${r.stack}: \\d+ to `).test(l));
    return `${line ?? `${r.stack}: no diff`} · ${VERDICT[r.code] ?? `exit ${r.code}`}`;
}

export function commentBody(reviews: readonly StackReview[], base: string | undefined, runUrl: string | undefined): string {
    const sections = reviews.map((r) => {
        let text = plain(r.text).trimEnd();
        if (text.length > MAX_SECTION) text = `${text.slice(0, MAX_SECTION)}\n… (cut: the whole review is in the job summary)`;
        // A fence the text itself cannot close.
        const fence = "`".repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
        return [`<details${r.code === 0 ? "" : " open"}><summary><b>${summaryLine(r)}</b></summary>`, "", `${fence}diff`, text, fence, "", "</details>"].join("\n");
    });
    return [
        MARKER,
        `### Offline review${base ? ` against \`${base}\`` : ""}`,
        "",
        "The program and the policy pack run under Pulumi's mock runtime, no cloud: `+` create, `-` delete, `~` update, `+-` replace.",
        "",
        ...sections,
        "",
        runUrl ? `_Updated by [this run](${runUrl}); the real \`pulumi preview\` of each stack follows._` : "",
    ].join("\n");
}

interface Comment {
    id: number;
    body?: string | null;
    user?: { login?: string; type?: string } | null;
}

/** Ours: the marker, written by a bot (a person quoting the marker must never have their comment overwritten). */
function isReviewComment(c: Comment): boolean {
    return (c.body ?? "").includes(MARKER) && (c.user?.type === "Bot" || c.user?.login === "github-actions[bot]");
}

/** Creates the comment, or updates the one already there (found by its marker). */
export async function upsertComment(gh: GitHub, pr: number, body: string): Promise<"created" | "updated" | "unchanged"> {
    const existing = await findInPages<Comment>(gh, `/issues/${pr}/comments?per_page=100`, isReviewComment);
    if (!existing) {
        await call(gh, "POST", `/issues/${pr}/comments`, { body });
        return "created";
    }
    if (existing.body === body) return "unchanged";
    await call(gh, "PATCH", `/issues/comments/${existing.id}`, { body });
    return "updated";
}

export function readReviews(dir: string): StackReview[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^review-([a-z][a-z0-9-]*)\.txt$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort((a, b) => (a === "staging" ? -1 : b === "staging" ? 1 : a.localeCompare(b)))
        .map((stack) => {
            const rc = path.join(dir, `review-${stack}.rc`);
            return { stack, text: fs.readFileSync(path.join(dir, `review-${stack}.txt`), "utf8"), code: fs.existsSync(rc) ? Number(fs.readFileSync(rc, "utf8").trim()) : 3 };
        });
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
    let values: { pr?: string; dir?: string; base?: string };
    try {
        values = parseArgs({ args: argv, options: { pr: { type: "string" }, dir: { type: "string" }, base: { type: "string" } }, strict: true }).values;
    } catch (e) {
        out(`review-comment: ${(e as Error).message}`);
        return 2;
    }
    if (!values.pr || !/^\d+$/.test(values.pr) || !values.dir) {
        out("review-comment: --pr <number> and --dir <directory> are required");
        return 2;
    }
    const reviews = readReviews(values.dir);
    if (reviews.length === 0) {
        out(`review-comment: no review-<stack>.txt in ${values.dir}`);
        return 2;
    }
    if (!env.GITHUB_TOKEN || !env.GITHUB_REPOSITORY) {
        out("review-comment: GITHUB_TOKEN and GITHUB_REPOSITORY are required");
        return 2;
    }
    const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    try {
        const outcome = await upsertComment(
            { apiUrl: env.GITHUB_API_URL || "https://api.github.com", repository: env.GITHUB_REPOSITORY, token: env.GITHUB_TOKEN },
            Number(values.pr),
            commentBody(reviews, values.base, runUrl),
        );
        out(`review comment: ${outcome}`);
        return 0;
    } catch (e) {
        out(`::error::review-comment: the review comment could not be written: ${commandText((e as Error).message)}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2), process.env, (line) => console.log(line)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(`review-comment: ${(e as Error).stack ?? String(e)}`);
            process.exit(2);
        },
    );
}

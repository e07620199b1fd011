// The review workflow's comment script, run for real against a stand-in GitHub REST API on
// 127.0.0.1: one comment per pull request, created on the first push and updated on the next
// (never a second comment), found again on a later page, left alone when nothing changed; a
// refused write fails the step.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { MARKER, commentBody, main, summaryLine } from "../../.github/scripts/review-comment";

const TOKEN = "ghs_reviewstandin0123";
const REPO = "OpenAgentsInc/rust-lanes";
const BOT = { login: "github-actions[bot]", type: "Bot" };
const PERSON = { login: "a-reviewer", type: "User" };

class StandInGitHub {
    comments: Array<{ id: number; issue: number; body: string; user: { login: string; type: string } }> = [];
    writes: string[] = [];
    refuseWrites = false;
    /** The raw body of a refusal (default Google-like JSON). */
    refusal?: string;
    pageSize = 100;
    private nextId = 1;
    private server = http.createServer((req, res) => this.handle(req, res));
    url = "";

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }
    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
    /** A comment by the Actions bot (the token's author), or by a person. */
    add(issue: number, body: string, user = BOT): void {
        this.comments.push({ id: this.nextId++, issue, body, user });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        let raw = "";
        req.on("data", (c: Buffer) => (raw += c.toString()));
        req.on("end", () => {
            const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
                res.writeHead(status, { "content-type": "application/json", ...headers });
                res.end(JSON.stringify(data));
            };
            if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: "Bad credentials" });
            const url = new URL(req.url ?? "/", "http://x");
            const route = url.pathname.replace(`/repos/${REPO}`, "");
            if (req.method !== "GET") {
                if (this.refuseWrites && this.refusal !== undefined) {
                    res.writeHead(403, { "content-type": "text/plain" });
                    return res.end(this.refusal);
                }
                if (this.refuseWrites) return send(403, { message: "Resource not accessible by integration" });
                this.writes.push(`${req.method} ${route}`);
            }
            const body = raw ? (JSON.parse(raw) as { body: string }) : { body: "" };
            let m: RegExpExecArray | null;
            if ((m = /^\/issues\/(\d+)\/comments$/.exec(route))) {
                const issue = Number(m[1]);
                if (req.method === "POST") {
                    this.add(issue, body.body);
                    return send(201, this.comments[this.comments.length - 1]);
                }
                const all = this.comments.filter((c) => c.issue === issue);
                const page = Number(url.searchParams.get("page") ?? "1");
                const next: Record<string, string> =
                    page * this.pageSize < all.length ? { link: `<${this.url}/repos/${REPO}/issues/${issue}/comments?per_page=100&page=${page + 1}>; rel="next"` } : {};
                return send(200, all.slice((page - 1) * this.pageSize, page * this.pageSize), next);
            }
            if ((m = /^\/issues\/comments\/(\d+)$/.exec(route)) && req.method === "PATCH") {
                const c = this.comments.find((x) => x.id === Number(m![1]));
                if (!c) return send(404, { message: "Not Found" });
                c.body = body.body;
                return send(200, c);
            }
            send(404, { message: "Not Found" });
        });
    }
}

function reviewDir(texts: Record<string, [string, number]>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-comment-"));
    for (const [stack, [text, code]] of Object.entries(texts)) {
        fs.writeFileSync(path.join(dir, `review-${stack}.txt`), text);
        fs.writeFileSync(path.join(dir, `review-${stack}.rc`), `${code}\n`);
    }
    return dir;
}

const STAGING =
    "staging (openagents-rust-lanes)\n  ~  gcp:cloudrunv2/service:Service control\n       template.containers[0].image: ...:3f9c2ab => ...:9e8d7c6\n  staging: 1 to update, 0 to replace, 11 unchanged\n\npolicy verdicts: none\n";
const PROD = "prod (openagents-rust-lanes)\n  prod: 0 to update, 0 to replace, 12 unchanged\n\npolicy verdicts: 1 mandatory\n";

describe("review workflow: the pull request's review comment", function () {
    this.timeout(20_000);
    let gh: StandInGitHub;
    let lines: string[];
    beforeEach(async () => {
        gh = await new StandInGitHub().start();
        lines = [];
    });
    afterEach(() => gh.stop());
    const env = (): NodeJS.ProcessEnv => ({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: gh.url });
    const post = (dir: string) => main(["--pr", "42", "--dir", dir, "--base", "main"], env(), (l) => void lines.push(l));

    it("creates one comment, then updates it on the next push, and leaves it alone when nothing changed", async () => {
        assert.equal(await post(reviewDir({ staging: [STAGING, 0], prod: [PROD, 1] })), 0);
        assert.deepEqual(gh.writes, ["POST /issues/42/comments"]);
        const first = gh.comments[0].body;
        assert.ok(first.startsWith(MARKER));
        assert.match(first, /<details><summary><b>staging: 1 to update, 0 to replace, 11 unchanged · no mandatory violation<\/b><\/summary>/);
        assert.match(first, /<details open><summary><b>prod: 0 to update, 0 to replace, 12 unchanged · mandatory policy violation<\/b><\/summary>/);
        assert.ok(first.indexOf("staging:") < first.indexOf("prod:"), "staging first");
        assert.equal(await post(reviewDir({ staging: [STAGING.replace("9e8d7c6", "1a2b3c4"), 0], prod: [PROD, 0] })), 0);
        assert.deepEqual(gh.writes, ["POST /issues/42/comments", "PATCH /issues/comments/1"]);
        assert.equal(gh.comments.length, 1, "still one comment");
        assert.match(gh.comments[0].body, /1a2b3c4/);
        assert.equal(await post(reviewDir({ staging: [STAGING.replace("9e8d7c6", "1a2b3c4"), 0], prod: [PROD, 0] })), 0);
        assert.equal(gh.writes.length, 2, "an unchanged review writes nothing");
        assert.deepEqual(lines, ["review comment: created", "review comment: updated", "review comment: unchanged"]);
    });

    it("finds its comment on a later page among others", async () => {
        gh.pageSize = 2;
        for (let i = 0; i < 5; i++) gh.add(42, `a reviewer's comment ${i}`, PERSON);
        gh.add(42, `${MARKER}\nan old review`);
        assert.equal(await post(reviewDir({ prod: [PROD, 0] })), 0);
        assert.deepEqual(gh.writes, ["PATCH /issues/comments/6"]);
    });

    it("never edits a person's comment that quotes the marker: the bot's own comment is the one kept", async () => {
        gh.add(42, `${MARKER}\nI copied the review here`, PERSON);
        assert.equal(await post(reviewDir({ prod: [PROD, 0] })), 0);
        assert.deepEqual(gh.writes, ["POST /issues/42/comments"]);
        assert.equal(gh.comments[0].body, `${MARKER}\nI copied the review here`);
    });

    it("an API answer cannot forge a workflow command in the log", async () => {
        gh.refuseWrites = true;
        gh.refusal = "denied\n::warning title=forged::the gate passed\r\n";
        assert.equal(await post(reviewDir({ prod: [PROD, 0] })), 2);
        assert.equal(lines.length, 1);
        assert.ok(!/[\r\n]/.test(lines[0]), lines[0]);
        assert.match(lines[0], /denied%0A::warning title=forged::the gate passed%0D%0A/);
    });

    it("a refused write fails the step (exit 2) with the cause; no token is a usage error", async () => {
        gh.refuseWrites = true;
        assert.equal(await post(reviewDir({ prod: [PROD, 0] })), 2);
        assert.match(lines[0], /^::error::review-comment: the review comment could not be written: POST .*: HTTP 403/);
        assert.equal(await main(["--pr", "42", "--dir", reviewDir({ prod: [PROD, 0] })], {}, (l) => void lines.push(l)), 2);
        assert.equal(await main(["--pr", "x", "--dir", "d"], env(), (l) => void lines.push(l)), 2);
    });

    it("a review longer than a comment holds is cut, and backticks in it cannot close its fence", () => {
        const body = commentBody([{ stack: "prod", text: `\`\`\`\` a fence in the text\n${"~ line\n".repeat(10_000)}`, code: 0 }], "main", undefined);
        assert.ok(body.length < 65_536);
        assert.match(body, /… \(cut: the whole review is in the job summary\)/);
        assert.match(body, /`````diff/);
        assert.equal(summaryLine({ stack: "prod", text: "exit before any plan", code: 2 }), "prod: no diff · config or usage error");
    });
});

// The drift job's report, run for real against a stand-in GitHub REST API on 127.0.0.1 (issues,
// labels, comments kept in memory): one issue per stack, opened on drift or a violation, updated
// while it lasts, closed by the first clean run; the exit code fails the job whenever the stack is
// not clean, also when the issue cannot be written.

import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./invariants";
import { type DriftRun, classify, issueBody, main, marker, maskCredentials } from "../../.github/scripts/drift-report";

const SCRIPT = path.join(REPO, ".github", "scripts", "drift-report.ts");
const TOKEN = "ghs_standin0123456789";
const OWNER_REPO = "OpenAgentsInc/rust-lanes";

interface StoredIssue {
    number: number;
    title: string;
    body: string;
    state: "open" | "closed";
    state_reason?: string;
    labels: string[];
    comments: string[];
    pull_request?: object;
}

/** A GitHub that keeps issues, labels and comments, answers only with the right token, and can be told to refuse writes. */
class StandInGitHub {
    issues: StoredIssue[] = [];
    labels = new Set<string>();
    writes: string[] = [];
    refuseWrites = false;
    pageSize = 100;
    private server = http.createServer((req, res) => this.handle(req, res));

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
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
            const prefix = `/repos/${OWNER_REPO}`;
            if (!url.pathname.startsWith(prefix)) return send(404, { message: "Not Found" });
            const route = url.pathname.slice(prefix.length);
            const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            if (req.method !== "GET") {
                if (this.refuseWrites) return send(403, { message: "Resource not accessible by integration" });
                this.writes.push(`${req.method} ${route}`);
            }
            let m: RegExpExecArray | null;
            if (req.method === "GET" && (m = /^\/labels\/([^/]+)$/.exec(route))) return this.labels.has(decodeURIComponent(m[1])) ? send(200, { name: m[1] }) : send(404, { message: "Not Found" });
            if (req.method === "POST" && route === "/labels") {
                this.labels.add(String(body.name));
                return send(201, { name: body.name });
            }
            if (req.method === "GET" && route === "/issues") {
                const label = url.searchParams.get("labels");
                const state = url.searchParams.get("state") ?? "open";
                const all = this.issues.filter((i) => (state === "all" || i.state === state) && (!label || i.labels.includes(label)));
                const page = Number(url.searchParams.get("page") ?? "1");
                const slice = all.slice((page - 1) * this.pageSize, page * this.pageSize);
                const next: Record<string, string> =
                    page * this.pageSize < all.length
                        ? { link: `<http://127.0.0.1:${(this.server.address() as AddressInfo).port}${prefix}/issues?state=${state}&labels=${label}&page=${page + 1}>; rel="next"` }
                        : {};
                return send(200, slice, next);
            }
            if (req.method === "POST" && route === "/issues") {
                const labels = ((body.labels as string[]) ?? []).filter((l) => this.labels.has(l));
                const issue: StoredIssue = { number: this.issues.length + 1, title: String(body.title), body: String(body.body), state: "open", labels, comments: [] };
                this.issues.push(issue);
                return send(201, issue);
            }
            if ((m = /^\/issues\/(\d+)(\/comments)?$/.exec(route))) {
                const issue = this.issues.find((i) => i.number === Number(m![1]));
                if (!issue) return send(404, { message: "Not Found" });
                if (req.method === "POST" && m[2]) {
                    issue.comments.push(String(body.body));
                    return send(201, { body: body.body });
                }
                if (req.method === "PATCH" && !m[2]) {
                    if (typeof body.body === "string") issue.body = body.body;
                    if (body.state === "closed" || body.state === "open") issue.state = body.state;
                    if (typeof body.state_reason === "string") issue.state_reason = body.state_reason;
                    return send(200, issue);
                }
            }
            send(404, { message: "Not Found" });
        });
    }
}

const DIFF = [
    "Previewing update (staging):",
    "  ~ gcp:cloudrunv2/service:Service control-service update [diff: ~template]",
    "      ~ template: {",
    "          ~ containers: [",
    "              ~ [0]: {",
    '                  ~ image: "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:hotfix" => "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:3f9c2ab"',
    "Resources:",
    "    ~ 1 to update",
    "    11 unchanged",
    "error: no changes were expected but changes were proposed",
].join("\n");

const VIOLATION = [
    "Policies:",
    "    ❌ openagents-rust-lanes-policies@v0.1.0 (local: policies)",
    "        - [mandatory]  no-legacy-targets  (gcp:cloudrunv2/service:Service: control-service)",
    "          env APP_KEY is Laravel residue",
    "error: policy analysis found mandatory violations",
].join("\n");

const ok = (output = "") => ({ rc: 0, output });

function run(stack: string, over: Partial<DriftRun> = {}): DriftRun {
    return { stack, preview: ok("Resources:\n    12 unchanged"), refresh: ok("Resources:\n    12 unchanged"), analyze: ok("no policy violations"), ...over };
}

describe("drift-report.ts: the drift job's verdict and its issue", () => {
    let gh: StandInGitHub;
    let apiUrl: string;
    let tmp: string;
    let lines: string[];

    beforeEach(async () => {
        gh = new StandInGitHub();
        apiUrl = await gh.start();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drift-report-"));
        lines = [];
    });
    afterEach(async () => {
        await gh.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Writes what the job's steps write (<command>.txt and .rc; undefined rc: the command never ran), then runs the report in-process. */
    async function report(r: DriftRun, env: NodeJS.ProcessEnv = {}): Promise<number> {
        const dir = fs.mkdtempSync(path.join(tmp, "run-"));
        for (const name of ["preview", "refresh", "analyze"] as const) {
            if (r[name].rc === undefined) continue;
            fs.writeFileSync(path.join(dir, `${name}.txt`), r[name].output);
            fs.writeFileSync(path.join(dir, `${name}.rc`), `${r[name].rc}\n`);
        }
        const environment = {
            GITHUB_TOKEN: TOKEN,
            GITHUB_REPOSITORY: OWNER_REPO,
            GITHUB_API_URL: apiUrl,
            GITHUB_SERVER_URL: "https://github.com",
            GITHUB_RUN_ID: String(1000 + gh.writes.length),
            GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md"),
            ...env,
        };
        return main(["--stack", r.stack, "--dir", dir], environment, (l) => lines.push(l));
    }

    describe("the verdict", () => {
        it("is clean only when the preview, the refresh and the analysis all exit 0", () => {
            assert.deepEqual(classify(run("staging")), []);
            assert.deepEqual(classify(run("staging", { preview: { rc: 255, output: DIFF } })), ["drift"]);
            assert.deepEqual(classify(run("staging", { analyze: { rc: 1, output: VIOLATION } })), ["policy"]);
            assert.deepEqual(classify(run("staging", { preview: { rc: 255, output: DIFF }, analyze: { rc: 1, output: VIOLATION } })), ["drift", "policy"]);
        });
        it("reads the newer CLI's wording of the no-changes error", () => {
            assert.deepEqual(classify(run("prod", { preview: { rc: 255, output: "error: no changes were expected for preview but changes were proposed" } })), ["drift"]);
        });
        it("never calls a failure that proposed nothing drift, and never calls it clean", () => {
            assert.deepEqual(classify(run("prod", { preview: { rc: 255, output: "error: failed to load checkpoint: storage: object doesn't exist" } })), ["preview-failed"]);
            assert.deepEqual(classify(run("prod", { preview: { rc: undefined, output: "" } })), ["preview-failed"]);
            assert.deepEqual(classify(run("prod", { refresh: { rc: undefined, output: "" }, analyze: { rc: undefined, output: "" } })), ["refresh-failed"]);
            assert.deepEqual(classify(run("prod", { analyze: { rc: 1, output: "error: could not load policy pack: Cannot find module" } })), ["analyze-failed"]);
        });
        it("keeps the body under GitHub's 65,536 characters, the end of each output kept, and no fence the output can close", () => {
            const huge = `${"x".repeat(200)}\n`.repeat(2000) + "```\nerror: no changes were expected but changes were proposed";
            const r = run("staging", { preview: { rc: 255, output: huge }, refresh: { rc: 0, output: huge }, analyze: { rc: 1, output: `${huge}\n${VIOLATION}` } });
            const body = issueBody(r, classify(r), "https://github.com/o/r/actions/runs/1");
            assert.ok(body.length < 65_536, `${body.length}`);
            assert.ok(body.includes("error: policy analysis found mandatory violations"));
            assert.ok(body.includes("earlier characters: see the run's drift-<stack> artifact"));
            assert.match(body, /\n````\n/);
        });
        it("masks credentials a hand-made change left in the diff, and keeps digests and names", () => {
            const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvYS1nYXRlIn0.c2lnbmF0dXJlLXBhcnQ";
            const diff = [
                `~ value: "${jwt}" => "[secret]"`,
                '~ value: "base64:q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6" => output<string>',
                '- value: "postgres://runtime:hunter2-Pa55@10.0.0.3:5432/runtime"',
                "+ token ya29.a0AfB_byC1234567890abcdef and ghp_abcdefghijklmnopqrstuvwxyz0123",
                '~ image: "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime@sha256:3f9c2ab3f9c2ab3f9c2ab3f9c2ab3f9c2ab3f9c2ab3f9c2ab3f9c2ab3f9c2ab0"',
                '~ name: "APP_KEY"',
            ].join("\n");
            const masked = maskCredentials(diff);
            for (const secret of [jwt, "q1w2e3r4t5y6u7i8o9p0", "hunter2-Pa55", "ya29.a0AfB", "ghp_abcdefghij"]) assert.ok(!masked.includes(secret), `${secret} in:\n${masked}`);
            assert.ok(masked.includes("postgres://runtime:***@10.0.0.3:5432/runtime"), masked);
            assert.ok(masked.includes("runtime@sha256:3f9c2ab3f9c2ab"), "a digest is not a credential");
            assert.ok(masked.includes('name: "APP_KEY"'));
            const r = run("staging", { preview: { rc: 255, output: `${diff}\nerror: no changes were expected but changes were proposed` } });
            assert.ok(!issueBody(r, classify(r), undefined).includes("hunter2"));
        });
        it("strips terminal colours from the outputs", () => {
            const r = run("staging", { preview: { rc: 255, output: "\u001b[31merror: no changes were expected but changes were proposed\u001b[0m" } });
            assert.ok(!issueBody(r, classify(r), undefined).includes("\u001b"));
        });
    });

    describe("the issue", () => {
        it("opens one issue on drift, labelled drift, with the diff, and fails the job", async () => {
            assert.equal(await report(run("staging", { preview: { rc: 255, output: DIFF } })), 1);
            assert.equal(gh.issues.length, 1);
            const [issue] = gh.issues;
            assert.equal(issue.title, "Drift: stack staging is not what main declares");
            assert.deepEqual(issue.labels, ["drift"]);
            assert.ok(issue.body.startsWith(marker("staging")));
            assert.ok(issue.body.includes("control:hotfix"));
            assert.match(issue.body, /\*\*Drift\*\*/);
            assert.match(issue.body, /\[this drift run\]\(https:\/\/github\.com\/OpenAgentsInc\/rust-lanes\/actions\/runs\/\d+\)/);
            assert.deepEqual(lines, ["staging: drift", "issue: opened #1"]);
            assert.match(fs.readFileSync(path.join(tmp, "summary.md"), "utf8"), /## Drift: staging: drift/);
        });

        it("updates that issue on the next bad run instead of opening another, commenting when the report changed", async () => {
            await report(run("staging", { preview: { rc: 255, output: DIFF } }));
            assert.equal(await report(run("staging", { preview: { rc: 255, output: DIFF }, analyze: { rc: 1, output: VIOLATION } })), 1);
            assert.equal(gh.issues.length, 1);
            const [issue] = gh.issues;
            assert.match(issue.body, /\*\*Policy\*\*/);
            assert.ok(issue.body.includes("APP_KEY is Laravel residue"));
            assert.equal(issue.comments.length, 1);
            assert.match(issue.comments[0], /The report changed .*drift, policy/);
            assert.equal(lines.at(-1), "issue: updated #1");
        });

        it("a bad run with the same report refreshes the run link without a comment a day", async () => {
            await report(run("staging", { preview: { rc: 255, output: DIFF } }));
            const before = gh.issues[0].body;
            assert.equal(await report(run("staging", { preview: { rc: 255, output: DIFF } })), 1);
            assert.equal(gh.issues.length, 1);
            assert.equal(gh.issues[0].comments.length, 0);
            assert.notEqual(gh.issues[0].body, before, "the link names the newer run");
            assert.equal(lines.at(-1), "issue: unchanged #1");
        });

        it("keeps one issue per stack: prod's drift never touches staging's issue", async () => {
            await report(run("staging", { preview: { rc: 255, output: DIFF } }));
            await report(run("prod", { analyze: { rc: 1, output: VIOLATION } }));
            assert.deepEqual(
                gh.issues.map((i) => [i.number, i.title, i.state]),
                [
                    [1, "Drift: stack staging is not what main declares", "open"],
                    [2, "Drift: stack prod is not what main declares", "open"],
                ],
            );
            assert.equal(await report(run("prod")), 0);
            assert.deepEqual(
                gh.issues.map((i) => i.state),
                ["open", "closed"],
            );
        });

        it("closes the issue, with a comment, on the first clean run, and passes the job", async () => {
            await report(run("prod", { preview: { rc: 255, output: DIFF } }));
            assert.equal(await report(run("prod")), 0);
            const [issue] = gh.issues;
            assert.equal(issue.state, "closed");
            assert.equal(issue.state_reason, "completed");
            assert.match(issue.comments.at(-1)!, /^Clean again: \[drift run\]\(.*\) found no drift and no violation in `prod`\. Closing\.$/);
            assert.deepEqual(lines.slice(-2), ["prod: clean (no drift, no violation)", "issue: closed #1"]);
        });

        it("a clean run without an open issue writes nothing; drift after a closed issue opens a new one", async () => {
            assert.equal(await report(run("prod")), 0);
            assert.deepEqual(gh.writes, []);
            await report(run("prod", { preview: { rc: 255, output: DIFF } }));
            await report(run("prod"));
            await report(run("prod", { preview: { rc: 255, output: DIFF } }));
            assert.deepEqual(
                gh.issues.map((i) => i.state),
                ["closed", "open"],
            );
        });

        it("finds its issue past the first page of open drift issues, and ignores pull requests and other stacks' issues", async () => {
            gh.pageSize = 2;
            gh.labels.add("drift");
            const other = (n: number, extra: Partial<StoredIssue> = {}): StoredIssue => ({
                number: n,
                title: `other ${n}`,
                body: marker("prod"),
                state: "open",
                labels: ["drift"],
                comments: [],
                ...extra,
            });
            gh.issues.push(other(1), other(2, { pull_request: {}, body: marker("staging") }), other(3, { body: "drift notes" }), other(4, { body: `${marker("staging")}\nold report` }));
            assert.equal(await report(run("staging", { preview: { rc: 255, output: DIFF } })), 1);
            assert.equal(gh.issues.length, 4);
            assert.match(gh.issues[3].body, /control:hotfix/);
            assert.equal(gh.issues[1].body, marker("staging"));
        });

        it("fails the job (exit 2) and still prints the verdict when GitHub refuses the write", async () => {
            gh.refuseWrites = true;
            assert.equal(await report(run("staging", { preview: { rc: 255, output: DIFF } })), 2);
            assert.equal(lines[0], "staging: drift");
            assert.match(lines[1], /^::error::drift-report: the staging drift issue could not be written: POST \/repos\/OpenAgentsInc\/rust-lanes\/labels: HTTP 403/);
        });

        it("fails the job on a clean stack whose issue cannot be closed, and on a wrong token", async () => {
            await report(run("staging", { preview: { rc: 255, output: DIFF } }));
            gh.refuseWrites = true;
            assert.equal(await report(run("staging")), 2);
            gh.refuseWrites = false;
            assert.equal(await report(run("staging"), { GITHUB_TOKEN: "ghs_wrong" }), 2);
            assert.match(lines.at(-1)!, /HTTP 401/);
            assert.ok(!lines.join("\n").includes("ghs_wrong") && !lines.join("\n").includes(TOKEN), "no token in the output");
            assert.equal(gh.issues[0].state, "open");
        });
    });

    describe("the command line (what the workflow runs)", () => {
        it("reads the step outputs from --dir and exits 1 on drift, as the job's report step", async function () {
            this.timeout(30_000);
            const dir = path.join(tmp, "drift");
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "preview.txt"), DIFF);
            fs.writeFileSync(path.join(dir, "preview.rc"), "255\n");
            for (const name of ["refresh", "analyze"]) {
                fs.writeFileSync(path.join(dir, `${name}.txt`), "");
                fs.writeFileSync(path.join(dir, `${name}.rc`), "0\n");
            }
            const env = { ...process.env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: OWNER_REPO, GITHUB_API_URL: apiUrl, GITHUB_STEP_SUMMARY: "" };
            // As the job runs it: from the checkout's root, where -r resolves sucrase. Not spawnSync: the stand-in answers from this process.
            const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
                const child = execFile(process.execPath, ["-r", "sucrase/register/ts", SCRIPT, "--stack", "staging", "--dir", dir], { cwd: REPO, env, encoding: "utf8" }, (_e, stdout, stderr) =>
                    resolve({ status: child.exitCode, stdout, stderr }),
                );
            });
            assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
            assert.equal(r.stdout, "staging: drift\nissue: opened #1\n");
            assert.equal(gh.issues.length, 1);
        });

        it("exits 2 on a missing --stack, without writing", async () => {
            assert.equal(await main(["--dir", tmp], {}, (l) => lines.push(l)), 2);
            assert.match(lines[0], /--stack <name> and --dir <directory> are required/);
            assert.deepEqual(gh.writes, []);
        });
    });
});

// Every command the README and the docs show is one the project has: the npm script exists and
// its CLI accepts the flags (the gate's and the review's parsers, the canary's subcommands and
// flags, the bench's names). A renamed flag fails here before a reader copies it.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ANALYZE_OPTIONS } from "../canary/options";
import { resolveRolloutOptions } from "../canary/rollout-options";
import { parseReviewArgs } from "../review/cli";
import { docFiles, notRunHere, shownCommands, type ShownCommand } from "./docs/shown-commands";
import { WORKFLOWS_DOC, countWord, renderWorkflowFacts, shownWorkflowFacts } from "./docs/workflow-facts";
import { gateArgProblems, loadWorkflows, npmRuns } from "./workflows/invariants";

const root = path.resolve(__dirname, "..");
const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const benches = readdirSync(path.join(root, "bench"))
    .filter((f) => f.endsWith(".bench.ts"))
    .map((f) => f.replace(/\.bench\.ts$/, ""));

/** The shell text of a Markdown file: its fenced blocks and its inline code spans, comments cut. */
function shellText(markdown: string): string[] {
    // A text block is output: only its `$ ` lines are commands.
    const blocks = [...markdown.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)].map((m) =>
        m[1] === "text"
            ? m[2]
                  .split("\n")
                  .filter((l) => l.startsWith("$ "))
                  .map((l) => l.slice(2))
                  .join("\n")
            : m[2],
    );
    const rest = markdown.replace(/```[a-z]*\n[\s\S]*?```/g, "");
    const spans = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    return [...blocks, ...spans].map((t) =>
        t
            .split("\n")
            .map((l) => l.replace(/\s+#.*$/, "").replace(/\\$/, ""))
            .join("\n"),
    );
}

function problemsOf(where: string, script: string, shown: string[]): string[] {
    if (!(script in scripts)) return [`${where}: no npm script ${script}`];
    // A usage line's `[options]` stands for the flags, not one of them.
    const args = shown.filter((a) => !/^\[.*\]$/.test(a));
    if (script === "validate") return gateArgProblems(where, args);
    if (script === "review") {
        // The flags, not the reader's own files (a --policy-config example names one).
        parseReviewArgs(args);
        return [];
    }
    if (script === "bench") return args.filter((a) => !benches.includes(a) && a !== "--record" && a !== "NAME").map((a) => `${where}: no bench ${a}`);
    if (script !== "canary" || args.length === 0) return [];
    const [command, ...flags] = args;
    const commands = command.split(/\\?\|/);
    const out: string[] = [];
    for (const c of commands) {
        if (c === "analyze") {
            for (const f of flags.filter((a) => a.startsWith("--")))
                if (!Object.values(ANALYZE_OPTIONS).some((s: { flag?: string }) => `--${s.flag}` === f.split("=")[0])) out.push(`${where}: canary analyze has no ${f}`);
        } else if (c === "rollout" || c === "rollback") {
            if (flags.length > 0) resolveRolloutOptions(flags, c, { env: {} });
        } else out.push(`${where}: no canary command ${c}`);
    }
    return out;
}

describe("the commands the README and the docs show", () => {
    const files = [
        "README.md",
        ...readdirSync(path.join(root, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => `docs/${f}`),
    ];
    for (const file of files) {
        it(`${file}: every npm run exists with the flags shown`, () => {
            const problems: string[] = [];
            for (const text of shellText(readFileSync(path.join(root, file), "utf8"))) {
                for (const { script, args } of npmRuns(text.replace(/\n/g, " \n"))) {
                    try {
                        problems.push(...problemsOf(`${file}: npm run ${script} ${args.join(" ")}`, script, args));
                    } catch (e) {
                        problems.push(`${file}: npm run ${script} ${args.join(" ")}: ${(e as Error).message}`);
                    }
                }
            }
            assert.deepEqual(problems, []);
        });
    }
});

// ---- every command that can run here runs, exactly as written ----

function sh(cwd: string, command: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync("bash", ["-c", command], {
        cwd,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, METADATA_SERVER_DETECTION: "none", NO_COLOR: "1", npm_config_update_notifier: "false" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of this checkout (tracked and untracked files, the installed node_modules) as a fresh clone on main. */
function checkoutCopy(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "docs-commands-"));
    const files = spawnSync("git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" }).stdout.split("\0").filter(Boolean);
    for (const f of files) {
        try {
            mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
            cpSync(path.join(root, f), path.join(dir, f));
        } catch {
            // deleted in the working tree
        }
    }
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    const git = (...a: string[]) => spawnSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...a], { encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "clone");
    return dir;
}

/** The files a reader brings that a command names: a policy config of their own. */
function readersFiles(dir: string): void {
    const prod = readFileSync(path.join(dir, ".github/policy-config/prod.json"), "utf8");
    writeFileSync(path.join(dir, "policy-config.json"), "{}\n");
    writeFileSync(path.join(dir, "my-prod.json"), prod);
}

/** "after: pulumi config set KEY VALUE --stack S": the stack file edited as that command edits it. */
function applyAfter(dir: string, comment: string): () => void {
    const m = /after: pulumi config set (\w+) (\S+) --stack (\w+)/.exec(comment);
    if (!m) return () => undefined;
    const file = path.join(dir, `Pulumi.${m[3]}.yaml`);
    const before = readFileSync(file, "utf8");
    const edited = before.replace(new RegExp(`^(\\s+(?:[\\w-]+:)?${m[1]}:) .*$`, "m"), `$1 ${m[2]}`);
    assert.notEqual(edited, before, `${comment}: no ${m[1]} in Pulumi.${m[3]}.yaml`);
    writeFileSync(file, edited);
    return () => writeFileSync(file, before);
}

/** The file a command writes: its --out FILE or its stdout redirect. */
function writtenFile(command: string): string | undefined {
    return /--out[ =](\S+)/.exec(command)?.[1] ?? /(?:^|\s)>\s*(\S+)/.exec(command)?.[1];
}

/** What the command must produce, beyond exit 0: a problem, or undefined. */
function producesWhatIsShown(dir: string, shown: ShownCommand, r: { stdout: string; stderr: string }): string | undefined {
    const where = `${shown.file}: ${shown.command}`;
    if (shown.command.includes("--help")) return /^Usage: /m.test(r.stdout) ? undefined : `${where}: prints no usage`;
    const file = writtenFile(shown.command);
    if (file !== undefined) {
        let doc: any;
        try {
            doc = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
        } catch (e) {
            return `${where}: ${file} is not JSON (${(e as Error).message.slice(0, 80)})`;
        }
        if (/--import/.test(shown.command)) {
            const ids = (doc.resources ?? []).filter((x: any) => x.id !== undefined);
            if (ids.length === 0 || !ids.every((x: any) => /^projects\/[\w-]+\/locations\/[\w-]+\/(services|jobs)\/[\w-]+$/.test(x.id))) return `${where}: ${file} is no pulumi import document`;
        } else if (/--json/.test(shown.command) && !(Array.isArray(doc.stacks) && doc.stacks.every((x: any) => Array.isArray(x.resources) && x.policy)))
            return `${where}: ${file} has no stacks with resources and verdicts`;
        return undefined;
    }
    if (shown.output !== undefined && shown.output.length > 0) {
        const lines = r.stdout.split("\n");
        const at = lines.indexOf(shown.output[0]);
        const got = at < 0 ? [] : lines.slice(at, at + shown.output.length);
        return JSON.stringify(got) === JSON.stringify(shown.output) ? undefined : `${where}: shows\n${shown.output.join("\n")}\nbut prints\n${r.stdout}`;
    }
    if (/^npm run review\b.*--(json|import)\b/.test(shown.command)) {
        // On stdout through npm: npm's banner, then the document.
        try {
            JSON.parse(r.stdout.slice(r.stdout.indexOf("\n{") + 1));
            return undefined;
        } catch {
            return `${where}: prints no JSON document`;
        }
    }
    if (/^npm run review\b/.test(shown.command)) return /^Policy verdicts \(/m.test(r.stdout) ? undefined : `${where}: prints no verdicts`;
    return undefined;
}

describe("the commands the README and the docs show, run as written", function () {
    this.timeout(300_000);
    let dir: string;
    const ran = new Map<string, ReturnType<typeof sh>>();
    before(() => {
        dir = checkoutCopy();
        readersFiles(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const file of docFiles()) {
        const runnable = shownCommands(file)
            .filter((c) => notRunHere(c.command) === undefined)
            .flatMap((c) =>
                c.command
                    .split(/\s+&&\s+/)
                    .map((part) => ({ ...c, command: part }))
                    .filter((c) => notRunHere(c.command) === undefined),
            );
        if (runnable.length === 0) continue;
        it(`${file}: ${runnable.length} command(s) run and produce what the doc says`, () => {
            const problems: string[] = [];
            for (const shown of runnable) {
                const undo = applyAfter(dir, shown.comment);
                try {
                    // The same command with the same set-up answers the same: run once for every doc showing it.
                    const key = `${shown.command}\0${shown.comment}`;
                    const r = ran.get(key) ?? sh(dir, shown.command);
                    if (writtenFile(shown.command) === undefined) ran.set(key, r);
                    const exit = Number(/\bexits (\d)\b/.exec(shown.comment)?.[1] ?? 0);
                    if (r.code !== exit) problems.push(`${file}: ${shown.command}: exit ${r.code}, the doc says ${exit}: ${r.stderr.slice(-400)}`);
                    else {
                        const problem = producesWhatIsShown(dir, shown, r);
                        if (problem) problems.push(problem);
                    }
                } finally {
                    undo();
                }
            }
            assert.deepEqual(problems, []);
        });
    }

    it("the reader's way in: every doc command that is not run says why (cloud, installs, minutes), nothing unclassified", () => {
        const kinds = new Set(
            docFiles()
                .flatMap((f) => shownCommands(f))
                .map((c) => notRunHere(c.command)),
        );
        assert.ok(kinds.has(undefined), "some commands run");
        assert.ok([...kinds].every((k) => k === undefined || k.length > 10));
    });
});

describe("docs/workflows.md states what the workflow files say", () => {
    it("its workflow table (count, triggers, environments, what each job runs and may write, who pushes to main) is generated from .github/workflows", () => {
        assert.equal(shownWorkflowFacts(), renderWorkflowFacts(), "docs/workflows.md is stale: node -r sucrase/register/ts test/docs/workflow-facts.ts --write");
    });

    it("no other sentence counts the workflows differently, or names a single writer", () => {
        const doc = readFileSync(WORKFLOWS_DOC, "utf8");
        const count = loadWorkflows().length;
        for (const m of doc.matchAll(/\b(one|two|three|four|five|six|seven|eight|nine|ten) (?:GitHub )?workflows\b/gi))
            assert.equal(m[1].toLowerCase(), countWord(count), `"${m[0]}": there are ${count}`);
        const pushers = renderWorkflowFacts()
            .split("\n")
            .find((l) => l.startsWith("Jobs that push to"))!;
        if ((pushers.match(/ job /g) ?? []).length > 1) assert.doesNotMatch(doc, /alone has `contents: write`|only that job may write/);
    });

    it("the rendering follows the files: a job granted contents: write joins the pushers, a removed workflow leaves the count", () => {
        const wfs = loadWorkflows();
        const drift = wfs.find((w) => w.file === "drift.yml")!;
        const edited = { ...drift, doc: { ...drift.doc, jobs: { drift: { ...drift.doc.jobs!.drift, permissions: { contents: "write" } } } } };
        assert.match(renderWorkflowFacts(wfs.map((w) => (w === drift ? edited : w))), /`drift\.yml` job `drift`/);
        assert.match(renderWorkflowFacts(wfs.filter((w) => w !== drift)), new RegExp(`^${countWord(wfs.length - 1)} workflows`, "im"));
    });
});

// Every command the README and the docs show is one the project has: the npm script exists and
// its CLI accepts the flags (the gate's and the review's parsers, the canary's subcommands and
// flags, the bench's names). A renamed flag fails here before a reader copies it.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { ANALYZE_FLAGS } from "../canary/options";
import { resolveRolloutOptions } from "../canary/rollout-options";
import { parseReviewArgs } from "../review/cli";
import { gateArgProblems, npmRuns } from "./workflows/invariants";

const root = path.resolve(__dirname, "..");
const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const benches = readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".bench.ts")).map((f) => f.replace(/\.bench\.ts$/, ""));

/** The shell text of a Markdown file: its fenced blocks and its inline code spans, comments cut. */
function shellText(markdown: string): string[] {
    const blocks = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
    const rest = markdown.replace(/```[a-z]*\n[\s\S]*?```/g, "");
    const spans = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    return [...blocks, ...spans].map((t) => t.split("\n").map((l) => l.replace(/\s+#.*$/, "").replace(/\\$/, "")).join("\n"));
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
    if (script === "bench") return args.filter((a) => !benches.includes(a)).map((a) => `${where}: no bench ${a}`);
    if (script !== "canary" || args.length === 0) return [];
    const [command, ...flags] = args;
    const commands = command.split(/\\?\|/);
    const out: string[] = [];
    for (const c of commands) {
        if (c === "analyze") {
            for (const f of flags.filter((a) => a.startsWith("--"))) if (!ANALYZE_FLAGS.some((s) => `--${s.name}` === f.split("=")[0])) out.push(`${where}: canary analyze has no ${f}`);
        } else if (c === "rollout" || c === "rollback") {
            if (flags.length > 0) resolveRolloutOptions(flags, c, { env: {} });
        } else out.push(`${where}: no canary command ${c}`);
    }
    return out;
}

describe("the commands the README and the docs show", () => {
    const files = ["README.md", ...readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
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

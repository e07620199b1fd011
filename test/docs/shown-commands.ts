// The commands the README and docs/ show, read as a reader reads them: each line of a shell
// block (```sh, ```bash; `\` continues a line, `  # ...` is a comment) and each `$ ` line of a
// text block with the output shown under it. Which of them can run on a machine with no cloud
// and no Pulumi CLI, and what each must produce, is decided here.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export interface ShownCommand {
    file: string;
    /** The command as written (continuations joined), without its trailing comment. */
    command: string;
    /** Its trailing comment, which says what it does ("after: ..." names a step done before). */
    comment: string;
    /** The output the doc shows under a `$ ` line, when it shows one. */
    output?: string[];
}

export function docFiles(root = ROOT): string[] {
    return [
        "README.md",
        ...readdirSync(path.join(root, "docs"))
            .filter((f) => f.endsWith(".md"))
            .sort()
            .map((f) => `docs/${f}`),
    ];
}

function unbalanced(text: string): boolean {
    let quote = "";
    for (const c of text) {
        if (quote) {
            if (c === quote) quote = "";
        } else if (c === "'" || c === '"') quote = c;
    }
    return quote !== "";
}

/** A trailing `  # comment` outside quotes. */
function splitComment(line: string): [string, string] {
    let quote = "";
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = "";
        } else if (c === "'" || c === '"') quote = c;
        else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return [line.slice(0, i).trimEnd(), line.slice(i + 1).trim()];
    }
    return [line.trimEnd(), ""];
}

export function shownCommands(file: string, root = ROOT): ShownCommand[] {
    const text = readFileSync(path.join(root, file), "utf8");
    const out: ShownCommand[] = [];
    for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
        const [, lang, body] = m;
        const lines = body.replace(/\n$/, "").split("\n");
        if (lang === "sh" || lang === "bash") {
            let pending = "";
            for (const raw of lines) {
                const [code, comment] = splitComment(raw);
                if (code.endsWith("\\")) {
                    pending += `${code.slice(0, -1).trimEnd()} `;
                    continue;
                }
                // A quoted string that goes on over the next line.
                if (unbalanced(pending + code)) {
                    pending += `${code}\n`;
                    continue;
                }
                const command = (pending + code.trim()).trim();
                pending = "";
                if (command !== "") out.push({ file, command, comment });
            }
        } else if (lang === "text" || lang === "") {
            for (let i = 0; i < lines.length; i++) {
                if (!lines[i].startsWith("$ ")) continue;
                const [command, comment] = splitComment(lines[i].slice(2));
                const output: string[] = [];
                for (let j = i + 1; j < lines.length && !lines[j].startsWith("$ "); j++) output.push(lines[j]);
                out.push({ file, command, comment, output });
            }
        }
    }
    // Commands in the prose: an inline code span that is a whole npm or npx command.
    const prose = text.replace(/^```\w*\n[\s\S]*?^```/gm, "");
    for (const m of prose.matchAll(/`((?:npm run|npx) [^`\n]+)`/g)) {
        if (!out.some((c) => c.command === m[1])) out.push({ file, command: m[1], comment: "" });
    }
    return out;
}

/**
 * Why a shown command is not run here, or undefined when it must run. Everything not listed
 * runs: a new kind of command in a doc fails the test until it is run or given its reason.
 */
export function notRunHere(command: string): string | undefined {
    const words = command.replace(/^([A-Z_]+=\S+\s+)+/, "").split(/\s+/);
    const [tool, verb] = words;
    const script = tool === "npm" && verb === "run" ? words[2] : undefined;
    const args = words.slice(words.indexOf("--") + 1);
    if (/\\\||\[options\]|<[\w-]+>/.test(command)) return "a usage line: its parts are checked against the CLI";
    if (command.includes("--help")) return undefined;
    if (["typecheck", "lint", "format:check"].includes(script ?? "") || (tool === "npx" && verb === "--no-install")) return "a CI check over the whole tree (.ci/run and the review workflow run it)";
    if (/\$\((gcloud|pulumi|gh|gsutil)\b/.test(command)) return "Google Cloud or GitHub (not here)";
    if (tool === "git") return "records the reader's change in their repository (a commit, a push)";
    if (words.some((w) => /^(\$\()?(gcloud|pulumi|gsutil|gh)$/.test(w)) || ["export", "for", "do", "done", "if", "then", "fi"].includes(tool) || /^[A-Z_]+=/.test(tool))
        return "Google Cloud, the Pulumi CLI or the shell set-up around them (not here; the walk-through is checked in test/docs)";
    if (tool === "npm" && verb === "ci") return "installs from the registry";
    if ((tool === "npm" && verb === "test") || (tool === "npx" && verb === "mocha")) return "the test suite, or a part of it (npm test runs it all)";
    if (script === "fuzz") return "the fuzz suite: minutes";
    if (script === "bench") return "timing: a minute per bench (its names are checked against bench/)";
    if (script === "validate") return "probes deployed services (its flags are checked against the gate's parser)";
    if (script === "canary" && ["analyze", "rollout", "rollback"].includes(args[0])) return "Cloud Monitoring and the Pulumi CLI (its flags are checked against the canary's parsers)";
    return undefined;
}

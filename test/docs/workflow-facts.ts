// The facts docs/workflows.md states about the workflows, rendered from .github/workflows
// itself: how many there are, each job's trigger, environment, what it runs, what it may write,
// and which jobs push to `main` (what a ruleset on `main` must let through). The doc holds the
// rendering between markers; test/docs-commands.test.ts says when it is stale.
// `node -r sucrase/register/ts test/docs/workflow-facts.ts --write` rewrites it.
import * as fs from "node:fs";
import * as path from "node:path";
import { type Job, type Workflow, jobsOf, loadWorkflows, npmRuns, pulumiOps } from "../workflows/invariants";

export const WORKFLOWS_DOC = path.resolve(__dirname, "../../docs/workflows.md");
const BEGIN = "<!-- workflows: generated from .github/workflows (test/docs/workflow-facts.ts) -->";
const END = "<!-- /workflows -->";
const WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

export function countWord(n: number): string {
    return WORDS[n] ?? String(n);
}

function triggers(wf: Workflow): string {
    const on = wf.doc.on;
    const entries: Array<[string, unknown]> =
        typeof on === "string" ? [[on, {}]] : Array.isArray(on) ? on.map((o): [string, unknown] => [String(o), {}]) : Object.entries((on ?? {}) as Record<string, unknown>);
    return entries
        .map(([event, spec]) => {
            const s = (spec ?? {}) as { branches?: string[]; "paths-ignore"?: string[] } & Array<{ cron?: string }>;
            if (event === "schedule") return `schedule (${(spec as Array<{ cron?: string }>).map((c) => `\`${c.cron}\``).join(", ")} UTC)`;
            if (event === "workflow_dispatch") return "manual";
            const branches = s.branches ? ` to ${s.branches.map((b) => `\`${b}\``).join(", ")}` : "";
            const ignore = s["paths-ignore"] ? ` (not only ${s["paths-ignore"].map((p) => `\`${p}\``).join(", ")})` : "";
            return `${event.replace(/_/g, " ")}${branches}${ignore}`;
        })
        .join("; ");
}

/** The writes a job is granted (its own permissions, else the workflow's), OIDC's id-token aside. */
export function writes(wf: Workflow, job: Job): string[] {
    const granted = (job.permissions ?? (wf.doc as { permissions?: unknown }).permissions ?? {}) as Record<string, string> | string;
    if (typeof granted === "string") return granted === "write-all" ? ["everything"] : [];
    return Object.entries(granted)
        .filter(([scope, level]) => level === "write" && scope !== "id-token")
        .map(([scope]) => scope);
}

/** What a job runs, in order: npm scripts (with the canary's subcommand), pulumi operations, the repository's scripts. */
export function runs(job: Job): string[] {
    const out: string[] = [];
    const add = (s: string) => void (out.includes(s) || out.push(s));
    const ops = pulumiOps(job);
    (job.steps ?? []).forEach((step, index) => {
        const run = (step.run ?? "").replace(/\n/g, " ");
        if (/\bnpm ci\b/.test(run)) add("`npm ci`");
        if (/\bnpm test\b/.test(run)) add("`npm test`");
        for (const r of npmRuns(run).filter((r) => r.script !== "test"))
            add(`\`npm run ${r.script}${r.script === "canary" && r.args[0] ? ` -- ${r.args[0]}\`${r.args.includes("--stage") ? " (`--stage`)" : ""}` : "`"}`);
        for (const op of ops.filter((o) => o.index === index && !o.canary)) add(`\`pulumi ${op.kind}\``);
        for (const m of run.matchAll(/\bpulumi (refresh|import|policy analyze|config set|stack output)\b/g)) add(`\`pulumi ${m[1]}\``);
        for (const m of run.matchAll(/\.github\/scripts\/([\w.-]+)/g)) add(`\`${m[1]}\``);
    });
    return out;
}

export function renderWorkflowFacts(wfs: Workflow[] = loadWorkflows()): string {
    const rows: string[] = [];
    const pushers: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const named = typeof job.environment === "string" ? job.environment : ((job.environment as { name?: string } | undefined)?.name ?? "");
            // An expression (`inputs.stack == 'prod' && 'production' || 'staging'`): the names it can give.
            const env = named.includes("${{")
                ? [...named.matchAll(/'([\w-]+)'/g)]
                      .map((m) => m[1])
                      .filter((n) => !["prod"].includes(n))
                      .join(" or ")
                : named;
            const needs = [job.needs ?? []]
                .flat()
                .map((n) => `\`${n}\``)
                .join(", ");
            const w = writes(wf, job);
            if (w.includes("contents") || w.includes("everything")) pushers.push(`\`${wf.file}\` job \`${id}\``);
            rows.push(
                `| \`${wf.file}\` | \`${id}\` | ${triggers(wf)} | ${
                    env
                        ? env
                              .split(" or ")
                              .map((e) => `\`${e}\``)
                              .join(" or ")
                        : ""
                } | ${needs} | ${w.map((s) => `\`${s}: write\``).join(", ") || "nothing"} | ${runs(job).join(", ")} |`,
            );
        }
    }
    const count = countWord(wfs.length);
    return [
        BEGIN,
        `${count[0].toUpperCase()}${count.slice(1)} workflows, one row per job:`,
        "",
        "| workflow | job | trigger | environment | needs | may write | runs |",
        "|---|---|---|---|---|---|---|",
        ...rows,
        "",
        `Jobs that push to \`main\` (\`contents: write\`): ${pushers.join(", ") || "none"}. If \`main\` has a ruleset, it must let GitHub Actions push for ${pushers.length === 1 ? "it" : `all ${countWord(pushers.length)}`}.`,
        END,
    ].join("\n");
}

/** The doc's block, or undefined when the markers are missing. */
export function shownWorkflowFacts(doc = fs.readFileSync(WORKFLOWS_DOC, "utf8")): string | undefined {
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    return start < 0 || end < start ? undefined : doc.slice(start, end + END.length);
}

if (require.main === module && process.argv.includes("--write")) {
    const doc = fs.readFileSync(WORKFLOWS_DOC, "utf8");
    const shown = shownWorkflowFacts(doc);
    if (shown === undefined) throw new Error(`${WORKFLOWS_DOC}: no ${BEGIN} ... ${END} markers`);
    fs.writeFileSync(WORKFLOWS_DOC, doc.replace(shown, renderWorkflowFacts()));
}

// The invariants the GitHub workflows must hold, checked here without GitHub. Each function
// reads workflows (their text and the YAML it parses to) and returns the problems it finds, one
// line each; the tests assert the real files have none and that a realistic edit breaking the
// invariant is caught. Workflows are judged as text first, as GitHub reads them.

import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { CONTRACT_CHECK_IDS } from "../../canary/rollout-deps";
import { CHECK_IDS, selectChecks, unknownCheckIds } from "../../validation/checks";
import { isEnvironment } from "../../catalog";
import { parseDuration } from "../../io/option-values";
import { parseArgs as parseGateArgs } from "../../validation/options";
import { parseReviewArgs } from "../../review/cli";
import { stackNames } from "../../review/stack-files";
import { POLICIES } from "../../policies/all";
import { parsePolicyConfig, reconcilePolicyConfig, unknownPolicyNames } from "../../policies/offline/config";

export const REPO = path.resolve(__dirname, "..", "..");
export const WORKFLOW_DIR = path.join(REPO, ".github", "workflows");
export const POLICY_CONFIG_DIR = path.join(REPO, ".github", "policy-config");
/** The policy pack directory every preview and up must run. */
export const POLICY_PACK = "policies";

export interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: unknown;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
    "continue-on-error"?: unknown;
}

export interface Job {
    name?: string;
    needs?: string | string[];
    if?: unknown;
    environment?: unknown;
    concurrency?: unknown;
    permissions?: unknown;
    strategy?: { matrix?: Record<string, unknown> };
    env?: Record<string, unknown>;
    steps?: Step[];
    "continue-on-error"?: unknown;
}

export interface WorkflowDoc {
    name?: string;
    on?: unknown;
    env?: Record<string, unknown>;
    concurrency?: unknown;
    jobs?: Record<string, Job>;
}

export interface Workflow {
    file: string;
    text: string;
    doc: WorkflowDoc;
}

export function parseWorkflow(file: string, text: string): Workflow {
    return { file, text, doc: (YAML.parse(text) ?? {}) as WorkflowDoc };
}

export function loadWorkflows(dir = WORKFLOW_DIR): Workflow[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => parseWorkflow(f, fs.readFileSync(path.join(dir, f), "utf8")));
}

/** Policy config files by stack name (the JSON text), as committed. */
export function loadPolicyConfigs(dir = POLICY_CONFIG_DIR): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(dir)) if (f.endsWith(".json")) out[f.replace(/\.json$/, "")] = fs.readFileSync(path.join(dir, f), "utf8");
    return out;
}

// ---- reading jobs ----

export function jobsOf(wf: Workflow): Array<[string, Job]> {
    return Object.entries(wf.doc.jobs ?? {});
}

function str(v: unknown): string {
    return typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
}

function isTrue(v: unknown): boolean {
    return v === true || (typeof v === "string" && v.trim() !== "" && v.trim() !== "false");
}

/** The stack names a job works on: its matrix, its dispatch input's options, or its literal stack-name. */
export function jobStacks(wf: Workflow, job: Job): string[] {
    const matrix = job.strategy?.matrix?.stack;
    if (Array.isArray(matrix)) return matrix.map(String);
    const text = YAML.stringify(job);
    if (/inputs\.stack/.test(text)) {
        const on = wf.doc.on as { workflow_dispatch?: { inputs?: { stack?: { options?: unknown } } } } | undefined;
        const options = on?.workflow_dispatch?.inputs?.stack?.options;
        return Array.isArray(options) ? options.map(String) : [];
    }
    const literal = new Set<string>();
    for (const s of job.steps ?? []) {
        const name = s.with?.["stack-name"];
        if (typeof name === "string") literal.add(name);
        const m = /--stack[ =]"?([a-z]+)"?/.exec(s.run ?? "");
        if (m) literal.add(m[1]);
    }
    return [...literal];
}

/** Substitutes the stack expressions a job uses (`${{ matrix.stack }}`, `${{ inputs.stack }}`, $STACK, $stack). */
export function forStack(text: string, stack: string): string {
    return text.replace(/\$\{\{\s*(matrix|inputs)\.stack\s*\}\}/g, stack).replace(/\$\{?(STACK|stack)\}?/g, stack);
}

export interface PulumiOp {
    index: number;
    kind: "preview" | "up";
    step: Step;
    /** `npm run canary -- rollout|rollback`: ups through the Automation API, the pack and the stack's policy config passed by the command. */
    canary?: { args: string[]; selfGated: boolean };
}

/** Every `pulumi preview`/`pulumi up` of a job, through pulumi/actions, a shell line or the canary commands. */
export function pulumiOps(job: Job): PulumiOp[] {
    const ops: PulumiOp[] = [];
    (job.steps ?? []).forEach((step, index) => {
        if (step.uses?.startsWith("pulumi/actions@")) {
            const command = str(step.with?.command);
            if (command === "preview" || command === "up") ops.push({ index, kind: command, step });
        }
        for (const m of (step.run ?? "").matchAll(/\bpulumi\s+(preview|up)\b/g)) ops.push({ index, kind: m[1] as "preview" | "up", step });
        for (const run of npmRuns((step.run ?? "").replace(/\n/g, " "))) {
            const [command, ...args] = run.args;
            // A rollout (but for --stage) and a rollback run the gate themselves after their ups.
            if (run.script === "canary" && (command === "rollout" || command === "rollback")) ops.push({ index, kind: "up", step, canary: { args, selfGated: !args.includes("--stage") } });
        }
    });
    return ops;
}

/** The value after a flag in a canary command's arguments, for one stack. */
function canaryFlag(op: PulumiOp, flag: string, stack: string): string | undefined {
    const args = op.canary?.args.map((a) => forStack(a, stack)) ?? [];
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
}

function isGate(step: Step): boolean {
    return /\bnpm run (--silent )?validate\b/.test(step.run ?? "");
}

/** The arguments after `npm run [--silent] <script> --` up to a redirect, pipe or command end. */
export function npmRuns(run: string): Array<{ script: string; args: string[] }> {
    const out: Array<{ script: string; args: string[] }> = [];
    for (const m of run.matchAll(/\bnpm (?:run|run-script)((?:\s+--?[a-z-]+(?=\s))*)\s+([a-z][\w:-]*)([^\n]*)/g)) {
        let rest = m[3];
        const cut = rest.search(/\s(?:\d?>|\||;|&&|\))/);
        if (cut >= 0) rest = rest.slice(0, cut);
        const tokens = tokenize(rest);
        const args = tokens[0] === "--" ? tokens.slice(1) : [];
        out.push({ script: m[2], args });
    }
    for (const m of run.matchAll(/\bnpm (test|start)\b/g)) out.push({ script: m[1], args: [] });
    return out;
}

function tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? m[3]);
    return tokens;
}

// ---- invariants ----

/** Every preview and up runs the policy pack, with the config of the stack it works on. */
export function policyPackProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let ops = 0;
    if (!fs.existsSync(path.join(REPO, POLICY_PACK, "PulumiPolicy.yaml"))) problems.push(`${POLICY_PACK}/PulumiPolicy.yaml is missing`);
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            for (const op of pulumiOps(job)) {
                ops++;
                const where = `${wf.file} ${id} step ${op.index + 1} (${op.kind})`;
                if (op.canary) {
                    // The command passes policies/ and .github/policy-config/<environment>.json itself (test/canary/automation-stack.test.ts).
                    for (const stack of jobStacks(wf, job)) {
                        if (canaryFlag(op, "--environment", stack) !== stack || canaryFlag(op, "--stack", stack) !== stack)
                            problems.push(`${where}: the canary command's --environment/--stack are not ${stack} (its policy config is the environment's)`);
                    }
                } else if (op.step.uses) {
                    const packs = str(op.step.with?.policyPacks)
                        .split(/[;\n]/)
                        .map((s) => s.trim());
                    if (!packs.includes(POLICY_PACK)) problems.push(`${where}: policyPacks does not name ${POLICY_PACK}`);
                    const configs = str(op.step.with?.policyPackConfigs);
                    for (const stack of jobStacks(wf, job)) {
                        const file = forStack(configs, stack);
                        if (file !== `.github/policy-config/${stack}.json`) problems.push(`${where}: policyPackConfigs for ${stack} is '${file}', not .github/policy-config/${stack}.json`);
                        else if (!fs.existsSync(path.join(REPO, file))) problems.push(`${where}: ${file} does not exist`);
                    }
                } else if (!new RegExp(`--policy-pack[ =]${POLICY_PACK}\\b`).test(op.step.run ?? "")) {
                    problems.push(`${where}: runs pulumi ${op.kind} without --policy-pack ${POLICY_PACK}`);
                }
            }
        }
    }
    if (ops === 0) problems.push("no workflow runs pulumi preview or up");
    return problems;
}

/** Each stack's policy config is valid for the pack and pins every environment-aware policy to that stack. */
export function policyConfigProblems(configs: Record<string, string>, stacks = stackNames()): string[] {
    const problems: string[] = [];
    for (const stack of stacks) {
        const text = configs[stack];
        if (text === undefined) {
            problems.push(`no policy config for stack ${stack}`);
            continue;
        }
        try {
            const given = parsePolicyConfig(text, `${stack}.json`);
            for (const name of unknownPolicyNames(POLICIES, given)) problems.push(`${stack}.json names no policy of the pack: ${name}`);
            const reconciled = reconcilePolicyConfig(POLICIES, given);
            for (const p of POLICIES) {
                if (!p.configSchema?.properties?.environment) continue;
                const env = reconciled[p.name].properties.environment;
                if (env !== stack) problems.push(`${stack}.json: policy ${p.name} has environment ${str(env) || "<unset>"}, not ${stack}`);
            }
        } catch (e) {
            problems.push(`${stack}.json: ${(e as Error).message}`);
        }
    }
    return problems;
}

const SWALLOWED_EXIT = [/\|\|\s*(true|:|exit 0)\b/, /\bset \+e\b/, /;\s*exit 0\b/, /--fail-on-required-failure[ =](0|false)\b/];

function failOnRequiredOff(env: Record<string, unknown> | undefined): boolean {
    const v = env?.FAIL_ON_REQUIRED_FAILURE;
    return v !== undefined && /^(0|false|no)$/i.test(str(v).trim());
}

/**
 * After every `up`, the gate runs on that stack's outputs in the same job and its exit code can
 * fail the job; its evidence is uploaded whatever happens.
 */
export function gateProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let ups = 0;
    for (const wf of wfs) {
        if (failOnRequiredOff(wf.doc.env)) problems.push(`${wf.file}: FAIL_ON_REQUIRED_FAILURE=0 for the whole workflow`);
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            const upOps = pulumiOps(job).filter((o) => o.kind === "up");
            if (upOps.length === 0) continue;
            ups++;
            const where = `${wf.file} ${id}`;
            if (isTrue(job["continue-on-error"])) problems.push(`${where}: the job has continue-on-error`);
            if (failOnRequiredOff(job.env)) problems.push(`${where}: FAIL_ON_REQUIRED_FAILURE=0 for the job`);
            // The gate after the last up, and after the last up that does not gate itself (a staged rollout's 0 %).
            const lastOp = upOps[upOps.length - 1];
            const lastPlain = upOps.filter((o) => !o.canary?.selfGated).pop();
            if (lastOp.canary?.selfGated) problems.push(...selfGatedEvidenceProblems(where, steps, lastOp));
            for (const lastUp of [...new Set([lastOp.index, ...(lastPlain ? [lastPlain.index] : [])])]) {
                const gateIndex = steps.findIndex((s, i) => i > lastUp && isGate(s));
                if (gateIndex < 0) {
                    if (!(lastUp === lastOp.index && lastOp.canary?.selfGated)) problems.push(`${where}: no gate (npm run validate) after pulumi up`);
                    continue;
                }
                // The gate that follows a plain up comes before any later up.
                const nextUp = upOps.find((o) => o.index > lastUp);
                if (nextUp && nextUp.index < gateIndex && lastUp !== lastOp.index) problems.push(`${where}: step ${nextUp.index + 1} ups again before the gate of the up at step ${lastUp + 1}`);
                for (let i = lastUp; i <= gateIndex; i++) {
                    if (isTrue(steps[i]["continue-on-error"])) problems.push(`${where} step ${i + 1}: continue-on-error between up and the gate`);
                }
                const gate = steps[gateIndex];
                if (gate.if !== undefined) problems.push(`${where}: the gate step has an if: (${str(gate.if)}); it must run exactly when up succeeded`);
                if (failOnRequiredOff(gate.env)) problems.push(`${where}: the gate step sets FAIL_ON_REQUIRED_FAILURE=0`);
                for (const re of SWALLOWED_EXIT) if (re.test(gate.run ?? "")) problems.push(`${where}: the gate's exit code is swallowed (${re.source})`);
                for (const stack of jobStacks(wf, job)) problems.push(...gateTargetProblems(where, steps, lastUp, gateIndex, stack));
                const gateArgs = npmRuns(gate.run ?? "").find((r) => r.script === "validate")?.args ?? [];
                const outputDir = gateArgs[gateArgs.indexOf("--output-dir") + 1];
                const upload = steps.findIndex((s, i) => i > gateIndex && s.uses?.startsWith("actions/upload-artifact@"));
                if (upload < 0) problems.push(`${where}: the gate's evidence is not uploaded`);
                else {
                    const u = steps[upload];
                    if (!/always\(\)/.test(str(u.if))) problems.push(`${where}: the evidence upload lacks if: always() (a NO-GO would lose it)`);
                    const uploaded = str(u.with?.path).replace(/\/$/, "");
                    if (!gateArgs.includes("--output-dir") || !outputDir || !(outputDir === uploaded || outputDir.startsWith(`${uploaded}/`))) {
                        problems.push(`${where}: the upload (${uploaded || "<none>"}) does not cover the gate's --output-dir (${outputDir ?? "<unset>"})`);
                    }
                }
            }
        }
    }
    if (ups === 0) problems.push("no workflow runs pulumi up");
    return problems;
}

/** A canary rollout/rollback gates itself: its --output-dir (the gates' evidence too) is uploaded whatever happens. */
function selfGatedEvidenceProblems(where: string, steps: Step[], op: PulumiOp): string[] {
    const dir = op.canary?.args[op.canary.args.indexOf("--output-dir") + 1];
    const upload = steps.findIndex((s, i) => i > op.index && s.uses?.startsWith("actions/upload-artifact@") && /always\(\)/.test(str(s.if)));
    const uploaded = upload >= 0 ? str(steps[upload].with?.path).replace(/\/$/, "") : undefined;
    if (!op.canary?.args.includes("--output-dir") || !dir) return [`${where}: the canary command has no --output-dir to upload`];
    if (!uploaded || !(dir === uploaded || dir.startsWith(`${uploaded}/`))) return [`${where}: the canary command's evidence (${dir}) is not uploaded with if: always()`];
    return [];
}

/** The gate reads this stack's outputs: `--stack <stack>`, or `--outputs <stack>=FILE` written by `pulumi stack output --json --stack <stack>`. */
function gateTargetProblems(where: string, steps: Step[], upIndex: number, gateIndex: number, stack: string): string[] {
    const args = npmRuns(forStack(steps[gateIndex].run ?? "", stack)).find((r) => r.script === "validate")?.args ?? [];
    const targets = args.flatMap((a, i) => (a === "--outputs" || a === "--stack" ? [`${a} ${args[i + 1]}`] : []));
    if (targets.length !== 1) return [`${where} (${stack}): the gate names ${targets.length} stack target(s) (${targets.join(", ")}); expected exactly this stack's`];
    const [flag, value] = targets[0].split(" ");
    if (flag === "--stack") return value === stack || value === `${stack}=${stack}` ? [] : [`${where}: the gate reads --stack ${value}, not ${stack}`];
    const eq = value.indexOf("=");
    const env = value.slice(0, eq);
    const file = value.slice(eq + 1);
    if (env !== stack) return [`${where}: the gate reads outputs as environment '${env}' in the ${stack} job`];
    const writer = steps.slice(upIndex + 1, gateIndex).some((s) =>
        forStack(s.run ?? "", stack)
            .split("\n")
            .some((line) => /pulumi stack output --json/.test(line) && new RegExp(`--stack\\s+"?${stack}"?(\\s|$)`).test(line) && new RegExp(`>\\s*"?${escape(file)}"?\\s*$`).test(line.trim())),
    );
    return writer ? [] : [`${where} (${stack}): nothing between up and the gate writes ${file} from \`pulumi stack output --json --stack ${stack}\``];
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The checks a deploy gate of one environment must run: every check but the other environment's. */
export function checksFor(stack: string): string[] {
    const others = stackNames().filter((s) => s !== stack);
    return CHECK_IDS.filter((id) => !others.some((o) => id.split("-").includes(o)));
}

/**
 * Per stack, the deploy's gates together run every check that concerns it and none of the
 * other's: the gates after an up run the checks of what serves (the rollout's own gates select
 * the same set, canary/rollout-deps.ts servingCheckIds), and the contract tests run alone in a job
 * that has no Google identity to lend (no id-token) and no secrets.
 */
export function deployGateScopeProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    const union = new Map<string, Set<string>>();
    for (const [id, job] of jobsOf(wf)) {
        for (const step of job.steps ?? []) {
            if (!isGate(step)) continue;
            for (const stack of jobStacks(wf, job)) {
                const args = npmRuns(forStack(step.run ?? "", stack)).find((r) => r.script === "validate")?.args ?? [];
                const parsed = parseGateArgs(args);
                const environment = parsed.values.get("environment")?.[0];
                const only = parsed.values.get("only")?.flatMap((v) => v.split(","));
                const selected = selectChecks({ only, environment: isEnvironment(environment) ? environment : undefined }).map((e) => e.id as string);
                const expected = checksFor(stack);
                const extra = selected.filter((c) => !expected.includes(c));
                if (extra.length) problems.push(`${wf.file} ${id} (${stack}): the gate runs the other environment's [${extra.join(", ")}]`);
                const contract = selected.filter((c) => CONTRACT_CHECK_IDS.includes(c));
                const where = `${wf.file} ${id} (${stack})`;
                if (contract.length > 0) {
                    if (contract.length !== selected.length) problems.push(`${where}: the gate runs the contract tests beside the checks of what serves: they run alone, in a job without credentials`);
                    if ((job.permissions as Record<string, unknown> | undefined)?.["id-token"] !== undefined || job.permissions === undefined)
                        problems.push(`${where}: the contract tests run in a job that can mint an OIDC token (permissions must be given, without id-token)`);
                    if (job.environment !== undefined) problems.push(`${where}: the contract tests run in an environment (its secrets and its Workload Identity binding)`);
                    if (/\$\{\{\s*secrets\./.test(YAML.stringify(job))) problems.push(`${where}: the contract tests' job reads secrets`);
                } else if (pulumiOps(job).length > 0) {
                    const serving = expected.filter((c) => !CONTRACT_CHECK_IDS.includes(c));
                    const missing = serving.filter((c) => !selected.includes(c));
                    if (missing.length) problems.push(`${where}: the gate misses [${missing.join(", ")}]`);
                }
                const all = union.get(stack) ?? new Set<string>();
                selected.forEach((c) => all.add(c));
                union.set(stack, all);
            }
        }
    }
    for (const stack of stackNames()) {
        const missing = checksFor(stack).filter((c) => !union.get(stack)?.has(c));
        if (missing.length) problems.push(`${wf.file} (${stack}): no gate runs [${missing.join(", ")}]`);
    }
    return problems;
}

/** Production runs only after staging succeeded, behind the production environment. */
export function orderProblems(deploy: Workflow): string[] {
    const problems: string[] = [];
    const jobs = deploy.doc.jobs ?? {};
    const on = deploy.doc.on as { push?: { branches?: unknown } } | undefined;
    if (!Array.isArray(on?.push?.branches) || !on.push.branches.includes("main")) problems.push(`${deploy.file}: not triggered by a push to main`);
    const staging = jobs.staging;
    const production = jobs.production;
    if (!staging || !production) return [...problems, `${deploy.file}: expected jobs 'staging' and 'production'`];
    if (jobStacks(deploy, staging).join() !== "staging") problems.push(`${deploy.file}: the staging job deploys ${jobStacks(deploy, staging).join(", ")}`);
    if (jobStacks(deploy, production).join() !== "prod") problems.push(`${deploy.file}: the production job deploys ${jobStacks(deploy, production).join(", ")}`);
    const needs = typeof production.needs === "string" ? [production.needs] : (production.needs ?? []);
    if (!needs.includes("staging")) problems.push(`${deploy.file}: production does not need staging`);
    if (/always\(\)|failure\(\)|cancelled\(\)/.test(str(production.if))) problems.push(`${deploy.file}: production runs even when staging failed (if: ${str(production.if)})`);
    if (isTrue(staging["continue-on-error"])) problems.push(`${deploy.file}: staging has continue-on-error, so its NO-GO would not stop production`);
    const env = production.environment;
    const envName = typeof env === "object" && env !== null ? (env as { name?: unknown }).name : env;
    if (envName !== "production") problems.push(`${deploy.file}: production is not behind the 'production' environment`);
    return problems;
}

// GOOGLE_APPLICATION_CREDENTIALS may only name the file an auth step wrote (its credentials_file_path output).
const LONG_LIVED_KEYS = [
    /credentials_json/i,
    /GOOGLE_CREDENTIALS/,
    /GOOGLE_APPLICATION_CREDENTIALS\s*:(?!\s*\$\{\{\s*steps\.[\w-]+\.outputs\.credentials_file_path\s*\}\}\s*$)/m,
    /service_account_key/i,
    /secrets\.[A-Z0-9_]*(SA_KEY|KEY_JSON|SERVICE_ACCOUNT_KEY|CREDENTIALS)\b/,
];

/** Google access only through Workload Identity Federation; no JSON key anywhere. */
export function credentialProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let auths = 0;
    for (const wf of wfs) {
        for (const re of LONG_LIVED_KEYS) if (re.test(wf.text)) problems.push(`${wf.file}: a long-lived credential (${re.source})`);
        for (const [id, job] of jobsOf(wf)) {
            const steps = (job.steps ?? []).filter((s) => s.uses?.startsWith("google-github-actions/auth@"));
            for (const s of steps) {
                auths++;
                for (const key of ["workload_identity_provider", "service_account"]) {
                    if (!/^\$\{\{\s*vars\.[A-Z0-9_]+\s*\}\}$/.test(str(s.with?.[key]))) problems.push(`${wf.file} ${id}: auth ${key} is not a repository/environment variable`);
                }
            }
            const perms = job.permissions as Record<string, unknown> | undefined;
            if (steps.length > 0 && perms?.["id-token"] !== "write") problems.push(`${wf.file} ${id}: authenticates to Google without permissions id-token: write`);
            if (pulumiOps(job).length > 0 && steps.length === 0) problems.push(`${wf.file} ${id}: runs pulumi without authenticating to Google`);
        }
    }
    if (auths === 0) problems.push("no workflow authenticates to Google");
    return problems;
}

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1\s*(?:#\s*(.*))?$/;

/** Every third-party action is pinned to a full commit SHA with its version in a comment, the same pin everywhere. */
export function pinningProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    const pins = new Map<string, string>();
    let count = 0;
    for (const wf of wfs) {
        wf.text.split("\n").forEach((line, i) => {
            const m = USES_LINE.exec(line);
            if (!m) return;
            const ref = m[2];
            if (ref.startsWith("./") || ref.startsWith("docker://")) return;
            count++;
            const where = `${wf.file}:${i + 1}`;
            const pin = /^([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40})$/.exec(ref);
            if (!pin) {
                problems.push(`${where}: ${ref} is not pinned to a 40-hex commit SHA`);
                return;
            }
            const version = (m[3] ?? "").trim();
            if (!/^v\d+(\.\d+){0,2}\b/.test(version)) problems.push(`${where}: ${ref} has no version comment (# vX.Y.Z)`);
            const key = pin[1] + (pin[2] ?? "");
            const seen = pins.get(key);
            const value = `${pin[3]} # ${version}`;
            if (seen && seen !== value) problems.push(`${where}: ${key} pinned to ${value} here and ${seen} elsewhere`);
            pins.set(key, seen ?? value);
        });
    }
    if (count === 0) problems.push("no uses: line found");
    return problems;
}

/** One run per stack at a time, never cancelled midway; deploys and the migration rerun share a stack's group. */
export function concurrencyProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    const upGroups = new Map<string, Set<string>>();
    for (const wf of wfs) {
        const top = wf.doc.concurrency as { "cancel-in-progress"?: unknown } | undefined;
        if (top && top["cancel-in-progress"] !== false) problems.push(`${wf.file}: workflow-level concurrency may cancel a run in progress`);
        for (const [id, job] of jobsOf(wf)) {
            const ops = pulumiOps(job);
            if (ops.length === 0) continue;
            const c = job.concurrency as { group?: unknown; "cancel-in-progress"?: unknown } | undefined;
            if (!c || typeof c !== "object" || typeof c.group !== "string") {
                problems.push(`${wf.file} ${id}: runs pulumi without a concurrency group`);
                continue;
            }
            if (c["cancel-in-progress"] !== false) problems.push(`${wf.file} ${id}: concurrency does not set cancel-in-progress: false`);
            const stacks = jobStacks(wf, job);
            const groups = stacks.map((s) => forStack(c.group as string, s));
            if (new Set(groups).size !== stacks.length || groups.some((g, i) => !g.includes(stacks[i]))) {
                problems.push(`${wf.file} ${id}: concurrency group '${c.group}' is not one per stack`);
            }
            if (ops.some((o) => o.kind === "up")) {
                stacks.forEach((s, i) => upGroups.set(s, (upGroups.get(s) ?? new Set()).add(groups[i])));
            }
        }
    }
    for (const [stack, groups] of upGroups) {
        if (groups.size !== 1) problems.push(`stack ${stack}: jobs that run pulumi up use different concurrency groups (${[...groups].join(", ")})`);
    }
    return problems;
}

/** Node comes from .nvmrc in every job; the Pulumi CLI matches the pinned SDK. */
export function toolVersionProblems(wfs: Workflow[], packageJson = readPackageJson()): string[] {
    const problems: string[] = [];
    if (!fs.existsSync(path.join(REPO, ".nvmrc"))) problems.push(".nvmrc is missing");
    const sdk = packageJson.dependencies?.["@pulumi/pulumi"];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            const setup = steps.findIndex((s) => s.uses?.startsWith("actions/setup-node@"));
            const firstNpm = steps.findIndex((s) => /\bnpm\b/.test(s.run ?? ""));
            if (firstNpm >= 0 && (setup < 0 || setup > firstNpm)) problems.push(`${wf.file} ${id}: runs npm before setting up Node`);
            for (const s of steps) {
                if (s.uses?.startsWith("actions/setup-node@")) {
                    if (s.with?.["node-version-file"] !== ".nvmrc") problems.push(`${wf.file} ${id}: setup-node does not read .nvmrc`);
                    if (s.with?.["node-version"] !== undefined) problems.push(`${wf.file} ${id}: setup-node sets node-version by hand`);
                }
                if (s.uses?.startsWith("pulumi/actions@") && str(s.with?.["pulumi-version"]) !== sdk) {
                    problems.push(`${wf.file} ${id}: pulumi-version ${str(s.with?.["pulumi-version"]) || "<latest>"} is not the pinned SDK's ${sdk}`);
                }
            }
        }
    }
    return problems;
}

interface PackageJson {
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
}

function readPackageJson(): PackageJson {
    return JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as PackageJson;
}

/** Every npm script the workflows run exists, and the flags given to the gate and the review are theirs. */
export function commandProblems(wfs: Workflow[], packageJson = readPackageJson()): string[] {
    const problems: string[] = [];
    const scripts = packageJson.scripts ?? {};
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            // A job without a stack of its own (e.g. a loop over both) is read once per stack.
            const stacks = jobStacks(wf, job);
            for (const step of job.steps ?? []) {
                if (!step.run) continue;
                for (const stack of stacks.length > 0 ? stacks : stackNames()) {
                    const run = forStack(step.run, stack);
                    for (const { script, args } of npmRuns(run)) {
                        const where = `${wf.file} ${id}: npm run ${script}`;
                        if (!(script in scripts)) {
                            problems.push(`${where}: no such script in package.json`);
                            continue;
                        }
                        try {
                            if (script === "validate") problems.push(...gateArgProblems(where, args));
                            if (script === "review") problems.push(...reviewArgProblems(where, args));
                        } catch (e) {
                            problems.push(`${where}: ${(e as Error).message}`);
                        }
                    }
                }
            }
        }
    }
    return problems;
}

export function reviewArgProblems(where: string, args: string[]): string[] {
    const parsed = parseReviewArgs(args);
    if (parsed.policyConfig !== undefined && !fs.existsSync(path.join(REPO, parsed.policyConfig))) return [`${where}: --policy-config ${parsed.policyConfig} does not exist`];
    return [];
}

export function gateArgProblems(where: string, args: string[]): string[] {
    const parsed = parseGateArgs(args);
    const problems: string[] = [];
    const only = (parsed.values.get("only") ?? []).flatMap((v) => v.split(","));
    for (const id of unknownCheckIds(only)) problems.push(`${where}: --only names an unknown check ${id}`);
    for (const flag of ["wait-ready", "check-timeout", "timeout", "request-timeout"]) {
        for (const v of parsed.values.get(flag) ?? []) parseDuration(v, `--${flag}`);
    }
    return problems;
}

// ---- deploy trigger: docs-only pushes skip, deploy inputs never ----

/**
 * A GitHub filter pattern (on.push.paths / paths-ignore) as a RegExp: `*` any characters but `/`,
 * `**` any characters, `?` the preceding character optional, `+` it repeated, `[...]` a class.
 */
export function filterPatternRegExp(pattern: string): RegExp {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*" && pattern[i + 1] === "*") {
            re += ".*";
            i++;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?" || c === "+") re += c;
        else if (c === "[") {
            const end = pattern.indexOf("]", i);
            re += end > i ? pattern.slice(i, end + 1) : "\\[";
            if (end > i) i = end;
        } else re += escape(c);
    }
    return new RegExp(`^${re}$`);
}

/** Whether a push changing only `file` on main starts the deploy, by GitHub's path filter rules. */
export function pushTriggers(deploy: Workflow, file: string): boolean {
    const push = (deploy.doc.on as { push?: { paths?: unknown; "paths-ignore"?: unknown } } | undefined)?.push;
    if (!push) return false;
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    if (push["paths-ignore"] !== undefined) return !list(push["paths-ignore"]).some((p) => filterPatternRegExp(p).test(file));
    if (push.paths !== undefined) {
        // The last pattern that matches decides; `!` excludes.
        let hit = false;
        for (const p of list(push.paths)) {
            const negated = p.startsWith("!");
            if (filterPatternRegExp(negated ? p.slice(1) : p).test(file)) hit = !negated;
        }
        return hit;
    }
    return true;
}

/** What a deploy reads, as path globs; a change to any of these must deploy. */
export const DEPLOY_INPUTS = [
    "Pulumi.yaml",
    "Pulumi.*.yaml",
    "index.ts",
    "services/**",
    "policies/**",
    "catalog/**",
    "package.json",
    "package-lock.json",
    ".nvmrc",
    "tsconfig.json",
    ".github/policy-config/**",
    ".github/scripts/**",
    ".github/workflows/deploy.yml",
];

/**
 * Paths a deploy depends on: the committed files under DEPLOY_INPUTS, plus files such inputs could
 * gain (docs among them: a README in policies/ still changes the pack's directory).
 */
export function deployInputPaths(): string[] {
    const walk = (dir: string): string[] =>
        fs.existsSync(path.join(REPO, dir))
            ? fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => (e.name === "node_modules" ? [] : e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
            : [];
    const committed = [
        ...fs.readdirSync(REPO).filter((f) => DEPLOY_INPUTS.some((g) => !g.includes("/") && filterPatternRegExp(g).test(f))),
        ...["services", "policies", "catalog", ".github/policy-config", ".github/scripts"].flatMap(walk),
        ".github/workflows/deploy.yml",
    ];
    const possible = [
        "Pulumi.dev.yaml",
        "services/README.md",
        "services/new/lane.ts",
        "policies/README.md",
        "policies/docs/rules.md",
        "catalog/NOTES.md",
        "catalog/data/lanes.json",
        ".github/policy-config/README.md",
    ];
    return [...new Set([...committed, ...possible])];
}

/** The deploy starts on a push to main touching any deploy input, and not on a docs-only push. */
export function deployTriggerProblems(deploy: Workflow, inputs = deployInputPaths(), docs = ["README.md", "docs/runbook.md"]): string[] {
    const problems: string[] = [];
    for (const f of inputs) if (!pushTriggers(deploy, f)) problems.push(`${deploy.file}: a push changing only ${f} does not deploy`);
    for (const f of docs) if (pushTriggers(deploy, f)) problems.push(`${deploy.file}: a docs-only push (${f}) deploys`);
    return problems;
}

// ---- migration rerun: the bump lands on main ----

const COMMIT_SCRIPT = ".github/scripts/commit-stack-file.sh";

/**
 * A job that bumps migrateRerun commits the bumped Pulumi.<stack>.yaml to main after its up and
 * drift check, whenever the bump ran (the up may have spent the token even if it then failed),
 * and a refused push fails the job. Only that job may write to the repository.
 */
export function migrateCommitProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let bumps = 0;
    for (const wf of wfs) {
        const top = (wf.doc as { permissions?: Record<string, unknown> }).permissions;
        if (top?.contents === "write") problems.push(`${wf.file}: contents: write for the whole workflow`);
        for (const [id, job] of jobsOf(wf)) {
            const where = `${wf.file} ${id}`;
            const steps = job.steps ?? [];
            const bump = steps.findIndex((s) => /pulumi config set migrateRerun\b/.test(s.run ?? ""));
            const writes = (job.permissions as Record<string, unknown> | undefined)?.contents === "write";
            const pushing = pulumiOps(job).filter((o) => o.canary?.args.includes("--push"));
            if (bump < 0) {
                if (writes && pushing.length === 0) problems.push(`${where}: contents: write without a migrateRerun bump or a canary promotion to commit`);
                for (const op of pushing) {
                    for (const stack of jobStacks(wf, job))
                        if (canaryFlag(op, "--push", stack) !== "main") problems.push(`${where}: the canary command pushes the stack file to ${canaryFlag(op, "--push", stack)}, not main`);
                    if (!writes) problems.push(`${where}: the canary command pushes the stack file without contents: write`);
                    if (!/github\.token|secrets\.GITHUB_TOKEN/.test(str(op.step.env?.REMOTE))) problems.push(`${where}: the canary command pushes without the job's token (env REMOTE)`);
                }
                continue;
            }
            bumps++;
            if (!writes) problems.push(`${where}: bumps migrateRerun without contents: write to commit it`);
            const bumpId = steps[bump].id;
            const lastUp =
                pulumiOps(job)
                    .filter((o) => o.kind === "up")
                    .map((o) => o.index)
                    .pop() ?? -1;
            const gate = steps.findIndex((s, i) => i > lastUp && isGate(s));
            const commit = steps.findIndex((s) => (s.run ?? "").includes(COMMIT_SCRIPT));
            if (commit < 0) {
                problems.push(`${where}: the bumped migrateRerun is never committed to main (${COMMIT_SCRIPT})`);
                continue;
            }
            const step = steps[commit];
            if (commit < lastUp || commit < gate) problems.push(`${where}: the bump is committed before the up and the drift check finished`);
            for (const stack of jobStacks(wf, job)) {
                const args = tokenize(forStack(step.run ?? "", stack).replace(/\n/g, " "));
                const at = args.indexOf(COMMIT_SCRIPT);
                if (args[at + 1] !== `Pulumi.${stack}.yaml` || args[at + 2] !== "main")
                    problems.push(`${where} (${stack}): commits ${args[at + 1]} to ${args[at + 2]}, not Pulumi.${stack}.yaml to main`);
            }
            const cond = str(step.if);
            if (!/always\(\)/.test(cond) || !bumpId || !new RegExp(`steps\\.${escape(bumpId)}\\.outcome == 'success'`).test(cond)) {
                problems.push(
                    `${where}: the commit must run whenever the bump ran (if: always() && steps.<bump>.outcome == 'success'), not only when the up and drift check pass (${cond || "<no if>"})`,
                );
            }
            if (isTrue(step["continue-on-error"]) || isTrue(job["continue-on-error"])) problems.push(`${where}: a refused push would not fail the job (continue-on-error)`);
            for (const re of SWALLOWED_EXIT) if (re.test(step.run ?? "")) problems.push(`${where}: the commit's exit code is swallowed (${re.source})`);
            if (!/github\.token|secrets\.GITHUB_TOKEN/.test(str(step.env?.REMOTE))) problems.push(`${where}: the commit step pushes without the job's token (env REMOTE)`);
        }
    }
    if (bumps === 0) problems.push("no workflow bumps migrateRerun");
    return problems;
}

// ---- custom domains: the gate waits for the certificate ----

const DOMAIN_WAIT_SCRIPT = ".github/scripts/wait-for-domain-certificate.sh";

/** Stacks whose stack file maps a custom domain to the control service. */
export function stacksWithDomain(dir = REPO): string[] {
    return stackNames(dir).filter((s) => {
        const doc = YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null;
        return Object.entries(doc?.config ?? {}).some(([k, v]) => k.endsWith(":controlDomain") && typeof v === "string" && v !== "");
    });
}

/**
 * In a job that ups a stack with a custom domain, the certificate wait runs on that stack's outputs
 * between the up and the gate, and before the gate's ID token is minted (it lives an hour).
 */
export function domainWaitProblems(wfs: Workflow[], domainStacks = stacksWithDomain()): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            // A rollout after the gate moves traffic only: the mapping was made by the up before it.
            const lastUp = pulumiOps(job)
                .filter((o) => o.kind === "up" && !o.canary?.selfGated)
                .map((o) => o.index)
                .pop();
            if (lastUp === undefined) continue;
            const gate = steps.findIndex((s, i) => i > lastUp && isGate(s));
            // The migration rerun's up changes no domain mapping: the mapping is as the last deploy left it.
            if (steps.some((s) => /pulumi config set migrateRerun\b/.test(s.run ?? ""))) continue;
            for (const stack of jobStacks(wf, job).filter((s) => domainStacks.includes(s))) {
                const where = `${wf.file} ${id} (${stack})`;
                const wait = steps.findIndex((s, i) => i > lastUp && (gate < 0 || i < gate) && tokenize(forStack(s.run ?? "", stack)).includes(DOMAIN_WAIT_SCRIPT));
                if (wait < 0) {
                    problems.push(`${where}: no wait for the custom domain's certificate (${DOMAIN_WAIT_SCRIPT}) between the up and the gate`);
                    continue;
                }
                const args = tokenize(forStack(steps[wait].run ?? "", stack));
                const at = args.indexOf(DOMAIN_WAIT_SCRIPT);
                if (args[at + 1] !== `gate/${stack}-outputs.json` || args[at + 2] !== stack)
                    problems.push(`${where}: the certificate wait reads ${args[at + 1]} ${args[at + 2]}, not gate/${stack}-outputs.json ${stack}`);
                if (isTrue(steps[wait]["continue-on-error"]) || steps[wait].if !== undefined) problems.push(`${where}: the certificate wait must run after every up and fail the job`);
                const idToken = steps.findIndex((s, i) => i > lastUp && s.uses?.startsWith("google-github-actions/auth@") && s.with?.token_format === "id_token");
                if (idToken >= 0 && idToken < wait) problems.push(`${where}: the gate's ID token is minted before the certificate wait (it may expire during it)`);
            }
        }
    }
    return problems;
}

// ---- drift: found on a schedule, read-only, reported in one issue per stack ----

const DRIFT_REPORT_SCRIPT = ".github/scripts/drift-report.ts";
/** The files the report reads from its --dir, one pair per command (see readRun in the script). */
const DRIFT_RECORDS = ["preview", "refresh", "analyze"];

/** The jobs of a workflow that run the drift report. */
function driftJobs(wf: Workflow): Array<[string, Job]> {
    return jobsOf(wf).filter(([, job]) => (job.steps ?? []).some((s) => tokenize(s.run ?? "").includes(DRIFT_REPORT_SCRIPT)));
}

/** A cron line that fires once every day: fixed minute and hour, every day of every month. */
export function isDailyCron(cron: string): boolean {
    const f = cron.trim().split(/\s+/);
    return f.length === 5 && /^\d{1,2}$/.test(f[0]) && /^\d{1,2}$/.test(f[1]) && f.slice(2).every((x) => x === "*");
}

/** Runs daily and on demand, checking every stack in its own matrix leg, on main only. */
export function driftScheduleProblems(wf: Workflow, stacks = stackNames()): string[] {
    const problems: string[] = [];
    const on = (wf.doc.on ?? {}) as { schedule?: Array<{ cron?: unknown }>; workflow_dispatch?: unknown };
    const crons = (Array.isArray(on.schedule) ? on.schedule : []).map((s) => str(s.cron));
    if (!crons.some(isDailyCron)) problems.push(`${wf.file}: no daily schedule (on.schedule cron 'M H * * *'; found ${crons.join(", ") || "none"})`);
    if (!("workflow_dispatch" in (on as object))) problems.push(`${wf.file}: cannot be run on demand (no workflow_dispatch)`);
    const jobs = driftJobs(wf);
    if (jobs.length === 0) problems.push(`${wf.file}: no job runs ${DRIFT_REPORT_SCRIPT}`);
    for (const [id, job] of jobs) {
        const matrix = job.strategy?.matrix?.stack;
        const legs = Array.isArray(matrix) ? matrix.map(String).sort() : [];
        if (legs.join() !== [...stacks].sort().join()) problems.push(`${wf.file} ${id}: the matrix checks [${legs.join(", ")}], not every stack [${[...stacks].sort().join(", ")}]`);
        if ((job.strategy as { "fail-fast"?: unknown } | undefined)?.["fail-fast"] !== false) problems.push(`${wf.file} ${id}: without fail-fast: false, one stack's drift cancels the other's check`);
        if (!/github\.ref == 'refs\/heads\/main'/.test(str(job.if)))
            problems.push(`${wf.file} ${id}: runs on any ref (if: github.ref == 'refs/heads/main'), and another ref's changes would read as drift`);
    }
    return problems;
}

const MUTATING_PULUMI = /\bpulumi\s+(up|destroy|import|refresh|cancel|state\b|config\s+(set|rm)|stack\s+(rm|import|init|rename))\b/;

/**
 * The drift job can change nothing: the preview account (bound to the repository, not to a
 * deploy environment), no write permission but issues, and no Pulumi command that writes state,
 * except a refresh of a private file:// copy.
 */
export function driftIdentityProblems(wf: Workflow, read: ScriptReader = scriptText): string[] {
    const problems: string[] = [];
    for (const [id, job] of driftJobs(wf)) {
        const where = `${wf.file} ${id}`;
        if (job.environment !== undefined) problems.push(`${where}: runs in an environment (${str(job.environment)}), where the deploy identity is bound`);
        const perms = (job.permissions ?? {}) as Record<string, unknown>;
        const expected: Record<string, string> = { contents: "read", "id-token": "write", issues: "write" };
        for (const [k, v] of Object.entries(perms)) if (v === "write" && expected[k] !== "write") problems.push(`${where}: permission ${k}: write (only id-token and issues may write)`);
        for (const [k, v] of Object.entries(expected)) if (perms[k] !== v) problems.push(`${where}: permission ${k} is ${str(perms[k]) || "<unset>"}, expected ${v}`);
        const top = (wf.doc as { permissions?: Record<string, unknown> }).permissions ?? {};
        for (const [k, v] of Object.entries(top)) if (v === "write") problems.push(`${wf.file}: workflow-level permission ${k}: write`);
        const steps = job.steps ?? [];
        const auths = steps.filter((s) => s.uses?.startsWith("google-github-actions/auth@"));
        if (auths.length === 0) problems.push(`${where}: never authenticates to Google`);
        for (const a of auths)
            if (!/^\$\{\{\s*vars\.GCP_PREVIEW_SERVICE_ACCOUNT\s*\}\}$/.test(str(a.with?.service_account)))
                problems.push(`${where}: authenticates as ${str(a.with?.service_account)}, not the read-only preview account (vars.GCP_PREVIEW_SERVICE_ACCOUNT)`);
        for (const s of steps) {
            if (s.uses?.startsWith("pulumi/actions@") && s.with?.command !== undefined && s.with.command !== "preview") problems.push(`${where}: pulumi/actions runs ${str(s.with.command)}`);
            const lines = effectiveRun(s, read).split("\n");
            let privateCopy = false;
            for (const line of lines) {
                if (/^\s*(export\s+)?PULUMI_BACKEND_URL="?file:\/\//.test(line)) privateCopy = true;
                const m = MUTATING_PULUMI.exec(line);
                if (!m) continue;
                if (m[1] === "refresh" && privateCopy) continue;
                problems.push(`${where}: \`pulumi ${m[1]}\` ${m[1] === "refresh" ? "against the real backend (refresh a file:// copy)" : "writes state or config"}`);
            }
        }
    }
    return problems;
}

/** The lines of a job's steps (and the scripts they call) that run `pulumi <command>`, as (step index, position, line). */
function pulumiLines(job: Job, command: RegExp, read: ScriptReader): Array<{ index: number; at: number; line: string }> {
    return (job.steps ?? []).flatMap((s, index) =>
        effectiveRun(s, read)
            .split("\n")
            .map((line, at) => ({ index, at, line }))
            .filter(({ line }) => command.test(line)),
    );
}

/** Where the drift checks record: drift/ in the workflow, the script's OUT_DIR ("$out", given drift) in a script. */
const RECORD_DIR = String.raw`(?:drift|"\$out|\$out)`;

function recordedTo(line: string, name: string): boolean {
    return new RegExp(String.raw`>\s*"?${RECORD_DIR}/${name}\.txt"?\s+2>&1\s*\|\|\s*rc=\$\?\s*$`).test(line.trim());
}

const STATE_SCRIPT = ".github/scripts/analyze-refreshed-state.sh";

/**
 * Each leg runs `pulumi preview --refresh --expect-no-changes` and, on a refreshed copy,
 * `pulumi policy analyze`, both with the pack and that stack's policy config, recording output and
 * exit code where the report reads them; the report runs after them whatever happened, can fail
 * the job, and keeps the issue (issues: write, the job's token); the evidence is uploaded.
 */
export function driftCheckProblems(wf: Workflow, read: ScriptReader = scriptText): string[] {
    const problems: string[] = [];
    for (const [id, job] of driftJobs(wf)) {
        const where = `${wf.file} ${id}`;
        const steps = job.steps ?? [];
        const previews = pulumiLines(job, /\bpulumi\s+preview\b/, read);
        const refreshes = pulumiLines(job, /\bpulumi\s+refresh\b/, read);
        const analyses = pulumiLines(job, /\bpulumi\s+policy\s+analyze\b/, read);
        if (previews.length !== 1) problems.push(`${where}: ${previews.length} pulumi preview lines, expected one`);
        for (const { line } of previews) {
            for (const flag of ["--refresh", "--expect-no-changes"]) if (!tokenize(line).includes(flag)) problems.push(`${where}: pulumi preview without ${flag}`);
            if (!recordedTo(line, "preview")) problems.push(`${where}: the preview's output and exit code are not recorded to drift/preview.txt (… > drift/preview.txt 2>&1 || rc=$?)`);
        }
        if (refreshes.length !== 1 || !recordedTo(refreshes[0]?.line ?? "", "refresh")) problems.push(`${where}: no pulumi refresh recorded to drift/refresh.txt`);
        if (analyses.length !== 1) problems.push(`${where}: ${analyses.length} pulumi policy analyze lines, expected one`);
        for (const { index, at, line } of analyses) {
            const r = refreshes[0];
            if (!r || r.index > index || (r.index === index && r.at > at)) problems.push(`${where}: pulumi policy analyze does not run on the refreshed copy (no pulumi refresh before it)`);
            if (!recordedTo(line, "analyze")) problems.push(`${where}: the analysis's output and exit code are not recorded to drift/analyze.txt`);
        }
        for (const stack of jobStacks(wf, job)) {
            for (const { line } of [...previews, ...analyses]) {
                const args = tokenize(forStack(line, stack));
                const verb = args.includes("analyze") ? "policy analyze" : "preview";
                if (args[args.indexOf("--policy-pack") + 1] !== POLICY_PACK || !args.includes("--policy-pack"))
                    problems.push(`${where} (${stack}): pulumi ${verb} without --policy-pack ${POLICY_PACK}`);
                const config = args.includes("--policy-pack-config") ? args[args.indexOf("--policy-pack-config") + 1] : "<none>";
                if (config !== `.github/policy-config/${stack}.json`) problems.push(`${where} (${stack}): pulumi ${verb} reads policy config ${config}, not .github/policy-config/${stack}.json`);
                if (args[args.indexOf("--stack") + 1] !== stack) problems.push(`${where} (${stack}): pulumi ${verb} is not given --stack ${stack}`);
            }
        }
        for (const name of DRIFT_RECORDS) {
            if (!steps.some((s) => new RegExp(String.raw`echo "\$rc" > ${RECORD_DIR}/${name}\.rc`).test(effectiveRun(s, read))))
                problems.push(`${where}: nothing writes drift/${name}.rc (the exit code the report reads)`);
        }
        for (const stack of jobStacks(wf, job)) {
            for (const s of steps) {
                const args = tokenize(forStack(s.run ?? "", stack));
                const at = args.indexOf(STATE_SCRIPT);
                if (at >= 0 && (args[at + 1] !== stack || args[at + 2] !== "drift")) problems.push(`${where} (${stack}): ${STATE_SCRIPT} is given ${args[at + 1]} ${args[at + 2]}, not ${stack} drift`);
            }
        }
        const reportIndex = steps.findIndex((s) => tokenize(s.run ?? "").includes(DRIFT_REPORT_SCRIPT));
        const report = steps[reportIndex];
        const lastCheck = Math.max(...[...previews, ...refreshes, ...analyses].map((p) => p.index), -1);
        if (reportIndex < lastCheck) problems.push(`${where}: the report runs before the checks`);
        if (!/always\(\)/.test(str(report.if))) problems.push(`${where}: the report lacks if: always() (a failed step before it would leave the issue as it was)`);
        if (isTrue(report["continue-on-error"]) || isTrue(job["continue-on-error"])) problems.push(`${where}: continue-on-error: drift would not fail the job`);
        for (const re of SWALLOWED_EXIT) if (re.test(report.run ?? "")) problems.push(`${where}: the report's exit code is swallowed (${re.source})`);
        if (!/^\$\{\{\s*(github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$/.test(str(report.env?.GITHUB_TOKEN))) problems.push(`${where}: the report has no GITHUB_TOKEN to keep the issue`);
        for (const stack of jobStacks(wf, job)) {
            const args = tokenize(forStack(report.run ?? "", stack));
            if (args[args.indexOf("--stack") + 1] !== stack) problems.push(`${where} (${stack}): the report is for stack ${args[args.indexOf("--stack") + 1]}`);
            if (args[args.indexOf("--dir") + 1] !== "drift") problems.push(`${where} (${stack}): the report reads ${args[args.indexOf("--dir") + 1]}, not drift (where the checks record)`);
        }
        const upload = steps.findIndex((s, i) => i > lastCheck && s.uses?.startsWith("actions/upload-artifact@"));
        if (upload < 0 || !/always\(\)/.test(str(steps[upload].if)) || str(steps[upload].with?.path).replace(/\/$/, "") !== "drift")
            problems.push(`${where}: the drift evidence (drift/) is not uploaded with if: always()`);
    }
    return problems;
}

// ---- gcloud comes from setup-gcloud ----

/** The text of a repository file (a script a step runs), or "" if there is none. */
export type ScriptReader = (file: string) => string;

function scriptText(file: string): string {
    const p = path.join(REPO, file);
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
}

/** What a step runs, with the text of any .github/scripts/ shell script it calls; comment lines left out. */
function effectiveRun(step: Step, read: ScriptReader = scriptText): string {
    const run = step.run ?? "";
    const scripts = [...run.matchAll(/\.github\/scripts\/[\w.-]+\.sh\b/g)].map((m) => read(m[0]));
    return [run, ...scripts]
        .join("\n")
        .split("\n")
        .filter((l) => !/^\s*#/.test(l))
        .join("\n");
}

/** A step that calls gcloud (itself or through a script) comes after setup-gcloud, with the beta component if it uses gcloud beta. */
export function gcloudSetupProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let calls = 0;
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            steps.forEach((step, i) => {
                const text = effectiveRun(step);
                if (!/(^|[\s$(`;|&])gcloud\s/m.test(text)) return;
                calls++;
                const setup = steps.slice(0, i).filter((s) => s.uses?.startsWith("google-github-actions/setup-gcloud@"));
                const where = `${wf.file} ${id} step ${i + 1} (${step.name ?? "run"})`;
                if (setup.length === 0) problems.push(`${where}: calls gcloud without google-github-actions/setup-gcloud before it (the runner image's gcloud is not pinned)`);
                else if (
                    /gcloud\s+beta\s/.test(text) &&
                    !setup.some((s) =>
                        str(s.with?.install_components)
                            .split(",")
                            .map((c) => c.trim())
                            .includes("beta"),
                    )
                )
                    problems.push(`${where}: calls gcloud beta, and setup-gcloud does not install the beta component`);
            });
        }
    }
    if (calls === 0) problems.push("no workflow step calls gcloud");
    return problems;
}

/** Every .github/scripts/ file a workflow runs exists. */
export function scriptPathProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            for (const step of job.steps ?? []) {
                for (const m of (step.run ?? "").matchAll(/\.github\/scripts\/[\w.-]+/g)) if (!fs.existsSync(path.join(REPO, m[0]))) problems.push(`${wf.file} ${id}: ${m[0]} does not exist`);
            }
        }
    }
    return problems;
}

// ---- Dependabot ----

interface DependabotUpdate {
    "package-ecosystem"?: string;
    directory?: string;
    schedule?: { interval?: string };
    groups?: Record<string, { patterns?: string[] }>;
}

/** npm and GitHub Actions both get update pull requests, each ecosystem's updates grouped. */
export function dependabotProblems(text: string): string[] {
    const problems: string[] = [];
    const doc = (YAML.parse(text) ?? {}) as { version?: unknown; updates?: DependabotUpdate[] };
    if (doc.version !== 2) problems.push("dependabot.yml: version is not 2");
    for (const ecosystem of ["npm", "github-actions"]) {
        const u = (doc.updates ?? []).find((x) => x["package-ecosystem"] === ecosystem);
        if (!u) {
            problems.push(`dependabot.yml: no updates for ${ecosystem}`);
            continue;
        }
        if (u.directory !== "/") problems.push(`dependabot.yml ${ecosystem}: directory ${str(u.directory)}, not / (the root manifest and lockfile, the workspace, .github/workflows)`);
        if (!u.schedule?.interval) problems.push(`dependabot.yml ${ecosystem}: no schedule interval`);
        const patterns = Object.values(u.groups ?? {}).flatMap((g) => g.patterns ?? []);
        if (!patterns.includes("*")) problems.push(`dependabot.yml ${ecosystem}: updates are not grouped (a group with patterns ["*"])`);
    }
    return problems;
}

// ---- the one-time Google Cloud set-up (docs/gcp-setup.md) ----

/**
 * The set-up the workflows rely on: the Workload Identity condition pins the repository by name
 * and by its ids (a deleted and re-created repository of the same name gets new ids), and the
 * preview account (pull-request previews, the drift job) can read the state but not write it.
 */
export function setupProblems(doc: string): string[] {
    const problems: string[] = [];
    const setup = doc.startsWith("# One-time Google Cloud set-up") ? doc : "";
    if (!setup) return ["docs/gcp-setup.md: not the One-time Google Cloud set-up"];
    const condition = /--attribute-condition "([^"]*)"/.exec(setup)?.[1] ?? "";
    for (const claim of ["repository", "repository_id", "repository_owner_id"]) {
        if (!new RegExp(`assertion\\.${claim} == '\\$\\w+'`).test(condition)) problems.push(`set-up: the Workload Identity condition does not pin ${claim} (${condition || "no condition"})`);
    }
    if (/\|\|/.test(condition)) problems.push(`set-up: the Workload Identity condition has an alternative (||): ${condition}`);
    const previewRoles = [...setup.matchAll(/add-iam-policy-binding \$(BUCKET|KEY) --member serviceAccount:oa-pulumi-preview@\S+ --role (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
    const readOnly = ["BUCKET roles/storage.objectViewer", "KEY roles/cloudkms.cryptoKeyDecrypter"];
    for (const r of previewRoles) if (!readOnly.includes(r)) problems.push(`set-up: the preview account gets ${r}, which writes (read-only: ${readOnly.join(", ")})`);
    for (const r of readOnly) if (!previewRoles.includes(r)) problems.push(`set-up: the preview account lacks ${r}`);
    return problems;
}

// ---- the control service's canary: rolled out in CI, rolled back without staging ----

/** Production goes up at 0 %, is gated, then rolls out behind its environment; a rollback per stack needs nothing else. */
export function rolloutProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    const deploy = wfs.find((w) => w.file === "deploy.yml");
    const production = deploy ? jobsOf(deploy).find(([, job]) => pulumiOps(job).length > 0 && jobStacks(deploy, job).includes("prod")) : undefined;
    if (!deploy || !production) return ["deploy.yml has no production job"];
    const [id, job] = production;
    const where = `deploy.yml ${id}`;
    const steps = job.steps ?? [];
    if (job.environment !== "production" && (job.environment as { name?: string } | undefined)?.name !== "production")
        problems.push(`${where}: the rollout does not run behind the production environment (its reviewers)`);
    const ops = pulumiOps(job);
    const plainUps = ops.filter((o) => o.kind === "up" && !o.canary);
    if (plainUps.length > 0) problems.push(`${where}: step ${plainUps[0].index + 1} ups prod straight to the stack file's split, outside the rollout`);
    const stage = ops.find((o) => o.canary?.args.includes("--stage"));
    const rollout = ops.find((o) => o.canary && !o.canary.args.includes("--stage"));
    if (!stage) problems.push(`${where}: the new revision is not staged at 0 % (canary rollout --stage) before the gate`);
    if (!rollout) return [...problems, `${where}: no canary rollout after the gate`];
    const zeroGate = stage ? steps.findIndex((s, i) => i > stage.index && /\bnpm run (--silent )?validate\b/.test(s.run ?? "")) : -1;
    if (stage && (zeroGate < 0 || zeroGate > rollout.index)) problems.push(`${where}: the rollout starts before the 0 % gate`);
    if (!rollout.canary?.args.includes("--gated")) problems.push(`${where}: the rollout does not say the 0 % gate passed (--gated): it would gate twice`);
    if (!rollout.canary?.args.includes("--push")) problems.push(`${where}: the rollout does not commit the promoted stack file (--push main)`);
    if (!steps[rollout.index].env?.PROD_RUNTIME_ID_TOKEN) problems.push(`${where}: the rollout's gates (after a rollback) get no runtime ID token`);

    const rollback = wfs.find((w) => w.file === "rollback.yml");
    if (!rollback) return [...problems, "no rollback workflow"];
    const on = rollback.doc.on as { workflow_dispatch?: { inputs?: { stack?: { options?: string[] } } } } | undefined;
    const options = on?.workflow_dispatch?.inputs?.stack?.options ?? [];
    for (const stack of stackNames()) if (!options.includes(stack)) problems.push(`rollback.yml: stack ${stack} cannot be rolled back (workflow_dispatch input stack)`);
    for (const [rid, rjob] of jobsOf(rollback)) {
        const rwhere = `rollback.yml ${rid}`;
        if (rjob.needs !== undefined) problems.push(`${rwhere}: needs ${JSON.stringify(rjob.needs)}: a rollback waits for nothing`);
        const op = pulumiOps(rjob).find((o) => o.canary && /\bcanary -- rollback\b/.test((o.step.run ?? "").replace(/\s+/g, " ")));
        if (!op) problems.push(`${rwhere}: no canary rollback`);
        if (!/inputs\.stack == 'prod' && 'production'/.test(str(rjob.environment))) problems.push(`${rwhere}: prod's rollback does not run in the production environment`);
    }
    return problems;
}

// ---- the offline review on the pull request ----

const REVIEW_COMMENT_SCRIPT = ".github/scripts/review-comment.ts";

/** Every pull request gets the offline review's diff as one comment (updated, whatever the verdict), and the real preview shows its diff. */
export function reviewCommentProblems(wfs: Workflow[]): string[] {
    const wf = wfs.find((w) => w.file === "review.yml");
    if (!wf) return ["no review workflow"];
    const problems: string[] = [];
    const pr = (wf.doc.on as { pull_request?: Record<string, unknown> } | undefined)?.pull_request;
    if (!pr || pr.paths !== undefined || pr["paths-ignore"] !== undefined || pr.types !== undefined)
        problems.push("review.yml: the review does not run on every pull request (paths, paths-ignore or types filter)");
    const jobs = jobsOf(wf);
    const commenting = jobs.find(([, job]) => (job.steps ?? []).some((s) => tokenize(s.run ?? "").includes(REVIEW_COMMENT_SCRIPT)));
    if (!commenting) return [...problems, `review.yml: no step keeps the review comment (${REVIEW_COMMENT_SCRIPT})`];
    const [id, job] = commenting;
    const steps = job.steps ?? [];
    const comment = steps.findIndex((s) => tokenize(s.run ?? "").includes(REVIEW_COMMENT_SCRIPT));
    const review = steps.findIndex((s) => npmRuns(s.run ?? "").some((r) => r.script === "review"));
    if (review < 0 || review > comment) problems.push(`review.yml ${id}: the comment step does not follow the offline review`);
    else if (!npmRuns(steps[review].run ?? "").some((r) => r.script === "review" && r.args.includes("--base")))
        problems.push(`review.yml ${id}: the offline review does not diff against the base branch (--base)`);
    if (!/always\(\)/.test(str(steps[comment].if))) problems.push(`review.yml ${id}: the comment is posted only when the review passed (needs if: always())`);
    if ((job.permissions as Record<string, unknown> | undefined)?.["pull-requests"] !== "write") problems.push(`review.yml ${id}: no pull-requests: write to keep the comment`);
    const previews = jobs.flatMap(([, j]) => pulumiOps(j).filter((o) => o.kind === "preview" && o.step.uses));
    for (const p of previews) if (p.step.with?.diff !== true) problems.push("review.yml: the pulumi preview step lacks diff: true");
    return problems;
}

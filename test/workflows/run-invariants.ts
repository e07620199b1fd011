// Invariants of a workflow's first real run: each action's inputs as its action.yml defines them,
// artifact names a re-run can upload again, the identity each step runs as (catalog/identities.ts),
// the secrets provider checked before any pulumi command, and the contract tests at the deployed
// commit without credentials. Each returns one line per problem, as invariants.ts does.

import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { migrateWorstCaseSeconds } from "../../services/runtime-lane";
import { type AccountName, IDENTITIES, type IdentityName, SERVICE_ACCOUNTS } from "../../catalog/identities";
import { CONTRACT_CHECK_IDS } from "../../canary/rollout-deps";
import { resolveRolloutOptions } from "../../canary/rollout-options";
import { CANARY_WINDOW } from "../../catalog";
import { ACTION_INPUTS } from "./action-inputs";
import { type Job, type Step, type Workflow, forStack, jobStacks, jobsOf, npmRuns, pulumiOps } from "./invariants";

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
const actionOf = (step: Step): string | undefined => step.uses?.split("@")[0];

/** What an input is in this step: its `with:` value, else the default its action.yml gives. */
export function inputValue(step: Step, input: string): string | undefined {
    const given = step.with?.[input];
    if (given !== undefined) return str(given);
    return step.uses ? ACTION_INPUTS[step.uses]?.inputs[input]?.default : undefined;
}

/** Every action is one the table knows at its pin; every `with:` key is an input of it; every required input is given. */
export function actionInputProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            (job.steps ?? []).forEach((step, i) => {
                if (!step.uses || step.uses.startsWith("./")) return;
                const where = `${wf.file} ${id} step ${i + 1}`;
                const spec = ACTION_INPUTS[step.uses];
                if (!spec) return void problems.push(`${where}: ${step.uses} has no row in test/workflows/action-inputs.ts (read its action.yml at that commit)`);
                for (const key of Object.keys(step.with ?? {})) if (!spec.inputs[key]) problems.push(`${where}: ${actionOf(step)} has no input '${key}' (${spec.source})`);
                for (const [key, input] of Object.entries(spec.inputs))
                    if (input.required && step.with?.[key] === undefined) problems.push(`${where}: ${actionOf(step)} requires '${key}' (${spec.source}:${input.line})`);
            });
        }
    }
    return problems;
}

/** A re-run job uploads its evidence again: the name carries the attempt, or the upload overwrites (off by default). */
export function artifactNameProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            for (const step of job.steps ?? []) {
                if (actionOf(step) !== "actions/upload-artifact") continue;
                const name = inputValue(step, "name") ?? "";
                if (!/github\.run_attempt/.test(name) && inputValue(step, "overwrite") !== "true") {
                    problems.push(
                        `${wf.file} ${id}: artifact '${name}' exists after a first attempt, so a re-run fails to upload it (overwrite defaults to ${ACTION_INPUTS[step.uses ?? ""]?.inputs.overwrite?.default}; put github.run_attempt in the name)`,
                    );
                }
            }
        }
    }
    return problems;
}

interface AuthStep {
    index: number;
    id?: string;
    account?: AccountName;
    file: boolean;
    exports: boolean;
}

function authSteps(job: Job): AuthStep[] {
    const accounts = Object.entries(SERVICE_ACCOUNTS) as Array<[AccountName, { variable: string }]>;
    return (job.steps ?? []).flatMap((step, index) => {
        if (actionOf(step) !== "google-github-actions/auth") return [];
        const variable = /vars\.([A-Z0-9_]+)/.exec(str(step.with?.service_account))?.[1];
        return [
            {
                index,
                id: step.id,
                account: accounts.find(([, a]) => a.variable === variable)?.[0],
                file: inputValue(step, "create_credentials_file") !== "false",
                exports: inputValue(step, "export_environment_variables") !== "false",
            },
        ];
    });
}

/** What a step needs: the identity it runs as, the env var its credentials file goes in, the accounts that may serve (the deployer's roles cover the preview's reads). */
export interface Need {
    identity: IdentityName;
    variable: string;
    accounts: AccountName[];
}

const as = (identity: IdentityName, variable = "GOOGLE_APPLICATION_CREDENTIALS", also: AccountName[] = []): Need => ({ identity, variable, accounts: [IDENTITIES[identity].account, ...also] });

/** The identities a step needs, by what it runs (two for a canary command: pulumi, then its reads). */
export function identitiesOf(step: Step, job: Job): Need[] {
    const out: Need[] = [];
    const run = step.run ?? "";
    for (const r of npmRuns(run.replace(/\n/g, " "))) {
        const [command] = r.args;
        if (r.script === "canary" && (command === "rollout" || command === "rollback"))
            out.push(as(command === "rollback" ? "rollback" : "deploy", "DEPLOY_GOOGLE_APPLICATION_CREDENTIALS"), as("canary"));
        else if (r.script === "canary" && command === "analyze") out.push(as("canary"));
        else if (r.script === "validate") {
            const only = r.args.flatMap((a, i) => (r.args[i - 1] === "--only" ? a.split(",") : []));
            // The contract tests alone call no Google API.
            if (!(only.length > 0 && only.every((c) => CONTRACT_CHECK_IDS.includes(c)))) out.push(as("gate"));
        }
    }
    if (/wait-for-domain-certificate\.sh/.test(run)) out.push(as("gate", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"));
    const plain = pulumiOps({ ...job, steps: [step] }).filter((o) => !o.canary);
    if (plain.some((o) => o.kind === "up") || /\bpulumi\s+config\s+set\b/.test(run)) out.push(as("deploy"));
    else if (plain.some((o) => o.kind === "preview") || /\bpulumi\s+(stack|config)\b/.test(run)) out.push(as("preview", "GOOGLE_APPLICATION_CREDENTIALS", ["deploy"]));
    return out;
}

/**
 * Each step runs as the identity the table gives what it runs: its file named in the step's env
 * (an auth step's credentials_file_path of that identity's account), or, in a job of one account
 * only, that account's exported credentials. A job with two accounts exports neither (the last
 * one's file would become every later step's ambient credentials).
 */
export function identityProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const auths = authSteps(job);
            const accounts = new Set(auths.map((a) => a.account));
            for (const a of auths) {
                if (!a.account) problems.push(`${wf.file} ${id} step ${a.index + 1}: authenticates as an account the identity table does not name`);
                if (accounts.size > 1 && a.exports && a.file)
                    problems.push(`${wf.file} ${id} step ${a.index + 1}: exports ${a.account}'s credentials as ambient in a job of ${accounts.size} identities`);
            }
            (job.steps ?? []).forEach((step, index) => {
                for (const need of identitiesOf(step, job)) {
                    const where = `${wf.file} ${id} step ${index + 1} (${step.name ?? step.run?.split("\n")[0] ?? step.uses})`;
                    const named = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.credentials_file_path\s*\}\}$/.exec(str(step.env?.[need.variable]).trim())?.[1];
                    if (named) {
                        const auth = auths.find((a) => a.id === named && a.index < index);
                        if (!auth) problems.push(`${where}: ${need.variable} names step '${named}', which is no earlier auth step`);
                        else if (!auth.file) problems.push(`${where}: ${need.variable} names step '${named}', which writes no credentials file (create_credentials_file: false)`);
                        else if (!auth.account || !need.accounts.includes(auth.account)) problems.push(`${where}: runs ${need.identity} as ${auth.account}, not ${need.accounts.join(" or ")}`);
                        continue;
                    }
                    const ambient = auths.filter((a) => a.index < index && a.exports && a.file);
                    const last = ambient[ambient.length - 1]?.account;
                    if (accounts.size === 1 && last && need.accounts.includes(last) && need.variable !== "DEPLOY_GOOGLE_APPLICATION_CREDENTIALS") continue;
                    problems.push(`${where}: runs ${need.identity} without ${need.accounts[0]}'s credentials file in ${need.variable}${last ? ` (the ambient credentials are ${last}'s)` : ""}`);
                }
            });
        }
    }
    return problems;
}

const CHECK_SCRIPT = ".github/scripts/check-secrets-provider.ts";

/** Every job that runs pulumi checks its stacks' secrets provider first; no passphrase anywhere (the stacks decrypt with KMS). */
export function secretsProviderProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        if (/PULUMI_CONFIG_PASSPHRASE/.test(wf.text)) problems.push(`${wf.file}: sets a Pulumi passphrase; the stacks decrypt with their KMS key (catalog/stack-secrets.ts)`);
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            const first = steps.findIndex(
                (s) => pulumiOps({ ...job, steps: [s] }).length > 0 || /\bpulumi\s+[a-z]/.test(s.run ?? "") || (actionOf(s) === "pulumi/actions" && s.with?.command !== undefined),
            );
            if (first < 0) continue;
            for (const stack of jobStacks(wf, job)) {
                const check = steps.findIndex((s) => {
                    const line = forStack(s.run ?? "", stack);
                    return line.includes(CHECK_SCRIPT) && new RegExp(`${CHECK_SCRIPT.replace(/\./g, "\\.")}\\s+"?${stack}"?(\\s|$)`).test(line);
                });
                if (check < 0 || check > first) problems.push(`${wf.file} ${id} (${stack}): pulumi runs before ${CHECK_SCRIPT} said whether the stack file names its secrets provider`);
            }
        }
    }
    return problems;
}

/**
 * The contract tests run OpenAgents' code at the commit the stack deploys (its image's tag), in a
 * job with no OIDC token, no environment and no secrets; no job that can reach Google or write
 * the repository checks OpenAgents out or runs cargo.
 */
export function contractTestProblems(wfs: Workflow[]): string[] {
    const problems: string[] = [];
    let pinned = 0;
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const steps = job.steps ?? [];
            const perms = (job.permissions ?? {}) as Record<string, unknown>;
            const powerful =
                job.permissions === undefined || perms["id-token"] === "write" || perms.contents === "write" || job.environment !== undefined || /\$\{\{\s*secrets\./.test(YAML.stringify(job));
            steps.forEach((step, i) => {
                const openagents = actionOf(step) === "actions/checkout" && /openagents/i.test(str(step.with?.repository));
                const cargo = /\bcargo\b/.test(step.run ?? "");
                if (!openagents && !cargo) return;
                const where = `${wf.file} ${id} step ${i + 1}`;
                if (powerful)
                    problems.push(
                        `${where}: OpenAgents' code reaches a job with ${perms["id-token"] === "write" ? "an OIDC token (id-token: write)" : job.environment !== undefined ? "an environment" : "credentials"}`,
                    );
                if (!openagents) return;
                if (inputValue(step, "persist-credentials") !== "false") problems.push(`${where}: the OpenAgents checkout keeps its token in .git/config`);
                const ref = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.sha\s*\}\}$/.exec(str(step.with?.ref))?.[1];
                const source = ref ? steps.find((s, j) => j < i && s.id === ref) : undefined;
                if (!source || !/deployed-commit\.ts/.test(source.run ?? ""))
                    problems.push(`${where}: OpenAgents is checked out at '${str(step.with?.ref) || "its default branch"}', not at the commit the stack deploys (.github/scripts/deployed-commit.ts)`);
                else pinned++;
            });
        }
    }
    if (pinned === 0) problems.push("no workflow runs the contract tests at the deployed commit");
    return problems;
}

/** The migration's worst case under a stack file's committed config (what the job's timeouts are made of). */
export function stackMigrateSeconds(stack: string, dir: string): number {
    const config = (YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    const n = (key: string, fallback: number): number => (config[`openagents-rust-lanes:${key}`] === undefined ? fallback : Number(config[`openagents-rust-lanes:${key}`]));
    return migrateWorstCaseSeconds({ maxRetries: n("migrateMaxRetries", 0), timeoutSeconds: n("migrateTimeoutSeconds", 600) });
}

/** A job that ups a stack lives at least as long as that stack's migration may run: the job's timeout must not cut the `up` the provider still waits in. */
export function jobTimeoutProblems(wfs: Workflow[], dir: string): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            if (!pulumiOps(job).some((o) => o.kind === "up")) continue;
            const minutes = Number((job as { "timeout-minutes"?: unknown })["timeout-minutes"] ?? 360);
            for (const stack of jobStacks(wf, job)) {
                const needed = Math.ceil(stackMigrateSeconds(stack, dir) / 60);
                if (minutes < needed) problems.push(`${wf.file} ${id} (${stack}): timeout-minutes ${minutes} cuts an up whose migration may run ${needed} minutes`);
            }
        }
    }
    return problems;
}

/**
 * A job that drives the ladder outlives its longest run: the stage's migration, the certificate
 * wait, and every judged rung looking for its window and lag (1 + --max-holds) times, read from
 * the run line as the CLI resolves it. A timeout cancels the job mid-rung: GitHub's SIGINT then
 * SIGTERM cancel an up in flight, and traffic stays split with the stack file uncommitted.
 */
export function rolloutTimeoutProblems(wfs: Workflow[], dir: string): string[] {
    const problems: string[] = [];
    for (const wf of wfs) {
        for (const [id, job] of jobsOf(wf)) {
            const steps: Step[] = job.steps ?? [];
            const ladders = steps.flatMap((step) => npmRuns(step.run ?? "").filter((r) => r.script === "canary" && r.args[0] === "rollout" && !r.args.includes("--stage")));
            if (ladders.length === 0) continue;
            const minutes = Number((job as { "timeout-minutes"?: unknown })["timeout-minutes"] ?? 360);
            const certSeconds = steps.filter((st) => /wait-for-domain-certificate\.sh/.test(st.run ?? "")).reduce((sum, st) => sum + Number(st.env?.MAX_WAIT ?? 2700), 0);
            for (const run of ladders) {
                const o = resolveRolloutOptions(run.args.slice(1), "rollout", { env: {}, cwd: dir });
                const judged = o.ladder.filter((p) => p < 100).length;
                const ladderMinutes = (judged * (1 + o.maxHolds) * (o.windowMs + CANARY_WINDOW.ingestionLagMs)) / 60_000;
                const needed = Math.ceil(stackMigrateSeconds(o.stackName, dir) / 60 + certSeconds / 60 + ladderMinutes);
                if (minutes < needed)
                    problems.push(
                        `${wf.file} ${id} (${o.stackName}): timeout-minutes ${minutes} cuts a rollout that may run ${needed} minutes (migration, certificate wait, ${judged} rungs x ${1 + o.maxHolds} looks of ${(o.windowMs + CANARY_WINDOW.ingestionLagMs) / 60_000} min)`,
                    );
            }
        }
    }
    return problems;
}

// `npm run review`: the offline review. Runs the Pulumi program for each stack under the mock
// runtime (no cloud, no Pulumi CLI) and prints the plan a reviewer reads, then the policy
// pack's verdicts on it (policies/offline: the same pack and SDK analyzer as a real preview).
// With a base it says what the next deploy does: the diff, the changes `up` will refuse, and for
// prod's control service the canary path CI takes instead of a direct switch.
// Exit: 0 nothing refused, 1 a mandatory violation or a change that fails at up, 2 config or
// usage error, 3 the review crashed.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CANARY_LADDER, quoted, isOnCanaryLadder, type CloudRunLaneId } from "../catalog";
import { type OptionRow, type OptionTable, type OptionValues, describeOption, flagUsage, givenFromArgv, option, readArgv, resolveTable } from "../io/options";
import { UsageError } from "../io/usage-error";
import { BaseRefError, checkoutBase, defaultBase } from "./base";
import { StackDiff, diffPlans, failingChanges, renderDiff } from "./diff";
import { importFileFor, LANE_IDS } from "./import-file";
import { loadedFiles, recordStack, StackPlan } from "./plan";
import { planToJson, renderPlan } from "./render";
import { PROJECT_DIR, readStackConfig, StackFileError, stackNames } from "./stack-files";
import { POLICIES } from "../policies/all";
import { GivenPolicyConfig, PolicyConfigError, readPolicyConfigFile, reconcilePolicyConfig, unknownPolicyNames } from "../policies/offline/config";
import { renderVerdicts, runPolicies, StackVerdicts } from "../policies/offline/runner";

/** Every option of the review, in --help order; each key the field of ReviewArgs it gives (or that parsing computes from it). */
export const REVIEW_OPTIONS = {
    stacks: option<string>({ flag: "stack", value: "NAME", repeat: true, defaultText: "every Pulumi.<stack>.yaml", help: "staging or prod; repeat for several" }),
    set: option<string>({
        flag: "set",
        value: "KEY=VALUE",
        repeat: true,
        help: "override a stack config value for a what-if (KEY as in the stack file, e.g. controlCanaryPercent=25 or gcp:region=europe-west1); repeatable",
    }),
    preview: option<boolean>({ flag: "preview", help: "leave computed values (URLs, account emails) unknown, as a first preview does" }),
    policyConfig: option<string>({
        flag: "policy-config",
        value: "[STACK=]FILE",
        repeat: true,
        defaultText: "each stack's .github/policy-config/<stack>.json when it exists, as CI passes it",
        help: "policy pack config, the JSON `pulumi preview --policy-pack-config` takes; STACK=FILE for one stack (repeatable), FILE for every stack (keyed by policy name: a level, or {enforcementLevel, ...properties})",
    }),
    base: option<string>({
        flag: "base",
        value: "REF",
        defaultText: "the merge base with origin/main, else main, when there is one",
        help: "print what changes against git REF (REF's own program and stack files, run the same way): + create, - delete, ~ update, +- replace, each input old => new",
    }),
    noBase: option<boolean>({ flag: "no-base", help: "no diff: the whole plan only" }),
    full: option<boolean>({ flag: "full", help: "with a diff, also print the whole plan" }),
    json: option<boolean>({ flag: "json", help: "print the plan as JSON (per stack: every resource's type, name, inputs, the diff, and the policy verdicts)" }),
    import: option<string>({
        flag: "import",
        value: "LANES",
        help: "instead of the plan, print the `pulumi import --file` document that adopts the existing Cloud Run resources of these lanes (control, runtime, runtime-migrate; comma-separated) at the URNs the program declares; needs exactly one --stack",
    }),
    out: option<string>({
        flag: "out",
        value: "FILE",
        help: "write the --json or --import document to FILE instead of stdout (npm prints its own banner on stdout: a redirect of `npm run` is not a JSON file)",
    }),
    help: option<boolean>({ flag: "help", short: "h", help: "this text" }),
} satisfies OptionTable;

/** One option's help lines: the flag, then its help (and default) wrapped under it. */
function usageLines(o: OptionRow): string[] {
    const left = `  ${o.short ? `-${o.short}, ` : ""}${flagUsage(o)}`;
    const text = describeOption(o);
    const lines: string[] = [];
    let line = left.length < 21 ? left.padEnd(21) : `${left}  `;
    for (const word of text.split(" ")) {
        if (line.trim() !== left.trim() && line.length + word.length > 100) {
            lines.push(line.trimEnd());
            line = " ".repeat(21);
        }
        line += `${word} `;
    }
    return [...lines, line.trimEnd()];
}

const USAGE = [
    "Usage: npm run review -- [options]",
    "",
    "Runs the Pulumi program for each stack with no cloud and no Pulumi CLI and prints the plan.",
    "",
    "Options:",
    ...Object.values(REVIEW_OPTIONS).flatMap(usageLines),
    "",
    "Exit codes: 0 nothing refused, 1 a mandatory policy violation or a change that fails at up",
    "(a replacement or deletion under deletion protection, a replacement whose name is taken),",
    "2 config or usage error, 3 the review itself crashed.",
].join("\n");

/** The parsed arguments: --base and --out as the table types them, the rest computed from their rows. */
export interface ReviewArgs extends Pick<OptionValues<typeof REVIEW_OPTIONS>, "base" | "out"> {
    stacks: string[];
    overrides: Record<string, string>;
    preview: boolean;
    json: boolean;
    help: boolean;
    /** --no-base: the plan alone, no diff against the merge base. */
    noBase: boolean;
    full: boolean;
    /** --policy-config FILE for every stack. */
    policyConfig?: string;
    /** --policy-config STACK=FILE, per stack. */
    stackPolicyConfigs: Record<string, string>;
    /** Lanes whose existing Cloud Run resources to adopt (--import). */
    importLanes?: CloudRunLaneId[];
}

/** Where the review reads its stack files from and writes to: the process by default. */
export interface ReviewIo {
    out: (text: string) => void;
    err: (text: string) => void;
    /** Directory of Pulumi.yaml and the stack files (the program itself always runs from the checkout). */
    stackDir?: string;
    /** The checkout whose program runs (and whose git history --base reads); default: this one. */
    projectDir?: string;
    /** Colour the diff: on a terminal unless NO_COLOR is set. */
    colour?: boolean;
    /** Without --base, diff against the merge base with origin/main or main (the CLI does; tests opt in). */
    defaultBase?: boolean;
}

const PROCESS_IO: ReviewIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
    defaultBase: true,
};

/** --policy-config values: "STACK=FILE" for a known stack, else one FILE for every stack (at most one). */
function policyConfigArgs(values: readonly string[], stacks: readonly string[]): { policyConfig?: string; stackPolicyConfigs: Record<string, string> } {
    const stackPolicyConfigs: Record<string, string> = {};
    let policyConfig: string | undefined;
    for (const value of values) {
        const eq = value.indexOf("=");
        const stack = eq > 0 ? value.slice(0, eq) : undefined;
        if (stack !== undefined && stacks.includes(stack)) {
            if (stack in stackPolicyConfigs) throw new UsageError(`--policy-config ${value}: ${stack} has a policy config already`);
            stackPolicyConfigs[stack] = value.slice(eq + 1);
        } else {
            if (policyConfig !== undefined) throw new UsageError(`--policy-config ${value}: one file for every stack, or STACK=FILE per stack (${stacks.join(", ")})`);
            policyConfig = value;
        }
    }
    return { policyConfig, stackPolicyConfigs };
}

/** The policy config file a stack is judged with: its --policy-config, else CI's file for it when there is one. */
export function policyConfigFileFor(stack: string, args: Pick<ReviewArgs, "policyConfig" | "stackPolicyConfigs">, dir = PROJECT_DIR): string | undefined {
    const given = args.stackPolicyConfigs[stack] ?? args.policyConfig;
    if (given !== undefined) return given;
    const ci = path.join(dir, ".github", "policy-config", `${stack}.json`);
    return existsSync(ci) ? path.relative(process.cwd(), ci) || ci : undefined;
}

export function parseReviewArgs(argv: string[], stackDir?: string): ReviewArgs {
    const given = givenFromArgv(REVIEW_OPTIONS, readArgv(REVIEW_OPTIONS, argv));
    const values = resolveTable(REVIEW_OPTIONS, { given });
    const known = stackNames(stackDir);
    const stacks = given.stacks ?? known;
    for (const s of stacks) if (!known.includes(s)) throw new UsageError(`--stack ${s}: expected one of ${known.join(", ")}`);
    const overrides: Record<string, string> = {};
    for (const item of values.set) {
        const eq = item.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${item}: expected KEY=VALUE`);
        overrides[item.slice(0, eq)] = item.slice(eq + 1);
    }
    let importLanes: CloudRunLaneId[] | undefined;
    if (values.import !== undefined) {
        const lanes = values.import
            .split(",")
            .map((l) => l.trim())
            .filter((l) => l !== "");
        const unknown = lanes.filter((l) => !(LANE_IDS as readonly string[]).includes(l));
        if (lanes.length === 0 || unknown.length > 0) throw new UsageError(`--import ${values.import}: expected lanes among ${LANE_IDS.join(", ")}`);
        if (stacks.length !== 1) throw new UsageError("--import: name exactly one --stack (an import file is for one stack)");
        importLanes = lanes as CloudRunLaneId[];
    }
    if (values.out !== undefined && values.json !== true && importLanes === undefined) throw new UsageError("--out: only with --json or --import (the documents a program reads)");
    if (values.out === "") throw new UsageError("--out: expected a file name");
    return {
        out: values.out,
        importLanes,
        stacks,
        overrides,
        preview: values.preview === true,
        json: values.json === true,
        base: values.base,
        noBase: values.noBase === true,
        full: values.full === true,
        help: values.help === true,
        ...policyConfigArgs(values.policyConfig, known),
    };
}

/** Config problems a person fixes in a stack file: one line, exit 2, no stack trace. */
function isConfigProblem(err: unknown): err is Error {
    return err instanceof StackFileError || (err instanceof Error && err.name === "ConfigError");
}

export async function main(argv: string[], io: ReviewIo = PROCESS_IO): Promise<number> {
    let args: ReviewArgs;
    try {
        args = parseReviewArgs(argv, io.stackDir);
    } catch (err) {
        io.err(`review: ${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (args.help) {
        io.out(`${USAGE}\n`);
        return 0;
    }
    const policyConfigs: Record<string, { file?: string; config: Record<string, GivenPolicyConfig> }> = {};
    for (const stack of args.stacks) {
        const file = policyConfigFileFor(stack, args, io.stackDir ?? PROJECT_DIR);
        try {
            const config = file !== undefined ? readPolicyConfigFile(file) : {};
            reconcilePolicyConfig(POLICIES, config);
            policyConfigs[stack] = { file, config };
            for (const name of unknownPolicyNames(POLICIES, config)) io.err(`review: warning: policy config ${file ?? ""} names no policy of the pack: ${name}\n`);
        } catch (err) {
            if (!(err instanceof PolicyConfigError)) throw err;
            io.err(`review: stack ${stack}: ${err.message}\n`);
            return 2;
        }
    }
    const plans: StackPlan[] = [];
    for (const stack of args.stacks) {
        try {
            plans.push(await recordStack(stack, { overrides: args.overrides, preview: args.preview, stackDir: io.stackDir, dir: io.projectDir }));
        } catch (err) {
            if (!isConfigProblem(err)) throw err;
            io.err(`review: stack ${stack}: ${err.message}\n`);
            return 2;
        }
    }
    const emit = (doc: unknown): boolean => {
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (args.out === undefined) {
            io.out(text);
            return true;
        }
        try {
            writeFileSync(args.out, text);
        } catch (err) {
            io.err(`review: --out ${args.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
            return false;
        }
        io.err(`review: wrote ${args.out}\n`);
        return true;
    };
    if (args.importLanes) return emit(importFileFor(plans[0], args.importLanes)) ? 0 : 2;
    let diffs: StackDiff[] | undefined;
    if (args.base !== undefined && args.noBase) {
        io.err("review: --base and --no-base contradict each other\n");
        return 2;
    }
    if (args.base === undefined && !args.noBase && io.defaultBase) {
        const found = defaultBase(io.projectDir ?? PROJECT_DIR);
        if (found) {
            args.base = found.commit;
            io.err(`review: diff against the merge base with ${found.against} (${found.commit.slice(0, 12)}); --full adds the whole plan, --no-base shows the plan alone\n`);
        } else {
            io.err("review: no base to diff against (not a git checkout, or no origin/main or main): the whole plan\n");
        }
    }
    if (args.base !== undefined) {
        try {
            diffs = await diffAgainst(args.base, plans, args, io);
        } catch (err) {
            if (!(err instanceof BaseRefError)) throw err;
            io.err(`review: ${err.message}\n`);
            return 2;
        }
    }
    const verdicts: StackVerdicts[] = [];
    for (const plan of plans) verdicts.push(await runPolicies(plan, { config: policyConfigs[plan.stack].config }));
    const judgedWith = (stack: string) => policyConfigs[stack].file ?? "none (the policies' defaults)";
    if (args.json) {
        const stacks = plans.map((plan, i) => ({ ...(planToJson(plan) as object), ...(diffs ? { diff: diffs[i] } : {}), policy: { ...verdicts[i], config: policyConfigs[plan.stack].file ?? null } }));
        if (!emit({ stacks })) return 2;
    } else {
        plans.forEach((plan, i) => {
            const shown = diffs ? [...(args.full ? [renderPlan(plan)] : []), renderDiff(diffs[i], io.colour ?? false) + ladderNote(plan) + rolloutNote(diffs[i])] : [renderPlan(plan)];
            io.out(`${shown.join("\n\n")}\n\n${renderVerdicts(verdicts[i])}\n  judged with policy config: ${judgedWith(plan.stack)}\n\n`);
        });
    }
    const failing = (diffs ?? []).flatMap((d) => failingChanges(d).map((r) => `review: stack ${d.stack}: ${r.type} ${r.name}: ${r.failsAtUp}\n`));
    for (const line of failing) io.err(line);
    return verdicts.some((v) => v.mandatory > 0) || failing.length > 0 ? 1 : 0;
}

/** The canary path CI takes for a new prod control revision (`npm run canary -- rollout` in deploy.yml). */
function rolloutNote(d: StackDiff): string {
    const r = d.rollout;
    if (!r) return "";
    const rungs = CANARY_LADDER.filter((p) => p > 0 && p < 100);
    return [
        "",
        `  canary: CI does not switch ${d.stack} to ${r.canary} at once; the diff above is its first up (the canary rollout of deploy.yml):`,
        `    0 %    up: ${r.canary} at 0 % (tag canary), ${r.stable} keeps 100 % as controlStableRevision; then the gate`,
        `    ${rungs.join(" -> ")} %  each stage waited on and judged on Cloud Monitoring: promote, hold or roll back`,
        `    100 %  ${r.canary} becomes controlStableRevision; Pulumi.${d.stack}.yaml is committed to main`,
    ].join("\n");
}

/** Next to the diff: a canary percent off the catalog's ladder (the canary-ladder policy's rule). */
function ladderNote(plan: StackPlan): string {
    const percent = Number(plan.config[`${plan.project}:controlCanaryPercent`]);
    return Number.isInteger(percent) && !isOnCanaryLadder(percent) ? `\n  note: controlCanaryPercent ${percent} is off the canary ladder ${CANARY_LADDER.join(" -> ")}` : "";
}

/** The keys the rollout sets for its first up (canary/rollout.ts). */
const ROLLOUT_KEYS = { stable: "controlStableRevision", percent: "controlCanaryPercent" } as const;

/**
 * Whether the next deploy of this stack is a canary rollout: prod, a new control revision, and
 * the stack settled (no canary under way, and none asked for with --set). CI then ups the new
 * revision at 0 % with the serving one as controlStableRevision (canary/rollout.ts).
 */
function rolloutOf(before: StackPlan, after: StackPlan, overrides: Record<string, string>): { stable: string; canary: string } | undefined {
    // A renamed service is a new service, not a new revision of the serving one.
    if (after.environment !== "prod" || before.outputs.controlServiceName !== after.outputs.controlServiceName) return undefined;
    const stable = before.outputs.controlRevision;
    const canary = after.outputs.controlRevision;
    if (typeof stable !== "string" || typeof canary !== "string" || stable === canary) return undefined;
    const given = (key: string) => overrides[key] ?? overrides[`${after.project}:${key}`];
    if (given(ROLLOUT_KEYS.stable) !== undefined || given(ROLLOUT_KEYS.percent) !== undefined) return undefined;
    const stableConfig = after.config[`${after.project}:${ROLLOUT_KEYS.stable}`] ?? "";
    const percent = Number(after.config[`${after.project}:${ROLLOUT_KEYS.percent}`] ?? "100");
    return stableConfig === "" || percent >= 100 ? { stable, canary } : undefined;
}

/** Each stack's plan at REF (its own program), diffed with the working tree's; a stack REF lacks is all creates. */
async function diffAgainst(ref: string, plans: StackPlan[], args: Pick<ReviewArgs, "preview" | "overrides">, io: Pick<ReviewIo, "projectDir" | "stackDir">): Promise<StackDiff[]> {
    const repo = io.projectDir ?? PROJECT_DIR;
    const base = checkoutBase(repo, ref, loadedFiles(repo));
    try {
        const diffs: StackDiff[] = [];
        for (const plan of plans) {
            let before: StackPlan | undefined;
            if (existsSync(path.join(base.stackDir, `Pulumi.${plan.stack}.yaml`))) {
                try {
                    // The same program with the same config declares the same plan: no second run.
                    const same =
                        base.sameProgram &&
                        (sameStackFiles(base.stackDir, io.stackDir ?? repo, plan.stack, args.overrides) || sameConfig(readStackConfig(plan.stack, {}, base.stackDir).config, plan.config));
                    before = same ? plan : await recordStack(plan.stack, { dir: base.dir, stackDir: base.stackDir, preview: args.preview });
                } catch (err) {
                    throw new BaseRefError(
                        `--base ${ref}: cannot run the program of ${base.commit.slice(0, 12)} for stack ${plan.stack}: ${quoted((err as Error).message?.split("\n")[0] ?? String(err), 200)}`,
                    );
                }
            }
            const rollout = before ? rolloutOf(before, plan, args.overrides) : undefined;
            if (before && rollout) {
                const firstUp = await recordStack(plan.stack, {
                    overrides: { ...args.overrides, [ROLLOUT_KEYS.stable]: rollout.stable, [ROLLOUT_KEYS.percent]: "0" },
                    preview: args.preview,
                    stackDir: io.stackDir,
                    dir: io.projectDir,
                });
                diffs.push({ ...diffPlans(plan.stack, before, firstUp), rollout: { ...rollout, ladder: [...CANARY_LADDER] } });
            } else diffs.push(diffPlans(plan.stack, before, plan));
        }
        return diffs;
    } finally {
        base.remove();
    }
}

/** Whether REF's project and stack files are byte for byte the working tree's, with no what-ifs on top. */
function sameStackFiles(baseDir: string, headDir: string, stack: string, overrides: Record<string, string>): boolean {
    if (Object.keys(overrides).length > 0) return false;
    try {
        return ["Pulumi.yaml", `Pulumi.${stack}.yaml`].every((f) => readFileSync(path.join(baseDir, f)).equals(readFileSync(path.join(headDir, f))));
    } catch {
        return false;
    }
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** main with its exit code for a crash: 3, never 1 (a crash must not read as a mandatory violation). */
export async function run(argv: string[], io: ReviewIo = PROCESS_IO): Promise<number> {
    try {
        return await main(argv, io);
    } catch (err) {
        io.err(`review: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        return 3;
    }
}

if (require.main === module) {
    void run(process.argv.slice(2)).then((code) => process.exit(code));
}

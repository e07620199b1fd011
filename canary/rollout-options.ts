// The options of `canary rollout` and `canary rollback`: one-line usage errors naming the flag
// and the expected form. The thresholds and the window of each stage's analysis come from the
// analysis' own flags' env vars (CANARY_MIN_REQUESTS, ...): one owner for them.

import * as path from "node:path";
import { CANARY_LADDER, CANARY_WINDOW, type Environment } from "../catalog";
import { UsageError } from "../io/usage-error";
import { parseDuration, parseEnvironment, parseText, utcStamp } from "../io/option-values";
import { type GivenValues, type OptionRow, type OptionTable, type OptionValues, describeOption, flagUsage, givenFromArgv, option, readArgv, resolveTable } from "../io/options";

/** The resolved options: the table's plain fields as it types them, plus what resolution computes. */
export interface RolloutOptions extends Pick<OptionValues<typeof ROLLOUT_OPTIONS>, "ladder" | "windowMs" | "maxHolds" | "push" | "to"> {
    environment: Environment;
    stackName: string;
    projectDir: string;
    outputDir: string;
    /** Commit the stack file at the end (pushed to this branch with `push`). */
    commit: boolean;
    plain: boolean;
    /** Stop once the new revision is up at 0 % (CI gates it in its own step). */
    stage: boolean;
    /** The 0 % gate already passed: a resume at 0 % goes straight to the first rung. */
    gated: boolean;
}

/** Every option of `canary rollout` and `canary rollback`, in --help order; each key the field it gives (or that resolution computes from it). */
export const ROLLOUT_OPTIONS = {
    environment: option({ flag: "environment", value: "staging|prod", parse: parseEnvironment, help: "the environment whose control service rolls (required)" }),
    stackName: option({ flag: "stack", value: "NAME", parse: parseText, defaultText: "the environment's name", help: "the Pulumi stack" }),
    ladder: option({ flag: "ladder", value: "P,P,...", parse: parseLadder, default: CANARY_LADDER.filter((p) => p > 0).map(Number), help: "rungs after 0 %, rising, ending at 100" }),
    windowMs: option({
        flag: "window",
        value: "DURATION",
        parse: parseDuration,
        default: CANARY_WINDOW.defaultMs,
        help: `a rung's window: it looks every minute after ${CANARY_WINDOW.ingestionLagMs / 60_000} min of ingestion lag, and ends by (1 + --max-holds) windows plus their lag`,
    }),
    maxHolds: option({ flag: "max-holds", value: "N", parse: parseMaxHolds, default: 3, help: "windows a rung may hold past the first before the rollout stops with exit 3" }),
    outputDir: option({ flag: "output-dir", value: "DIR", parse: parseText, defaultText: "docs/reports/canary-<command>/<UTC stamp>", help: "where the evidence goes" }),
    push: option({ flag: "push", value: "BRANCH", parse: parseText, help: "commit the stack file and push it to BRANCH (CI); without it the commit stays local" }),
    noCommit: option<boolean>({ flag: "no-commit", help: "leave the stack file uncommitted" }),
    stage: option<boolean>({ flag: "stage", help: "rollout only: stop once the new revision is up at 0 % (the gate then runs on its own)" }),
    gated: option<boolean>({ flag: "gated", help: "rollout only: the 0 % gate already passed; a resume at 0 % goes to the first rung" }),
    to: option({ flag: "to", value: "REVISION", parse: parseText, defaultText: "controlStableRevision", help: "rollback only: the revision to serve 100 %" }),
    projectDir: option({ flag: "project-dir", value: "DIR", parse: parseText, defaultText: "the current directory", help: "the Pulumi project" }),
    plain: option<boolean>({ flag: "plain", help: "plain lines (also when CI is set or stdout is not a terminal)" }),
} satisfies OptionTable;

/** Values given to the rollout or the rollback (argv read, or a typed caller's own), each field named as its row. */
export type RolloutGiven = GivenValues<typeof ROLLOUT_OPTIONS>;

/** The rows only one of the two commands takes. */
const ROLLOUT_ONLY: ReadonlyArray<keyof typeof ROLLOUT_OPTIONS> = ["ladder", "stage", "gated"];
const ROLLBACK_ONLY: ReadonlyArray<keyof typeof ROLLOUT_OPTIONS> = ["to"];
/** The rows the rollback has no use for: a rollback neither climbs nor waits on a rung. */
const NOT_ROLLBACK: ReadonlyArray<keyof typeof ROLLOUT_OPTIONS> = [...ROLLOUT_ONLY, "windowMs", "maxHolds"];

/** The option lines of one command's --help, each default printed from its value. */
export function rolloutHelpLines(command: "rollout" | "rollback"): string[] {
    const skip = command === "rollout" ? ROLLBACK_ONLY : NOT_ROLLBACK;
    return (Object.entries(ROLLOUT_OPTIONS) as Array<[keyof typeof ROLLOUT_OPTIONS, OptionRow]>)
        .filter(([key]) => !skip.includes(key))
        .map(([, o]) => `${`  ${flagUsage(o)}`.padEnd(33)} ${describeOption(o)}`);
}

/** The CLI's way in: argv read with the table's flags, then resolved as values. */
export function resolveRolloutOptions(argv: readonly string[], command: "rollout" | "rollback", context: RolloutContext = {}): RolloutOptions {
    return rolloutOptionsFrom(givenFromArgv(ROLLOUT_OPTIONS, readArgv(ROLLOUT_OPTIONS, argv)), command, context);
}

export interface RolloutContext {
    env?: NodeJS.ProcessEnv;
    now?: Date;
    isTTY?: boolean;
    cwd?: string;
}

/** Resolves values: given > the table's defaults (these options have no env vars). Never reads argv. */
export function rolloutOptionsFrom(given: RolloutGiven, command: "rollout" | "rollback", context: RolloutContext = {}): RolloutOptions {
    const env = context.env ?? process.env;
    const environment = given.environment;
    if (environment === undefined) throw new UsageError("--environment: expected staging or prod");
    const values = resolveTable(ROLLOUT_OPTIONS, { given, env: {} });
    if (values.windowMs < CANARY_WINDOW.minMs || values.windowMs > CANARY_WINDOW.maxMs || values.windowMs % 1000 !== 0)
        throw new UsageError("--window: a window of whole seconds from 1m to 24h (e.g. 10m)");
    if (command === "rollout" && given.to !== undefined) throw new UsageError("--to is for `canary rollback`");
    if (command === "rollback" && (given.stage || given.gated || given.ladder !== undefined)) throw new UsageError("--stage, --gated and --ladder are for `canary rollout`");
    if (given.stage && given.gated) throw new UsageError("--stage and --gated contradict each other (stage first, gate, then --gated)");
    if (given.push !== undefined && given.noCommit) throw new UsageError("--push and --no-commit contradict each other");
    const stamp = utcStamp(context.now ?? new Date());
    return {
        environment,
        stackName: values.stackName ?? environment,
        projectDir: path.resolve(context.cwd ?? process.cwd(), values.projectDir ?? "."),
        ladder: values.ladder,
        windowMs: values.windowMs,
        maxHolds: values.maxHolds,
        outputDir: values.outputDir ?? path.join("docs", "reports", command === "rollout" ? "canary-rollout" : "canary-rollback", stamp),
        commit: values.noCommit !== true,
        push: values.push,
        plain: values.plain === true || !(context.isTTY ?? process.stdout.isTTY === true) || (env.CI ?? "") !== "",
        to: values.to,
        stage: values.stage === true,
        gated: values.gated === true,
    };
}

/** A whole number of windows, 0-999. */
function parseMaxHolds(text: string, what: string): number {
    if (!/^\d{1,3}$/.test(text)) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a whole number 0-999`);
    return Number(text);
}

/** "5,25,50,100": rising whole percents above 0, ending at 100. */
export function parseLadder(text: string): number[] {
    const parts = text.split(",").map((p) => p.trim());
    const rungs = parts.map(Number);
    const rising = rungs.every((p, i) => i === 0 || p > rungs[i - 1]);
    if (parts.some((p) => !/^\d{1,3}$/.test(p)) || rungs.some((p) => p <= 0 || p > 100) || !rising || rungs[rungs.length - 1] !== 100) {
        throw new UsageError(`--ladder: '${text.slice(0, 60)}' is not rising whole percents above 0 ending at 100 (e.g. 5,25,50,100)`);
    }
    return rungs;
}

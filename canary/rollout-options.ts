// The options of `canary rollout` and `canary rollback`: one-line usage errors naming the flag
// and the expected form. The thresholds and the window of each stage's analysis come from the
// analysis' own flags' env vars (CANARY_MIN_REQUESTS, ...): one owner for them.

import * as path from "node:path";
import { parseArgs } from "node:util";
import { CANARY_LADDER, CANARY_WINDOW, type Environment, isEnvironment } from "../catalog";
import { UsageError } from "../io/usage-error";
import { parseDuration, utcStamp } from "../io/option-values";

export interface RolloutOptions {
    environment: Environment;
    stackName: string;
    projectDir: string;
    /** The rungs after 0 %, ending at 100. */
    ladder: number[];
    windowMs: number;
    maxHolds: number;
    outputDir: string;
    /** Commit the stack file at the end (pushed to this branch with `push`). */
    commit: boolean;
    push?: string;
    plain: boolean;
    /** rollback only: the revision to serve 100 % (default: controlStableRevision). */
    to?: string;
    /** Stop once the new revision is up at 0 % (CI gates it in its own step). */
    stage: boolean;
    /** The 0 % gate already passed: a resume at 0 % goes straight to the first rung. */
    gated: boolean;
}

const FLAGS = {
    environment: { type: "string" },
    stack: { type: "string" },
    ladder: { type: "string" },
    window: { type: "string" },
    "max-holds": { type: "string" },
    "output-dir": { type: "string" },
    "project-dir": { type: "string" },
    push: { type: "string" },
    "no-commit": { type: "boolean" },
    to: { type: "string" },
    stage: { type: "boolean" },
    gated: { type: "boolean" },
    plain: { type: "boolean" },
} as const;

export const ROLLOUT_HELP = [
    "  --environment staging|prod      the environment whose control service rolls (required)",
    "  --stack NAME                    the Pulumi stack (default: the environment's name)",
    `  --ladder P,P,...                rungs after 0 %, rising, ending at 100 (default ${CANARY_LADDER.filter((p) => p > 0).join(",")})`,
    "  --window DURATION               a rung's window (default 10m): it looks every minute after 3 min of ingestion lag, and ends by (1 + --max-holds) windows plus their lag",
    "  --max-holds N                   windows a rung may hold past the first before the rollout stops with exit 3 (default 3)",
    "  --output-dir DIR                where the evidence goes (default docs/reports/canary-rollout/<UTC stamp>)",
    "  --push BRANCH                   commit the stack file and push it to BRANCH (CI); without it the commit stays local",
    "  --no-commit                     leave the stack file uncommitted",
    "  --stage                         rollout only: stop once the new revision is up at 0 % (the gate then runs on its own)",
    "  --gated                         rollout only: the 0 % gate already passed; a resume at 0 % goes to the first rung",
    "  --to REVISION                   rollback only: the revision to serve 100 % (default controlStableRevision)",
    "  --project-dir DIR               the Pulumi project (default: the current directory)",
    "  --plain                         plain lines (also when CI is set or stdout is not a terminal)",
];

export function resolveRolloutOptions(argv: readonly string[], command: "rollout" | "rollback", context: { env?: NodeJS.ProcessEnv; now?: Date; isTTY?: boolean; cwd?: string } = {}): RolloutOptions {
    let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]["type"] extends "boolean" ? boolean : string };
    try {
        values = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
    } catch (error) {
        // node:util's message names the option; one line of it.
        throw new UsageError(`${(error as Error).message.split("\n")[0].slice(0, 200)} (see --help)`);
    }
    const env = context.env ?? process.env;
    const environment = values.environment;
    if (!isEnvironment(environment)) throw new UsageError(`--environment: expected staging or prod${environment ? `, got '${environment.slice(0, 40)}'` : ""}`);
    const ladder = values.ladder === undefined ? CANARY_LADDER.filter((p) => p > 0).map(Number) : parseLadder(values.ladder);
    const windowMs = values.window === undefined ? CANARY_WINDOW.defaultMs : parseDuration(values.window, "--window");
    if (windowMs < CANARY_WINDOW.minMs || windowMs > CANARY_WINDOW.maxMs || windowMs % 1000 !== 0) throw new UsageError("--window: a window of whole seconds from 1m to 24h (e.g. 10m)");
    const maxHoldsText = values["max-holds"] ?? "3";
    if (!/^\d{1,3}$/.test(maxHoldsText)) throw new UsageError(`--max-holds: '${maxHoldsText.slice(0, 40)}' is not a whole number 0-999`);
    if (command === "rollout" && values.to !== undefined) throw new UsageError("--to is for `canary rollback`");
    if (command === "rollback" && (values.stage || values.gated || values.ladder !== undefined)) throw new UsageError("--stage, --gated and --ladder are for `canary rollout`");
    if (values.stage && values.gated) throw new UsageError("--stage and --gated contradict each other (stage first, gate, then --gated)");
    if (values.push !== undefined && values["no-commit"]) throw new UsageError("--push and --no-commit contradict each other");
    const stamp = utcStamp(context.now ?? new Date());
    return {
        environment,
        stackName: values.stack ?? environment,
        projectDir: path.resolve(context.cwd ?? process.cwd(), values["project-dir"] ?? "."),
        ladder,
        windowMs,
        maxHolds: Number(maxHoldsText),
        outputDir: values["output-dir"] ?? path.join("docs", "reports", command === "rollout" ? "canary-rollout" : "canary-rollback", stamp),
        commit: !values["no-commit"],
        push: values.push,
        plain: values.plain === true || !(context.isTTY ?? process.stdout.isTTY === true) || (env.CI ?? "") !== "",
        to: values.to,
        stage: values.stage === true,
        gated: values.gated === true,
    };
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

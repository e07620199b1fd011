// `npm run review`: the offline review. Runs the Pulumi program for each stack under the mock
// runtime (no cloud, no Pulumi CLI) and prints the plan a reviewer reads.
// Exit: 0 reviewed, 2 config or usage error.

import { parseArgs } from "node:util";
import { recordStack, StackPlan } from "./plan";
import { planToJson, renderPlan } from "./render";
import { StackFileError, stackNames } from "./stack-files";

const USAGE = `Usage: npm run review -- [options]

Runs the Pulumi program for each stack with no cloud and no Pulumi CLI and prints the plan.

Options:
  --stack NAME       staging or prod; repeat for several (default: every Pulumi.<stack>.yaml)
  --set KEY=VALUE    override a stack config value for a what-if (KEY as in the stack file,
                     e.g. controlCanaryPercent=25 or gcp:region=europe-west1); repeatable
  --preview          leave computed values (URLs, account emails) unknown, as a first preview does
  --json             print the plan as JSON on stdout (per stack: every resource's type, name, inputs)
  -h, --help         this text

Exit codes: 0 reviewed, 2 config or usage error.`;

export class UsageError extends Error {}

export interface ReviewArgs {
    stacks: string[];
    overrides: Record<string, string>;
    preview: boolean;
    json: boolean;
    help: boolean;
}

export function parseReviewArgs(argv: string[]): ReviewArgs {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", multiple: true },
                set: { type: "string", multiple: true },
                preview: { type: "boolean", default: false },
                json: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const known = stackNames();
    const stacks = values.stack ?? known;
    for (const s of stacks) if (!known.includes(s)) throw new UsageError(`--stack ${s}: expected one of ${known.join(", ")}`);
    const overrides: Record<string, string> = {};
    for (const item of values.set ?? []) {
        const eq = item.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${item}: expected KEY=VALUE`);
        overrides[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return { stacks, overrides, preview: values.preview ?? false, json: values.json ?? false, help: values.help ?? false };
}

/** Config problems a person fixes in a stack file: one line, exit 2, no stack trace. */
function isConfigProblem(err: unknown): err is Error {
    return err instanceof StackFileError || (err instanceof Error && err.name === "ConfigError");
}

export async function main(argv: string[]): Promise<number> {
    let args: ReviewArgs;
    try {
        args = parseReviewArgs(argv);
    } catch (err) {
        process.stderr.write(`review: ${(err as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (args.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const plans: StackPlan[] = [];
    for (const stack of args.stacks) {
        try {
            plans.push(await recordStack(stack, { overrides: args.overrides, preview: args.preview }));
        } catch (err) {
            if (!isConfigProblem(err)) throw err;
            process.stderr.write(`review: stack ${stack}: ${err.message}\n`);
            return 2;
        }
    }
    if (args.json) {
        process.stdout.write(`${JSON.stringify({ stacks: plans.map(planToJson) }, null, 2)}\n`);
    } else {
        for (const plan of plans) process.stdout.write(`${renderPlan(plan)}\n\n`);
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`review: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(1);
        },
    );
}

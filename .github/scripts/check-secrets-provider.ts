// Before any pulumi command in CI: each named stack file carries the secrets provider and data key
// CI decrypts with (catalog/stack-secrets.ts). One line per stack file that lacks them, exit 1;
// otherwise one line saying which provider decrypts, exit 0.
// Usage: node -r sucrase/register/ts .github/scripts/check-secrets-provider.ts STACK [STACK...]
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { STACK_SECRETS_PROVIDER, stackSecretsProblem } from "../../catalog/stack-secrets";

export function checkStacks(stacks: readonly string[], dir: string): { problems: string[]; ok: string[] } {
    const problems: string[] = [];
    const ok: string[] = [];
    for (const stack of stacks) {
        const file = `Pulumi.${stack}.yaml`;
        let text: string;
        try {
            text = readFileSync(path.join(dir, file), "utf8");
        } catch {
            problems.push(`${file}: missing, so stack ${stack} has no config and no secrets provider`);
            continue;
        }
        const problem = stackSecretsProblem(file, stack, text);
        if (problem) problems.push(problem);
        else ok.push(file);
    }
    return { problems, ok };
}

if (require.main === module) {
    const stacks = process.argv.slice(2);
    if (stacks.length === 0) {
        process.stderr.write("usage: check-secrets-provider.ts STACK [STACK...]\n");
        process.exit(2);
    }
    const { problems, ok } = checkStacks(stacks, path.resolve(__dirname, "..", ".."));
    for (const line of problems) process.stderr.write(`::error::${line}\n`);
    if (ok.length > 0) process.stdout.write(`${ok.join(", ")}: secrets decrypted with ${STACK_SECRETS_PROVIDER}\n`);
    process.exit(problems.length > 0 ? 1 : 0);
}

// The OpenAgents commit a stack deploys: its runtime image's tag, which the image build sets to
// the commit's short SHA (`gcloud builds submit --substitutions _TAG=<short sha>`). The contract
// tests run at that commit, never at a moving branch. One line on stdout; a tag that is not a
// commit (a sha256 digest, a name) is one line on stderr and exit 1.
// Usage: node -r sucrase/register/ts .github/scripts/deployed-commit.ts STACK
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";

const KEY = "openagents-rust-lanes:runtimeImageTag";

export function deployedCommit(stack: string, text: string): { commit?: string; problem?: string } {
    const config = (parseDocument(text).toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
    const tag = config[KEY];
    if (typeof tag !== "string" || tag === "") return { problem: `Pulumi.${stack}.yaml: no ${KEY}, so no OpenAgents commit to run the contract tests at` };
    if (!/^[0-9a-f]{7,40}$/.test(tag))
        return { problem: `Pulumi.${stack}.yaml: ${KEY} ${tag} is not a commit SHA, so the contract tests cannot run at the deployed commit: deploy an image tagged with its commit` };
    return { commit: tag };
}

if (require.main === module) {
    const stack = process.argv[2] ?? "";
    const result = deployedCommit(stack, readFileSync(path.resolve(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8"));
    if (result.problem) {
        process.stderr.write(`::error::${result.problem}\n`);
        process.exit(1);
    }
    process.stdout.write(`${result.commit}\n`);
}

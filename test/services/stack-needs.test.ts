// The stacks against what the services need (catalog/service-needs.ts, from their source at
// c41c3629): a stack file whose control env gives WORKOS_API_KEY without WORKOS_CLIENT_ID and
// OA_ROUTE_SPLIT_ENABLED=false with no legacy base URL is refused by the review, in one line
// naming each key, for breaking sign-in and the pages; the stack files in this checkout pass it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../review/cli";
import { PROJECT_DIR } from "../../review/stack-files";

const STACKS = ["staging", "prod"] as const;

/** The stack file with the control env that breaks sign-in and pages (only the WorkOS client id and the route split differ). */
function broken(stack: (typeof STACKS)[number]): string {
    const now = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
    const suffix = stack === "prod" ? "" : "-staging";
    const start = now.indexOf("  # WorkOS sign-in needs both keys");
    const end = now.indexOf("  openagents-rust-lanes:controlEnv: []\n");
    assert.ok(start > 0 && end > start, "the fixed block is where this test expects it");
    return (
        now.slice(0, start) +
        "  openagents-rust-lanes:controlSecretEnv:\n" +
        `    - WORKOS_API_KEY=openagents-control-workos-api-key${suffix}\n` +
        "  openagents-rust-lanes:controlEnv:\n" +
        "    - OA_ROUTE_SPLIT_ENABLED=false\n" +
        now.slice(end + "  openagents-rust-lanes:controlEnv: []\n".length)
    );
}

async function review(stack: string, content?: string): Promise<{ code: number; err: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-needs-"));
    try {
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.mkdirSync(path.join(dir, ".github", "policy-config"), { recursive: true });
        for (const s of STACKS) {
            fs.writeFileSync(path.join(dir, `Pulumi.${s}.yaml`), s === stack && content !== undefined ? content : fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${s}.yaml`)));
            fs.copyFileSync(path.join(PROJECT_DIR, ".github", "policy-config", `${s}.json`), path.join(dir, ".github", "policy-config", `${s}.json`));
        }
        const err: string[] = [];
        const code = await run(["--stack", stack, "--no-base"], { out: () => undefined, err: (t) => err.push(t), stackDir: dir });
        return { code, err: err.join("") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("the stacks give the services what they need", function () {
    this.timeout(60_000);
    for (const stack of STACKS) {
        it(`refuses a ${stack} stack with the API key alone and the route split off: sign-in and every page but / and /chat answer 503`, async () => {
            const { code, err } = await review(stack, broken(stack));
            assert.equal(code, 2, err);
            assert.match(
                err,
                /openagents-rust-lanes:controlSecretEnv: expected WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager \(auth mode workos without WORKOS_CLIENT_ID: every sign-in answers 503/,
            );
            assert.match(
                err,
                /openagents-rust-lanes:controlEnv: expected a route split that serves every page \(OA_ROUTE_SPLIT_ENABLED=false sends pages to the legacy target; with no OA_ROUTE_SPLIT_LEGACY_BASE_URL every page but \/ and \/chat answers 503\)/,
            );
            assert.equal(err.trim().split("\n").length, 1, "one line");
        });

        it(`passes the ${stack} stack as it is`, async () => {
            const { code, err } = await review(stack);
            assert.equal(code, 0, err);
        });
    }
});

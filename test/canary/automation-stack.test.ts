// The Automation API adapter as far as it runs without the Pulumi CLI: a stand-in `pulumi` on
// PATH records the commands the SDK sends for each call (select, config, up with the policy
// pack and the stack's policy config, outputs), answers like the CLI, and can fail an `up`; and
// with no CLI at all the adapter says so in one line.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackError, automationStack } from "../../canary/stack";

const REPO = path.resolve(__dirname, "..", "..");

function fakePulumi(dir: string, upFails?: string): string {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    const calls = path.join(dir, "calls");
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        `#!/bin/sh
echo "$*" >> ${calls}
case "$*" in
  version*) echo "v3.276.0" ;;
  up*) ${upFails ? `echo '${upFails}' >&2; exit 255` : ":"} ;;
  *"stack history"*) echo '[{"kind":"update","startTime":"2026-12-01T00:00:00Z","message":"m","environment":{},"config":{},"result":"succeeded","endTime":"2026-12-01T00:00:01Z","resourceChanges":{"update":1,"same":11}}]' ;;
  *"stack output"*) echo '{"controlRevision":"openagents-control-service-9e8d7c6-a1b2c3","controlCanaryPercent":5}' ;;
  config\\ --show-secrets*) echo '{"openagents-rust-lanes:controlCanaryPercent":{"value":"5","secret":false}}' ;;
esac
exit 0
`,
        { mode: 0o755 },
    );
    return bin;
}

describe("canary stack: the Automation API adapter", function () {
    this.timeout(30_000);
    let dir: string;
    let savedPath: string | undefined;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        savedPath = process.env.PATH;
    });
    afterEach(() => {
        process.env.PATH = savedPath;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const calls = (): string[] => fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");

    it("selects the stack, reads and sets this project's config, runs up with the pack and the stack's policy config, reads the outputs", async () => {
        process.env.PATH = `${fakePulumi(dir)}${path.delimiter}${savedPath}`;
        const stack = await automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" });
        assert.equal(await stack.getConfig("controlCanaryPercent"), "5");
        await stack.setConfig("controlCanaryPercent", "25");
        const up = await stack.up({});
        assert.deepEqual({ result: up.result, changes: up.changes }, { result: "succeeded", changes: { update: 1, same: 11 } });
        assert.equal((await stack.outputs()).controlRevision, "openagents-control-service-9e8d7c6-a1b2c3");
        assert.equal(stack.stackFile, path.join(REPO, "Pulumi.prod.yaml"));
        const sent = calls();
        assert.ok(sent.includes("stack select --stack prod --non-interactive"), sent.join("\n"));
        assert.ok(sent.includes("config set controlCanaryPercent --stack prod --plaintext --non-interactive -- 25"));
        const upCall = sent.find((c) => c.startsWith("up "));
        assert.ok(upCall, "an up was sent");
        assert.match(upCall, /--yes --skip-preview/);
        assert.ok(upCall.includes(`--policy-pack ${path.join(REPO, "policies")}`));
        assert.ok(upCall.includes(`--policy-pack-config ${path.join(REPO, ".github", "policy-config", "prod.json")}`));
        assert.match(upCall, /--stack prod/);
    });

    it("a failed up is a StackError of its kind, with the CLI's error line", async () => {
        process.env.PATH = `${fakePulumi(dir, "error: preview failed: 1 mandatory policy violation: canary-ladder")}${path.delimiter}${savedPath}`;
        const stack = await automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" });
        await assert.rejects(stack.up({}), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "policy");
            assert.match(error.message, /^pulumi up failed: .*mandatory policy violation: canary-ladder/);
            return true;
        });
    });

    it("without the Pulumi CLI: one line that says what to install", async () => {
        process.env.PATH = path.join(dir, "empty");
        await assert.rejects(automationStack({ projectDir: REPO, stackName: "prod", environment: "prod" }), (error: unknown) => {
            assert.ok(error instanceof StackError);
            assert.equal(error.kind, "cli-missing");
            assert.match(error.message, /^the Pulumi CLI is not on PATH: install it/);
            assert.ok(!error.message.includes("\n"));
            return true;
        });
    });
});

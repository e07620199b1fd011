// Config keys nobody reads: an undeclared key in the project's namespace is refused by the
// program (so `pulumi preview`/`up` fail too) and by the review, naming the closest declared key.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordStack } from "../../review/plan";
import { run } from "../../review/cli";
import { PROJECT_DIR } from "../../review/stack-files";

async function review(argv: string[], stackDir?: string): Promise<{ code: number; err: string }> {
    const err: string[] = [];
    const code = await run(argv, { out: () => undefined, err: (t) => err.push(t), stackDir });
    return { code, err: err.join("") };
}

describe("undeclared config keys", () => {
    it("are refused by the program under the mock runtime, with the closest declared key", async () => {
        await assert.rejects(
            recordStack("prod", { overrides: { controlCanaryPrecent: "5" } }),
            (e: Error) =>
                e.name === "ConfigError" &&
                e.message === "openagents-rust-lanes:controlCanaryPrecent: expected a key Pulumi.yaml declares (did you mean controlCanaryPercent?); nothing reads this one",
        );
    });

    it("are refused by the review from --set (exit 2, one line), with no suggestion when nothing is close", async () => {
        const typo = await review(["--stack", "prod", "--set", "controlCanaryPrecent=5"]);
        assert.equal(typo.code, 2);
        assert.equal(typo.err, "review: stack prod: openagents-rust-lanes:controlCanaryPrecent: expected a key Pulumi.yaml declares (did you mean controlCanaryPercent?); nothing reads this one\n");
        const far = await review(["--stack", "staging", "--set", "frobnicate=1"]);
        assert.equal(far.err, "review: stack staging: openagents-rust-lanes:frobnicate: expected a key Pulumi.yaml declares; nothing reads this one\n");
    });

    it("are refused from a stack file too, and keys of other namespaces are left to their owners", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-keys-"));
        try {
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const staging = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), `${staging}  openagents-rust-lanes:runtimeMaxInstance: 3\n`);
            const typo = await review(["--stack", "staging"], dir);
            assert.equal(typo.code, 2);
            assert.match(typo.err, /runtimeMaxInstance: expected a key Pulumi.yaml declares \(did you mean runtimeMaxInstances\?\)/);
            fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), `${staging}  gcp:zone: us-central1-a\n  pulumi:template: x\n`);
            assert.equal((await review(["--stack", "staging"], dir)).code, 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a stack that leaves controlCanaryPercent unstated (no default: a stable revision never goes with an unstated 100)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-keys-"));
        try {
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const prod = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace(/^  openagents-rust-lanes:controlCanaryPercent: .*\n/m, "");
            fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prod);
            const r = await review(["--stack", "prod", "--set", "controlStableRevision=openagents-control-service-3f9c2ab-abc123"], dir);
            assert.equal(r.code, 2);
            assert.equal(r.err, "review: stack prod: openagents-rust-lanes:controlCanaryPercent: expected an integer from 0 to 100 (required)\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses gcp provider settings that send the deployer's requests elsewhere or as another identity, in the file and from --set", async () => {
        // A custom endpoint receives every request of its API with the deploy account's token;
        // credentials, an access token or impersonation change who the deploy acts as. The value is
        // never echoed: an access token would land in the log.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-keys-"));
        try {
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const prod = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), `${prod}  gcp:cloudRunV2CustomEndpoint: https://run.example.net/v2/\n`);
            const endpoint = await review(["--stack", "prod"], dir);
            assert.equal(endpoint.code, 2);
            assert.equal(
                endpoint.err,
                "review: stack prod: gcp:cloudRunV2CustomEndpoint: expected no provider setting that changes where the deploy sends its requests or as whom (it sends the deployer's token to another endpoint): set only gcp:project, gcp:region and gcp:zone\n",
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        for (const [key, value] of [
            ["gcp:impersonateServiceAccount", "oa-admin@openagentsgemini.iam.gserviceaccount.com"],
            ["gcp:accessToken", "ya29.x"],
            ["gcp:credentials", "/tmp/key.json"],
            ["gcp:universeDomain", "example.net"],
            ["gcp:secretManagerCustomEndpoint", "https://sm.example.net/v1/"],
        ]) {
            const r = await review(["--stack", "staging", "--set", `${key}=${value}`]);
            assert.equal(r.code, 2, key);
            assert.match(r.err, new RegExp(`^review: stack staging: ${key}: expected no provider setting that changes where the deploy sends its requests or as whom`), key);
        }
        assert.equal((await review(["--stack", "staging", "--set", "gcp:zone=us-central1-a"])).code, 0);
    });

    it("refuses no valid stack file of the repository", async () => {
        for (const stack of ["staging", "prod"]) assert.equal((await review(["--stack", stack])).code, 0, stack);
    });
});

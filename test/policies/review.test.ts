// The pack on the real stacks (the program run under the mock runtime by review/plan.ts) and
// in `npm run review`: verdicts after the plan, exit 0/1/2, --policy-config, --json.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordStack } from "../../review/plan";
import { runPolicies } from "../../policies/offline/runner";
import { TYPES } from "../../policies/lib/resources";
import { review, reviewInProcess } from "../review/run-review";

function tempJson(value: unknown): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "config.json");
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
}

describe("the policy pack on the real stacks", () => {
    for (const stack of ["staging", "prod"] as const) {
        for (const preview of [false, true]) {
            it(`passes the ${stack} stack${preview ? " in a preview (computed values unknown)" : ""} with zero verdicts`, async () => {
                const plan = await recordStack(stack, { preview });
                const result = await runPolicies(plan);
                assert.deepEqual(result.verdicts, []);
                assert.ok(
                    plan.resources.some((r) => r.type === TYPES.serviceV2),
                    "the plan has Cloud Run services",
                );
            });
        }
    }

    it("accepts the program's own revision when the image tag holds a legacy word (--set controlImageTag=drop-laravel-1)", async () => {
        const plan = await recordStack("staging", { overrides: { controlImageTag: "drop-laravel-1" } });
        const control = plan.resources.find((r) => r.type === TYPES.serviceV2 && r.inputs.name === "openagents-control-service-staging");
        const revision = (control?.inputs.template as { revision?: unknown } | undefined)?.revision;
        assert.match(String(revision), /^openagents-control-service-staging-drop-laravel-1-[0-9a-f]+$/, "the revision carries the tag");
        assert.deepEqual((await runPolicies(plan)).verdicts, []);
    });

    it("rejects a control service named openagents-web even if a program let it through", async () => {
        const plan = await recordStack("prod");
        const control = plan.resources.find((r) => r.type === TYPES.serviceV2 && r.inputs.name === "openagents-control-service");
        assert.ok(control, "the prod plan declares the control service");
        control.inputs = { ...control.inputs, name: "openagents-web" };
        const result = await runPolicies(plan);
        const mine = result.verdicts.filter((v) => v.urn === control.urn && v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`);
        assert.deepEqual(mine, [
            "no-legacy-targets: service 'openagents-web' is a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
            "canonical-lane-names: service 'openagents-web' is not a canonical prod lane (allowed: openagents-control-service, runtime)",
        ]);
        assert.ok(result.mandatory >= 2);
    });
});

describe("npm run review with the policy pack", function () {
    this.timeout(60_000);

    it("prints each stack's verdicts after its plan and exits 0 when nothing mandatory is violated", async () => {
        const r = await reviewInProcess("--stack", "staging");
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Policy verdicts \(staging\): 0 mandatory, 0 advisory\n {2}none/);
    });

    it("exits 1 on a mandatory violation, listing level, policy, resource and message", () => {
        const config = tempJson({ "canonical-lane-names": { environment: "staging" } });
        const r = review("--stack", "prod", "--policy-config", config);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /Policy verdicts \(prod\): 4 mandatory, 0 advisory/);
        assert.match(r.stdout, /\n {2}mandatory canonical-lane-names +runtime-migrate: job 'runtime-migrate' is not a canonical staging lane \(allowed: runtime-migrate-staging\)/);
    });

    it("lets the policy config demote a policy to advisory (exit 0) and puts verdicts in --json", async () => {
        const config = tempJson({ "canonical-lane-names": { enforcementLevel: "advisory", environment: "staging" } });
        const r = await reviewInProcess("--stack", "prod", "--json", "--policy-config", config);
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as {
            stacks: { stack: string; policy: { mandatory: number; advisory: number; verdicts: { policy: string; level: string; resource: string; message: string }[] } }[];
        };
        assert.equal(doc.stacks[0].policy.mandatory, 0);
        assert.equal(doc.stacks[0].policy.advisory, 4);
        assert.deepEqual(Object.keys(doc.stacks[0].policy.verdicts[0]).sort(), ["description", "level", "message", "policy", "resource", "severity", "type", "urn"]);
    });

    it("exits 3 when the review itself crashes, distinct from a mandatory violation (1)", () => {
        // A preload that breaks stdout: the review runs fully, then fails writing its report.
        const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "review-crash-")), "break-stdout.js");
        fs.writeFileSync(preload, 'process.stdout.write = () => { throw new Error("simulated crash: stdout is gone"); };\n');
        const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", "-r", preload, "review/cli.ts", "--stack", "staging", "--no-base"], {
            cwd: path.resolve(__dirname, "../.."),
            encoding: "utf8",
            env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
            timeout: 60_000,
        });
        assert.equal(r.status, 3, r.stderr);
        assert.match(r.stderr, /^review: Error: simulated crash: stdout is gone/);
    });

    it("exits 2 on a policy config the CLI would refuse", async () => {
        const bad = review("--stack", "prod", "--policy-config", tempJson({ "canary-ladder": { ladder: [0, 120] } }));
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /canary-ladder: ladder\.1: Must be less than or equal to 100/);
        assert.equal((await reviewInProcess("--policy-config", path.join(os.tmpdir(), "no-such-policy-config.json"), "--no-base")).code, 2);
        assert.equal((await reviewInProcess("--policy-config", tempJson({ "lane-labels": "strict" }), "--no-base")).code, 2);
    });
});

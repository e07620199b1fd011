// The gates a rollout and a rollback run judge what serves: they run without OPENAGENTS_REPO (the
// contract tests run in a job of their own at the image's commit, with no credentials) and never
// start cargo, so a rollback's gate is not a cold build under a check timeout, and the rollout's
// post-rollback gate is not a required skip (NO-GO).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTRACT_CHECK_IDS, environmentGate, servingCheckIds } from "../../canary/rollout-deps";
import { resolveRolloutOptions } from "../../canary/rollout-options";
import { selectChecks } from "../../validation/checks";
import { noIdTokenSource } from "../../validation/id-token";
import { cleanEnv } from "../validation/fixtures/cli";
import { healthyEnvironment } from "../validation/fixtures/healthy";
import { prodOutputsOf } from "./stand-in";

describe("canary: the rollout's and the rollback's gate", function () {
    this.timeout(30_000);

    it("selects every check of its environment but the contract tests", () => {
        for (const environment of ["staging", "prod"] as const) {
            const all = selectChecks({ environment, only: undefined }).map((e) => e.id as string);
            assert.deepEqual([...servingCheckIds(environment), ...CONTRACT_CHECK_IDS].sort(), all.sort());
        }
    });

    it("is GO on a healthy environment without OPENAGENTS_REPO, and runs no cargo", async () => {
        const h = await healthyEnvironment();
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-gate-"));
        const bin = path.join(out, "bin");
        fs.mkdirSync(bin);
        // A cargo that leaves a mark: the gate must never start it.
        fs.writeFileSync(path.join(bin, "cargo"), `#!/bin/sh\ntouch ${path.join(out, "cargo-ran")}\nexit 1\n`, { mode: 0o755 });
        try {
            const {
                PROD_CONTROL_BASE_URL: _c,
                PROD_RUNTIME_BASE_URL: _r,
                STAGING_CONTROL_BASE_URL: _sc,
                STAGING_RUNTIME_BASE_URL: _sr,
                OPENAGENTS_REPO: _o,
                ...rest
            } = h.env({ RUN_KHALA_CONTRACT_TESTS: "1" });
            const env = cleanEnv({ ...rest, PATH: `${bin}${path.delimiter}${process.env.PATH}` });
            const o = resolveRolloutOptions(["--environment", "prod", "--output-dir", out, "--plain"], "rollback", { env: {} });
            const gate = environmentGate(o, env, { write: () => undefined, interrupt: new AbortController().signal, gateIo: { idTokens: noIdTokenSource } });
            const outputs = prodOutputsOf(h);
            const result = await gate(outputs, path.join(out, "gate"));
            assert.equal(result.go, true, result.summary);
            assert.doesNotMatch(result.summary, /skipped; |khala/);
            assert.ok(!fs.existsSync(path.join(out, "cargo-ran")), "cargo was started");
            const evidence = JSON.parse(fs.readFileSync(path.join(out, "gate", "results.json"), "utf8")) as { checks?: Array<{ id: string }> };
            const ids = (evidence.checks ?? []).map((c) => c.id);
            for (const id of CONTRACT_CHECK_IDS) assert.ok(!ids.includes(id), `${id} is part of the rollout's gate`);
        } finally {
            await h.close();
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

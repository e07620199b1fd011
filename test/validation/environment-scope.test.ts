// `--environment ENV`: gating one environment after its deploy. The other environment's HTTP
// checks are not part of the run (so a staging deploy is not NO-GO for prod's unset runtime URL),
// and the state checks inspect the gated environment's services.

import * as assert from "node:assert/strict";
import { CHECK_IDS, selectChecks } from "../../validation/checks";
import { UsageError } from "../../io/usage-error";
import { resolveOptions } from "../../validation/options";
import { cleanEnv, runCli } from "./fixtures/cli";

const resolve = (argv: string[], env: NodeJS.ProcessEnv = {}) => resolveOptions(argv, { env: { PATH: "/nonexistent", ...env }, isTTY: false });

describe("validation --environment", () => {
    it("runs the gated environment's HTTP checks and every environment-neutral check, in matrix order", () => {
        const ids = selectChecks(resolve(["--environment", "staging"])).map((e) => e.id);
        assert.deepEqual(ids, [
            "control-staging-health",
            "control-staging-smoke",
            "runtime-staging-smoke",
            "runtime-migration-drift",
            "khala-contract-tests",
            "cross-surface-contract-harness",
            "control-error-log-probe",
            "runtime-error-log-probe",
            "control-canary-status",
        ]);
        assert.ok(selectChecks(resolve(["--environment", "prod"])).every((e) => !e.id.includes("staging")));
        assert.equal(selectChecks(resolve([])).length, CHECK_IDS.length, "without it, the old gate's full matrix");
    });

    it("points the state checks at the gated environment's canonical names when no outputs say otherwise", () => {
        const o = resolve([], { GATE_ENVIRONMENT: "staging" });
        assert.equal(o.environment, "staging");
        assert.deepEqual([o.controlService, o.runtimeService, o.migrateJob], ["openagents-control-service-staging", "runtime-staging", "runtime-migrate-staging"]);
        const explicit = resolve(["--environment", "staging"], { RUNTIME_SERVICE: "runtime-canary" });
        assert.equal(explicit.runtimeService, "runtime-canary", "env still beats the default");
    });

    it("combines with --only as an intersection", () => {
        assert.deepEqual(
            selectChecks(resolve(["--environment", "prod", "--only", "control-prod-health,control-staging-health"])).map((e) => e.id),
            ["control-prod-health"],
        );
    });

    it("refuses an unknown environment", () => {
        assert.throws(
            () => resolve(["--environment", "qa"]),
            (e: unknown) => e instanceof UsageError && /--environment: expected staging or prod, got 'qa'/.test(e.message),
        );
    });

    it("exits 2 when --only and --environment leave nothing to check (an empty run is no GO)", async () => {
        const r = await runCli(["--environment", "staging", "--only", "control-prod-health"], cleanEnv());
        assert.equal(r.code, 2);
        assert.match(r.stderr, /selects no check of --environment staging/);
    });
});

// The gate runs its checks concurrently: against local servers that answer every request after
// 200 ms, the six HTTP checks' wall time should be close to the slowest single check, not the
// sum of all of them (the old gate ran them one after another).
import { controlContract, runtimeContract } from "../test/validation/fixtures/contracts";
import { type TestServer, closeAll, delayed, serve } from "../test/validation/fixtures/server";
import { runGate } from "../validation/gate";
import { resolveOptions } from "../validation/options";
import type { Bench } from "./figure";

const DELAY_MS = 200;
const RUNS = 3;
const HTTP_CHECKS = "control-staging-health,control-staging-smoke,control-prod-health,control-prod-smoke,runtime-staging-smoke,runtime-prod-smoke";

const bench: Bench = async () => {
    const servers: TestServer[] = [];
    try {
        const control = await serve(delayed(controlContract(), DELAY_MS));
        const runtime = await serve(delayed(runtimeContract(), DELAY_MS));
        servers.push(control, runtime);
        const options = resolveOptions(["--only", HTTP_CHECKS, "--plain"], {
            env: {
                STAGING_CONTROL_BASE_URL: control.url,
                PROD_CONTROL_BASE_URL: control.url,
                STAGING_RUNTIME_BASE_URL: runtime.url,
                PROD_RUNTIME_BASE_URL: runtime.url,
                METADATA_SERVER_DETECTION: "none",
            },
            isTTY: false,
        });
        let wall = Infinity;
        let sum = 0;
        let slowest = 0;
        for (let i = 0; i < RUNS; i++) {
            const started = performance.now();
            const run = await runGate(options, { write: () => undefined, noEvidence: true, idTokens: () => Promise.resolve({ note: "bench: no token" }) });
            const elapsed = performance.now() - started;
            if (!run.decision.go) throw new Error(`bench run was not GO: ${run.outcome.results.map((r) => `${r.id} ${r.status} ${r.cause ?? ""}`).join("; ")}`);
            // Keep the fastest run and the check durations of that run.
            if (elapsed < wall) {
                wall = elapsed;
                sum = run.outcome.results.reduce((s, r) => s + r.durationMs, 0);
                slowest = Math.max(...run.outcome.results.map((r) => r.durationMs));
            }
        }
        return [
            { name: `gate wall time, 6 HTTP checks, every answer after ${DELAY_MS} ms`, measured: wall, baselineLabel: "sum of the checks' durations (one after another, as the old gate ran)", baseline: sum, unit: "ms", goalRatio: 0.5 },
            { name: "gate wall time against its slowest single check", measured: wall, baselineLabel: "slowest single check", baseline: slowest, unit: "ms", goalRatio: 1.2 },
        ];
    } finally {
        await closeAll(servers);
    }
};

export default bench;

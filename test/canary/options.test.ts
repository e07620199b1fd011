// canary analyze's options: flags beat env beat stack outputs; no canary to judge, bad values
// and unsafe API URLs are one-line usage errors naming the flag.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveAnalyzeOptions } from "../../canary/options";
import { UsageError } from "../../io/usage-error";

describe("canary analyze options", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "canary-opts-")), "prod.json");
    fs.writeFileSync(
        file,
        JSON.stringify({
            environment: "prod",
            controlRevision: "svc-new-1",
            controlStableRevision: "svc-old-1",
            controlCanaryPercent: 25,
            controlServiceName: "svc",
            project: "p1",
            region: "europe-west1",
        }),
    );
    const base = ["--environment", "prod", "--outputs", `prod=${file}`];
    const usage = (argv: string[], env: NodeJS.ProcessEnv, pattern: RegExp): void =>
        assert.throws(
            () => resolveAnalyzeOptions(argv, { env }),
            (e: unknown) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes("\n"),
        );

    it("takes targets from the outputs, env over outputs, flags over env", () => {
        const o = resolveAnalyzeOptions(base, { env: {} });
        assert.deepEqual([o.service, o.project, o.region, o.canaryRevision, o.stableRevision, o.canaryPercent], ["svc", "p1", "europe-west1", "svc-new-1", "svc-old-1", 25]);
        assert.equal(o.thresholds.maxErrorRate, 0.01);
        assert.equal(o.windowMs, 600_000);
        const env = { CANARY_REVISION: "svc-env-2", CANARY_MAX_ERROR_RATE: "2%" };
        assert.equal(resolveAnalyzeOptions(base, { env }).canaryRevision, "svc-env-2");
        const flagged = resolveAnalyzeOptions([...base, "--canary-revision", "svc-flag-3", "--max-error-rate", "0.5%", "--window", "15m", "--min-requests", "300", "--max-latency-ratio", "1.5"], {
            env,
        });
        assert.equal(flagged.canaryRevision, "svc-flag-3");
        assert.equal(flagged.thresholds.maxErrorRate, 0.005);
        assert.equal(flagged.thresholds.errorRateCeiling, 0.01);
        assert.deepEqual([flagged.windowMs, flagged.thresholds.minRequests, flagged.thresholds.maxLatencyRatio], [900_000, 300, 1.5]);
    });

    it("refuses a split with no canary to judge", () => {
        usage([...base, "--canary-percent", "100"], {}, /no canary to judge: the split is 100 %/);
        usage([...base, "--canary-percent", "0"], {}, /no canary to judge/);
        usage([...base, "--stable-revision", "svc-new-1"], {}, /both svc-new-1/);
        usage(["--environment", "prod", "--canary-revision", "a-1", "--canary-percent", "5"], {}, /no stable revision/);
        usage(["--environment", "staging", "--outputs", `prod=${file}`], {}, /prod's, not staging's/);
        usage([], {}, /--environment: expected staging or prod/);
    });

    it("names the flag or variable and the form on a bad value", () => {
        usage([...base, "--window", "30s"], {}, /--window: a window of whole seconds from 1m to 24h/);
        usage([...base, "--min-requests", "0"], {}, /--min-requests: '0' is not a positive whole number/);
        usage(base, { CANARY_MAX_LATENCY_RATIO: "0.9" }, /CANARY_MAX_LATENCY_RATIO: '0.9' is not a ratio/);
        usage([...base, "--bogus"], {}, /unknown option --bogus/);
    });

    it("holds the API URLs to https or loopback http, never the metadata server or a userinfo", () => {
        usage(base, { CLOUD_MONITORING_API_URL: "http://monitoring.example.com" }, /CLOUD_MONITORING_API_URL: .*plain http off loopback/);
        usage(base, { CLOUD_RUN_API_URL: "https://169.254.169.254" }, /CLOUD_RUN_API_URL: .*metadata server/);
        usage(base, { CLOUD_MONITORING_API_URL: "https://user:pw@monitoring.googleapis.com" }, /must not carry a user or password/);
        assert.equal(resolveAnalyzeOptions(base, { env: { CLOUD_MONITORING_API_URL: "http://127.0.0.1:9/" } }).monitoringApiUrl, "http://127.0.0.1:9");
    });
});

// Option resolution: flags > env > stack outputs > the old gate's defaults.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../io/usage-error";
import { parseDuration } from "../../io/option-values";
import { resolveOptions } from "../../validation/options";
import { tempDir } from "./fixtures/cli";

function outputsFile(env: "staging" | "prod", extra: Record<string, unknown> = {}): string {
    const file = path.join(tempDir("outputs-"), `${env}.json`);
    const name = env === "prod" ? "openagents-control-service" : "openagents-control-service-staging";
    fs.writeFileSync(
        file,
        JSON.stringify({
            environment: env,
            project: "openagentsgemini",
            region: "us-central1",
            controlServiceName: name,
            controlServiceUrl: `https://${name}-ezxz4mgdsq-uc.a.run.app`,
            controlBaseUrl: `https://${env}.example.test`,
            controlImage: "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:abc1234",
            controlRevision: `${name}-00042-abc`,
            controlStableRevision: "",
            controlCanaryPercent: 100,
            runtimeServiceName: env === "prod" ? "runtime" : "runtime-staging",
            runtimeServiceUrl: `https://${env === "prod" ? "runtime" : "runtime-staging"}-ezxz4mgdsq-uc.a.run.app`,
            runtimeImage: "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime:abc1234",
            migrateJobName: env === "prod" ? "runtime-migrate" : "runtime-migrate-staging",
            migrateJobImage: "us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime:abc1234",
            ...extra,
        }),
    );
    return file;
}

const resolve = (argv: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof resolveOptions> =>
    resolveOptions(argv, { env: { PATH: "/nonexistent", ...env }, isTTY: false, now: new Date("2026-02-21T19:27:46Z") });

describe("validation/options", () => {
    it("defaults are the old gate's", () => {
        const o = resolve([]);
        assert.equal(o.staging.controlBaseUrl, "https://staging.openagents.com");
        assert.equal(o.prod.controlBaseUrl, "https://openagents.com");
        assert.equal(o.staging.runtimeBaseUrl, "");
        assert.equal(o.prod.runtimeBaseUrlSource, "unset");
        assert.equal(o.gcpProject, "openagentsgemini");
        assert.equal(o.gcpRegion, "us-central1");
        assert.equal(o.controlService, "openagents-control-service");
        assert.equal(o.runtimeService, "runtime");
        assert.equal(o.migrateJob, "runtime-migrate");
        assert.equal(o.failOnRequiredFailure, true);
        assert.deepEqual([o.runRuntimeDriftCheck, o.runKhalaContractTests, o.runCrossSurface, o.runLogProbes], [true, true, false, true]);
        assert.equal(o.outputDir, path.join("docs", "reports", "rust-cutover-validation", "20260221T192746Z"));
        assert.equal(o.cloudRunApiUrl, "https://run.googleapis.com");
        assert.equal(o.logWindowMinutes, 10);
        assert.equal(o.logLimit, 50);
    });

    it("stack outputs fill targets and names; env beats outputs; flags beat env", () => {
        const file = outputsFile("staging");
        const fromOutputs = resolve(["--outputs", `staging=${file}`]);
        assert.equal(fromOutputs.staging.controlBaseUrl, "https://staging.example.test");
        assert.equal(fromOutputs.staging.controlBaseUrlSource, "outputs");
        assert.equal(fromOutputs.staging.runtimeBaseUrl, "https://runtime-staging-ezxz4mgdsq-uc.a.run.app");
        assert.equal(fromOutputs.controlService, "openagents-control-service-staging");
        assert.equal(fromOutputs.migrateJob, "runtime-migrate-staging");
        assert.equal(fromOutputs.stateEnvironment, "staging");
        assert.equal(fromOutputs.intendedCanaryPercent, 100);
        assert.match(fromOutputs.expectedRuntimeImage!, /runtime:abc1234$/);
        const fromEnv = resolve(["--outputs", `staging=${file}`], { STAGING_CONTROL_BASE_URL: "https://env.example.test/", CONTROL_SERVICE: "from-env" });
        assert.equal(fromEnv.staging.controlBaseUrl, "https://env.example.test");
        assert.equal(fromEnv.staging.controlBaseUrlSource, "env");
        assert.equal(fromEnv.controlService, "from-env");
        const fromFlag = resolve(["--outputs", `staging=${file}`, "--staging-control-url", "https://flag.example.test", "--control-service", "from-flag"], {
            STAGING_CONTROL_BASE_URL: "https://env.example.test",
            CONTROL_SERVICE: "from-env",
        });
        assert.equal(fromFlag.staging.controlBaseUrl, "https://flag.example.test");
        assert.equal(fromFlag.staging.controlBaseUrlSource, "flag");
        assert.equal(fromFlag.controlService, "from-flag");
    });

    it("--stack asks the pulumi CLI on PATH for the outputs", () => {
        const bin = tempDir("fake-pulumi-");
        const json = fs.readFileSync(outputsFile("prod"), "utf8");
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$@" > "${bin}/args"\ncat <<'JSON'\n${json}\nJSON\n`, { mode: 0o755 });
        const o = resolveOptions(["--stack", "openagents/prod"], { env: { PATH: `${bin}:/usr/bin:/bin` }, isTTY: false });
        assert.equal(fs.readFileSync(path.join(bin, "args"), "utf8").trim(), "stack output --json --stack openagents/prod");
        assert.equal(o.prod.controlBaseUrl, "https://prod.example.test");
        assert.equal(o.stateEnvironment, "prod");
    });

    it("config errors are UsageErrors (exit 2)", () => {
        const bad: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
            [["--stack", "prod"], {}, /pulumi CLI is not on PATH/],
            [["--outputs", "prod"], {}, /expected ENV=FILE/],
            [["--outputs", "qa=/x.json"], {}, /not an environment/],
            [["--outputs", "prod=/nonexistent/x.json"], {}, /cannot read/],
            [["--outputs", `prod=${outputsFile("staging")}`], {}, /environment output is 'staging', not 'prod'/],
            [["--bogus"], {}, /unknown option --bogus/],
            [["--wait-ready", "soon"], {}, /not a duration/],
            [["--concurrency", "0"], {}, /not a positive integer/],
            [[], { FAIL_ON_REQUIRED_FAILURE: "maybe" }, /not 0 or 1/],
            [[], { PROD_CONTROL_BASE_URL: "not a url" }, /is not a URL/],
            [["--only"], {}, /needs a value/],
            [["--check-timeout", "0"], {}, /--check-timeout must be above 0/],
            [["--timeout", "0s"], {}, /--timeout must be above 0/],
            [[], { GATE_CHECK_TIMEOUT: "0" }, /--check-timeout must be above 0/],
            [[], { GATE_TIMEOUT: "0ms" }, /--timeout must be above 0/],
        ];
        for (const [argv, env, message] of bad) {
            assert.throws(
                () => resolve(argv, env),
                (e: unknown) => e instanceof UsageError && message.test(e.message),
                `${argv.join(" ")} ${JSON.stringify(env)}`,
            );
        }
    });

    it("parses durations", () => {
        assert.equal(parseDuration("500ms", "x"), 500);
        assert.equal(parseDuration("30s", "x"), 30_000);
        assert.equal(parseDuration("2m", "x"), 120_000);
        assert.equal(parseDuration("5", "x"), 5000);
    });

    it("reads tokens from the environment only, and --only as a list", () => {
        const o = resolve(["--only", "control-staging-health,control-prod-health", "--only", "runtime-prod-smoke"], {
            STAGING_CONTROL_ACCESS_TOKEN: "an-access-token",
            RUNTIME_ID_TOKEN: "an-id-token",
            CLOUDSDK_AUTH_ACCESS_TOKEN: "an-api-token",
        });
        assert.deepEqual(o.only, ["control-staging-health", "control-prod-health", "runtime-prod-smoke"]);
        assert.equal(o.staging.controlAccessToken, "an-access-token");
        assert.equal(o.prod.runtimeIdToken, "an-id-token");
        assert.equal(o.gcpAccessToken, "an-api-token");
    });

    it("refuses a target URL with a user or password in it, without repeating the password", () => {
        const cases: Array<[string[], NodeJS.ProcessEnv]> = [
            [["--prod-control-url", "https://gate:pw-hunter2@openagents.com"], {}],
            [[], { STAGING_RUNTIME_BASE_URL: "https://pw-hunter2@runtime-staging-ezxz4mgdsq-uc.a.run.app" }],
            [[], { PROD_CONTROL_BASE_URL: "ftp://gate:pw-hunter2@openagents.com" }],
        ];
        for (const [argv, env] of cases) {
            assert.throws(
                () => resolve(argv, env),
                (e: unknown) => e instanceof UsageError && /must not carry a user or password/.test(e.message) && !e.message.includes("hunter2"),
                `${argv.join(" ")} ${JSON.stringify(env)}`,
            );
        }
    });
});

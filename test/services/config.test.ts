import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_SCHEMA, ConfigError, parseStackConfig } from "../../services";
import { findResource, recordStack } from "../../review/plan";
import { readStackConfig, PROJECT_DIR } from "../../review/stack-files";

const NS = "openagents-rust-lanes:";

/** The real staging stack's raw values (defaults filled in as the CLI does), with changes. */
function stagingWith(changes: Record<string, string | undefined>) {
    const { config } = readStackConfig("staging");
    const raw: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith(NS)) raw[k.slice(NS.length)] = v;
    Object.assign(raw, changes);
    return () => parseStackConfig((key) => raw[key], { project: config["gcp:project"], region: config["gcp:region"] });
}

function configError(run: () => unknown): ConfigError {
    try {
        run();
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err;
    }
    assert.fail("expected a ConfigError");
}

describe("stack config validation", () => {
    it("accepts both real stack files", () => {
        for (const stack of ["staging", "prod"]) {
            const { config } = readStackConfig(stack);
            const c = parseStackConfig((k) => config[NS + k], { project: config["gcp:project"], region: config["gcp:region"] });
            assert.equal(c.environment, stack);
        }
    });

    const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
        [
            "a missing image tag",
            { controlImageTag: undefined },
            /^openagents-rust-lanes:controlImageTag: expected an image tag such as a1b2c3d \(not latest\) or a digest sha256:<64 hex> \(required\)$/,
        ],
        ["the latest tag", { runtimeImageTag: "latest" }, /runtimeImageTag: expected an image tag .* got "latest"/],
        ["a malformed image reference", { controlImageTag: "3f9c2ab:oops/bad" }, /controlImageTag: expected an image tag .* got "3f9c2ab:oops\/bad"/],
        ["an unknown environment", { environment: "qa" }, /environment: expected staging or prod, got "qa"/],
        [
            "a legacy service name",
            { controlServiceName: "openagents-web" },
            /controlServiceName: expected a canonical Rust lane name such as openagents-control-service-staging, not a legacy one .*got "openagents-web"/,
        ],
        ["a legacy name in another case", { runtimeServiceName: "OpenAgents-Runtime" }, /runtimeServiceName: expected a canonical Rust lane name/],
        ["a legacy job name", { migrateJobName: "openagents-migrate" }, /migrateJobName: expected a canonical Rust lane name/],
        ["a bad integer", { controlMaxInstances: "lots" }, /controlMaxInstances: expected an integer from 1 to 1000, got "lots"/],
        ["min above max", { runtimeMinInstances: "50" }, /runtimeMinInstances: expected at most the matching \*MaxInstances/],
        ["a bad memory size", { controlMemory: "512MB" }, /controlMemory: expected a Cloud Run memory limit from "128Mi" to "32Gi", got "512MB"/],
        ["a secret value in plain env", { controlEnv: JSON.stringify(["WORKOS_API_KEY=sk_live_123"]) }, /controlEnv: expected no secret-looking name in plain env \(move WORKOS_API_KEY/],
        ["Laravel residue in env", { runtimeEnv: JSON.stringify(["SESSION_DRIVER=database"]) }, /runtimeEnv: expected no legacy Laravel\/Elixir env \(env SESSION_DRIVER is Laravel residue\)/],
        ["Elixir residue in env", { runtimeEnv: JSON.stringify(["PHX_SERVER=true"]) }, /runtimeEnv: expected no legacy Laravel\/Elixir env \(env PHX_SERVER is Elixir residue\)/],
        ["a legacy secret", { controlSecretEnv: JSON.stringify(["OA_X=openagents-web-app-key"]) }, /controlSecretEnv: expected no legacy Laravel\/Elixir secret or env/],
        ["a malformed secret item", { runtimeSecretEnv: JSON.stringify(["DB_URL"]) }, /runtimeSecretEnv: expected items of the form NAME=secret-name\[:version\]/],
        ["overriding the bind address", { controlEnv: JSON.stringify(["OA_CONTROL_BIND_ADDR=127.0.0.1:8787"]) }, /controlEnv: expected no env the program sets itself \(OA_CONTROL_BIND_ADDR\)/],
        ["a canary without a stable revision", { controlCanaryPercent: "25" }, /controlStableRevision: expected the revision serving now, required while controlCanaryPercent is below 100/],
        [
            "a stable revision of a legacy service",
            { controlCanaryPercent: "25", controlStableRevision: "openagents-web-00097-jr6" },
            /controlStableRevision: expected a revision of the Rust control service, never a legacy revision/,
        ],
        [
            "a stable revision of another service",
            { controlCanaryPercent: "25", controlStableRevision: "runtime-staging-00001-abc" },
            /controlStableRevision: expected a revision of openagents-control-service-staging \(revision "runtime-staging-00001-abc" belongs to service 'runtime-staging'/,
        ],
        ["a canary percentage over 100", { controlCanaryPercent: "150" }, /controlCanaryPercent: expected an integer from 0 to 100, got "150"/],
        ["a bad invoker member", { runtimeSmokeInvoker: "allUsers" }, /runtimeSmokeInvoker: expected an IAM member/],
        ["a non-boolean", { deletionProtection: "yes" }, /deletionProtection: expected true or false, got "yes"/],
        [
            "overriding maintenance mode from plain env",
            { controlEnv: JSON.stringify(["OA_MAINTENANCE_MODE_ENABLED=true"]) },
            /controlEnv: expected no env the program sets itself \(OA_MAINTENANCE_MODE_ENABLED\)/,
        ],
        [
            "overriding the bypass token's secret",
            { controlSecretEnv: JSON.stringify(["OA_MAINTENANCE_BYPASS_TOKEN=other-secret"]) },
            /controlSecretEnv: expected no env the program sets itself \(OA_MAINTENANCE_BYPASS_TOKEN\)/,
        ],
        [
            "one env name twice",
            { controlSecretEnv: JSON.stringify(["WORKOS_API_KEY=a", "WORKOS_API_KEY=b"]) },
            /controlSecretEnv: expected each env name once across controlEnv and controlSecretEnv \(WORKOS_API_KEY is set twice\)/,
        ],
        ["a CPU count Cloud Run does not offer", { controlCpu: "3" }, /controlCpu: expected a whole vCPU limit of the v2 API: "1", "2", "4", "6" or "8" \(or 1000m, 2000m ...\), got "3"/],
        ["memory beyond Cloud Run's range", { runtimeMemory: "100000Gi" }, /runtimeMemory: expected a Cloud Run memory limit from "128Mi" to "32Gi", got "100000Gi"/],
        [
            "more memory than the CPU allows",
            { runtimeCpu: "1", runtimeMemory: "8Gi" },
            /runtimeCpu: expected a CPU limit that fits runtimeMemory and runtimeConcurrency \(1 vCPU takes 128Mi to 4Gi of memory, not 8Gi\), got "1"/,
        ],
        ["a fractional CPU on the v2 API", { controlCpu: "500m" }, /controlCpu: expected a whole vCPU limit of the v2 API: "1", "2", "4", "6" or "8" \(or 1000m, 2000m ...\), got "500m"/],
    ];
    for (const [what, changes, message] of cases) {
        it(`refuses ${what}, naming the key and the expected form`, () => {
            const err = configError(stagingWith(changes));
            assert.match(err.message, message);
            assert.ok(!err.message.includes("\n"), "one line");
        });
    }

    it("reports a duplicate in controlEnv against controlEnv", () => {
        const err = configError(stagingWith({ controlEnv: JSON.stringify(["A=1", "A=2"]) }));
        assert.deepEqual(
            err.problems.map((p) => p.key),
            [`${NS}controlEnv`],
        );
    });

    it("keeps a 5 MB value to a short, escaped excerpt on one line", () => {
        const huge = `${"x".repeat(5_000_000)}\n\u0000`;
        for (const key of ["controlImageTag", "controlDomain", "runtimeSmokeInvoker", "controlStableRevision"]) {
            const err = configError(stagingWith({ [key]: huge }));
            assert.ok(!err.message.includes("\n") && err.message.length < 500, `${key}: ${err.message.length} characters`);
            assert.match(err.message, /\.\.\. \(5000002 characters\)/, key);
        }
    });

    it("spells out as many problems as fit on one line, then counts the rest", () => {
        const err = configError(stagingWith(Object.fromEntries(["controlCpu", "runtimeCpu", "migrateCpu", "controlMemory", "runtimeMemory", "migrateMemory"].map((k) => [k, "x".repeat(300)]))));
        assert.ok(err.message.length <= 520, String(err.message.length));
        assert.match(err.message, /; and \d+ more$/);
        assert.equal(err.problems.length, 6);
    });

    it("reports every problem at once", () => {
        const err = configError(stagingWith({ controlImageTag: undefined, runtimeImageTag: undefined, environment: "dev" }));
        assert.deepEqual(
            err.problems.map((p) => p.key),
            [`${NS}environment`, `${NS}controlImageTag`, `${NS}runtimeImageTag`],
        );
    });

    it("requires gcp:project and gcp:region", () => {
        const { config } = readStackConfig("staging");
        const err = configError(() => parseStackConfig((k) => config[NS + k], {}));
        assert.deepEqual(
            err.problems.map((p) => p.key),
            ["gcp:project", "gcp:region"],
        );
    });

    it("declares nothing when the config is wrong", async () => {
        let registered = 0;
        await pulumi.runtime.setMocks({ newResource: (a) => ((registered += 1), { id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "openagents-rust-lanes", "staging", false);
        const { config } = readStackConfig("staging", { controlImageTag: "latest" });
        pulumi.runtime.setAllConfig(config);
        const entry = path.join(PROJECT_DIR, "index.ts");
        delete require.cache[entry];
        assert.throws(
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on require, as under the CLI
            () => require(entry),
            (err: Error) => err.name === "ConfigError" && /controlImageTag/.test(err.message),
        );
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(registered, 0, "no resource may be registered before the config is valid");
    });

    it("accepts an image pinned by digest", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const plan = await recordStack("staging", { overrides: { runtimeImageTag: digest } });
        const job = findResource(plan, "gcp:cloudrunv2/job:Job", "runtime-migrate").inputs as Record<string, any>;
        assert.equal(job.template.template.containers[0].image, `us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime@${digest}`);
        assert.equal(plan.outputs.runtimeImage, plan.outputs.migrateJobImage);
    });
});

describe("config schema and the stack files", () => {
    it("has every required key set in both stack files, and nothing unknown", () => {
        for (const stack of ["staging", "prod"]) {
            const doc = parse(readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            const keys = Object.keys(doc.config);
            for (const k of keys) {
                if (k.startsWith("gcp:")) continue;
                assert.ok(k.startsWith(NS), `${stack}: ${k} is not namespaced`);
                assert.ok(k.slice(NS.length) in CONFIG_SCHEMA, `${stack}: unknown key ${k}`);
            }
            for (const [key, spec] of Object.entries(CONFIG_SCHEMA)) {
                if (!("default" in spec)) assert.ok(keys.includes(NS + key), `${stack}: required ${key} missing`);
            }
            assert.equal(doc.config["gcp:project"], "openagentsgemini");
            assert.equal(doc.config["gcp:region"], "us-central1");
        }
    });
});

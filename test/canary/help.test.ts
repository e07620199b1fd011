// Each canary command has its own help with its own exit codes, and docs/canary.md states the same
// codes; with no Google credentials, analyze stops at once as a usage error naming the fix.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ANALYZE_EXIT, ROLLBACK_EXIT, checkCredentials, helpText } from "../../canary/cli";
import { ROLLOUT_EXIT } from "../../canary/rollout";
import { UsageError } from "../../io/usage-error";

const ROOT = path.resolve(__dirname, "../..");
const codesIn = (text: string): number[] => [...text.matchAll(/^ {2}(\d)  /gm)].map((m) => Number(m[1]));

describe("canary help and exit codes", () => {
    it("each command's help is its own, with every exit code it can return (rollout's 5 included)", () => {
        const [analyze, rollout, rollback] = (["analyze", "rollout", "rollback"] as const).map((c) => helpText(c));
        assert.match(analyze, /^Usage: npm run canary -- analyze /);
        assert.match(rollout, /^Usage: npm run canary -- rollout /);
        assert.match(rollback, /^Usage: npm run canary -- rollback /);
        assert.deepEqual(
            codesIn(analyze),
            ANALYZE_EXIT.map(([c]) => c),
        );
        assert.deepEqual(codesIn(rollout), [...new Set(Object.values(ROLLOUT_EXIT))].sort());
        assert.ok(codesIn(rollout).includes(5));
        assert.deepEqual(
            codesIn(rollback),
            ROLLBACK_EXIT.map(([c]) => c),
        );
        assert.doesNotMatch(rollout, /--min-requests/, "analyze's flags are not rollout's");
        assert.doesNotMatch(analyze, /--ladder/);
        assert.doesNotMatch(rollback, /--ladder|--stage/);
    });

    it("docs/canary.md states each command's exit codes as its help does", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs/canary.md"), "utf8").replace(/\s+/g, " ");
        const analyze = /Exit codes: (`0` promote.*?) The tests/.exec(doc)?.[1] ?? "";
        assert.deepEqual(
            [...analyze.matchAll(/`(\d)`/g)].map((m) => Number(m[1])),
            ANALYZE_EXIT.map(([c]) => c),
        );
        const rollout = /Exit codes: (0 promoted.*?)130\/143/.exec(doc)?.[1] ?? "";
        assert.deepEqual(
            [...rollout.matchAll(/(?:^|, )(\d) /g)].map((m) => Number(m[1])),
            [...new Set(Object.values(ROLLOUT_EXIT))].sort(),
        );
    });

    it("npm run canary -- rollout --help prints rollout's help, exit 0", () => {
        const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", "canary/cli.ts", "rollout", "--help"], { cwd: ROOT, encoding: "utf8" });
        assert.equal(r.status, 0);
        assert.equal(r.stdout, helpText("rollout"));
    });

    it("analyze with no Google credentials is a usage error (exit 2) naming the commands that fix it, before any read", async () => {
        await assert.rejects(
            checkCredentials({}, () => Promise.reject(new Error("Could not load the default credentials"))),
            (e: unknown) => {
                assert.ok(e instanceof UsageError);
                assert.match(e.message, /export CLOUDSDK_AUTH_ACCESS_TOKEN=\$\(gcloud auth print-access-token\)/);
                assert.match(e.message, /gcloud auth application-default login/);
                return true;
            },
        );
        await checkCredentials({ accessToken: "t" }, () => Promise.reject(new Error("never asked")));
        await checkCredentials({}, () => Promise.resolve({ getAccessToken: () => Promise.resolve({ token: "ya29.token" }) }));

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-nocreds-"));
        try {
            const outputs = path.join(dir, "prod.json");
            fs.writeFileSync(
                outputs,
                JSON.stringify({
                    environment: "prod",
                    controlServiceName: "openagents-control-service",
                    controlRevision: "openagents-control-service-b-2",
                    controlStableRevision: "openagents-control-service-a-1",
                    controlCanaryPercent: 25,
                }),
            );
            const r = spawnSync(
                process.execPath,
                ["-r", "sucrase/register/ts", "canary/cli.ts", "analyze", "--environment", "prod", "--outputs", `prod=${outputs}`, "--output-dir", path.join(dir, "out"), "--plain"],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    // No token, no ADC file, no metadata server: no credentials at all (and nothing sent off loopback).
                    env: { PATH: process.env.PATH, HOME: dir, METADATA_SERVER_DETECTION: "none", CLOUDSDK_CONFIG: dir },
                },
            );
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stderr, /^error: no Google credentials .*gcloud auth print-access-token/m);
            assert.ok(!fs.existsSync(path.join(dir, "out", "SUMMARY.md")), "no hold written as if it were a verdict");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

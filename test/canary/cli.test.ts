// The CLI process, where the exit code is the contract: 2 on a usage error, 0 promote, 3 hold.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CANARY, MonitoringStandIn, PROJECT, REGION, SERVICE, STABLE, TOKEN, healthyState } from "./stand-in";

const ROOT = path.resolve(__dirname, "../..");

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["-r", "sucrase/register/ts", "canary/cli.ts", ...args], {
            cwd: ROOT,
            env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: "none", CI: "1", ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("canary CLI", function () {
    this.timeout(30_000);
    let standIn: MonitoringStandIn;
    let dir: string;
    beforeEach(async () => {
        standIn = await new MonitoringStandIn(healthyState()).start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-cli-"));
    });
    afterEach(async () => {
        await standIn.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const outputs = (extra: Record<string, unknown> = {}): string => {
        const file = path.join(dir, "prod.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                environment: "prod",
                project: PROJECT,
                region: REGION,
                controlServiceName: SERVICE,
                controlRevision: CANARY,
                controlStableRevision: STABLE,
                controlCanaryPercent: 5,
                ...extra,
            }),
        );
        return `prod=${file}`;
    };

    it("exits 2 with one line when there is no canary to judge, and on a bad flag value", async () => {
        const none = await run(["analyze", "--environment", "prod", "--outputs", outputs({ controlStableRevision: "" })], {});
        assert.equal(none.code, 2);
        assert.match(none.stderr, /^error: no canary to judge: no stable revision .*\n$/);
        const bad = await run(["analyze", "--environment", "prod", "--outputs", outputs(), "--max-error-rate", "lots"], {});
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--max-error-rate: 'lots' is not a rate/);
    });

    it("exits 0 on promote and 3 on hold, with plain lines in CI and no token printed", async () => {
        const env = { CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN };
        const promote = await run(["analyze", "--environment", "prod", "--outputs", outputs(), "--output-dir", path.join(dir, "a")], env);
        assert.equal(promote.code, 0, promote.stderr + promote.stdout);
        assert.match(promote.stdout, /^reading /m);
        assert.match(promote.stdout, /^PROMOTE: /m);
        standIn.state.revisions[CANARY].byClass = { "2xx": 50 };
        const hold = await run(["analyze", "--environment", "prod", "--outputs", outputs(), "--output-dir", path.join(dir, "b")], env);
        assert.equal(hold.code, 3, hold.stderr + hold.stdout);
        assert.match(hold.stdout, /^HOLD: too few requests/m);
        assert.ok(!(promote.stdout + hold.stdout + promote.stderr + hold.stderr).includes(TOKEN));
    });
});

// The rollout driven end to end against a fake stack (its config in a real stack file in a real
// git repository; its `up` moves the Cloud Run split of the loopback stand-in with the program's
// own traffic function) and the real canary analysis against the Monitoring stand-in. One
// scenario per path: promote and commit, roll back at 5 % and at 50 %, hold then promote, held
// past --max-holds, NO-GO at 0 %, an interrupt then a resume, an up that fails, metrics unreadable.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RolloutDeps, type RolloutSettings, runRollout } from "../../canary/rollout";
import { cloudRunRevisionCreated, cloudRunTraffic, environmentGate, stackFileCommit, stageAnalysis } from "../../canary/rollout-deps";
import { resolveRolloutOptions } from "../../canary/rollout-options";
import { rollbackExitCode, runRollback } from "../../canary/rollback";
import { resumeCommand } from "../../canary/rollout-cli";
import { type RolloutStack, StackError, type UpSummary } from "../../canary/stack";
import { CONTROL } from "../../catalog";
import { controlTraffic } from "../../services/control-service";
import { HttpClient } from "../../io/http";
import { Redactor } from "../../io/redact";
import { noIdTokenSource } from "../../validation/id-token";
import { fakeOpenAgentsRepo } from "../validation/cloud/fake-openagents";
import { cleanEnv } from "../validation/fixtures/cli";
import { healthyEnvironment } from "../validation/fixtures/healthy";
import { sendJson } from "../validation/fixtures/server";
import { CANARY, MonitoringStandIn, PROJECT, REGION, SERVICE, STABLE, TOKEN, errorBody, prodOutputsOf, spread, traffic, type MonitoringState } from "./stand-in";

const git = (dir: string, ...args: string[]): string => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();

/** A stack whose config is a real stack file and whose `up` applies the split the program would declare. */
class FakeStack implements RolloutStack {
    readonly name = "prod";
    readonly stackFile: string;
    readonly ups: Array<{ percent: string; stable: string }> = [];
    /** The revision the last up deployed (before any up: the one serving). */
    deployed = STABLE;
    failUpAt?: { call: number; error: StackError };
    /** The revision the stack file's template makes (what the next up deploys). */
    template = CANARY;
    private readonly config = new Map<string, string>([
        ["controlCanaryPercent", "100"],
        ["controlStableRevision", ""],
        ["controlImageTag", "9e8d7c6"],
    ]);

    constructor(
        readonly dir: string,
        private readonly standIn: MonitoringStandIn,
    ) {
        this.stackFile = path.join(dir, "Pulumi.prod.yaml");
        this.flush();
    }

    private flush(): void {
        fs.writeFileSync(this.stackFile, `config:\n${[...this.config].map(([k, v]) => `  openagents-rust-lanes:${k}: "${v}"`).join("\n")}\n`);
    }

    getConfig(key: string): Promise<string | undefined> {
        return Promise.resolve(this.config.get(key));
    }
    setConfig(key: string, value: string): Promise<void> {
        this.config.set(key, value);
        this.flush();
        return Promise.resolve();
    }
    async up(): Promise<UpSummary> {
        await Promise.resolve();
        this.ups.push({ percent: this.config.get("controlCanaryPercent")!, stable: this.config.get("controlStableRevision")! });
        if (this.failUpAt?.call === this.ups.length) throw this.failUpAt.error;
        // The stack file carries the new image: every up deploys the stack file's template.
        this.deployed = this.template;
        const split = controlTraffic(this.deployed, this.config.get("controlStableRevision")!, Number(this.config.get("controlCanaryPercent")));
        this.standIn.state.split = split.filter((t) => (t.percent as number) > 0).map((t) => ({ revision: t.revision as string, percent: t.percent as number }));
        return { result: "succeeded", changes: { update: 1, same: 11 }, durationMs: 5 };
    }
    outputs(): Promise<Record<string, unknown>> {
        return Promise.resolve({
            environment: "prod",
            project: PROJECT,
            region: REGION,
            controlServiceName: SERVICE,
            controlRevision: this.deployed,
            controlImage: `${CONTROL.imageRepository}:${this.deployed === STABLE ? "3f9c2ab" : "9e8d7c6"}`,
            controlStableRevision: this.config.get("controlStableRevision"),
            controlCanaryPercent: Number(this.config.get("controlCanaryPercent")),
        });
    }
    cancel(): Promise<void> {
        return Promise.resolve();
    }
}

const healthy = (canary: number): MonitoringState["revisions"] => ({ [CANARY]: traffic(canary, 0, spread(40, 160, canary)), [STABLE]: traffic(20_000, 20, spread(40, 160, 20_000)) });
const broken = (canary: number): MonitoringState["revisions"] => ({
    [CANARY]: traffic(canary, Math.round(canary * 0.08), spread(40, 160, canary)),
    [STABLE]: traffic(20_000, 20, spread(40, 160, 20_000)),
});
const tooFew = (): MonitoringState["revisions"] => healthy(30);

describe("canary rollout: the ladder driven against a fake stack and the Monitoring stand-in", function () {
    this.timeout(30_000);
    let standIn: MonitoringStandIn;
    let dir: string;
    let out: string;
    let stack: FakeStack;
    let http: HttpClient;
    let printed: string[];
    let gates: Array<{ percent: string }>;
    let waited: number[];

    beforeEach(async () => {
        standIn = await new MonitoringStandIn({ revisions: healthy(600), split: [{ revision: STABLE, percent: 100 }], pageSize: 50, pointsPerSeries: 1 }).start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-repo-"));
        out = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-out-"));
        git(dir, "init", "-q", "-b", "main");
        git(dir, "config", "user.email", "test@example.invalid");
        git(dir, "config", "user.name", "test");
        stack = new FakeStack(dir, standIn);
        git(dir, "add", ".");
        git(dir, "commit", "-q", "-m", "the stack before the rollout");
        http = new HttpClient({ timeoutMs: 5_000 });
        printed = [];
        gates = [];
        waited = [];
    });
    afterEach(async () => {
        http.close();
        await standIn.close();
        for (const d of [dir, out]) fs.rmSync(d, { recursive: true, force: true });
    });

    const env = (): NodeJS.ProcessEnv => ({ CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN });

    interface Scenario {
        /** The canary's traffic seen by the analysis at a rung (its nth analysis there). */
        metrics?: (percent: number, attempt: number) => MonitoringState["revisions"];
        gate?: (percent: string) => boolean;
        /** The wait that returns false (an interrupt), counting from 1. */
        interruptAtWait?: number;
        maxHolds?: number;
        stage?: boolean;
        gated?: boolean;
        /** Monitoring's ingestion lag for the looks (0 unless a test is about it). */
        ingestionLagMs?: number;
    }

    async function rollout(s: Scenario = {}): Promise<Awaited<ReturnType<typeof runRollout>>> {
        const o = resolveRolloutOptions(["--environment", "prod", "--window", "1m", "--output-dir", out, "--plain"], "rollout", { env: {}, cwd: dir });
        const interrupt = new AbortController();
        const attempts = new Map<number, number>();
        let waits = 0;
        const analyze = stageAnalysis(o, env(), { write: () => undefined, interrupt: interrupt.signal, http });
        const deps: RolloutDeps = {
            stack,
            readTraffic: cloudRunTraffic(env(), "prod", http, new Redactor()),
            revisionCreated: cloudRunRevisionCreated(env(), "prod", http, new Redactor()),
            analyze: async (stage) => {
                const n = attempts.get(stage.percent) ?? 0;
                attempts.set(stage.percent, n + 1);
                standIn.state.revisions = (s.metrics ?? ((p) => healthy(p * 60)))(stage.percent, n);
                return analyze(stage);
            },
            gate: async () => {
                const percent = (await stack.getConfig("controlCanaryPercent"))!;
                gates.push({ percent });
                const go = s.gate ? s.gate(percent) : true;
                return { go, summary: go ? "GO: 11 passed" : "NO-GO: 1 required failure(s); control-prod-smoke: GET /readyz answered 503" };
            },
            wait: (ms) => {
                waited.push(ms);
                waits++;
                if (waits === s.interruptAtWait) interrupt.abort();
                return Promise.resolve(waits !== s.interruptAtWait);
            },
            commit: stackFileCommit(o),
            write: (line) => void printed.push(line),
            now: () => new Date(),
            interrupt: interrupt.signal,
            cancelUp: new AbortController().signal,
            redactor: new Redactor([TOKEN]),
        };
        const settings: RolloutSettings = {
            environment: "prod",
            ladder: o.ladder,
            waitMs: 60_000,
            lookEveryMs: 60_000,
            ingestionLagMs: s.ingestionLagMs ?? 0,
            maxHolds: s.maxHolds ?? 2,
            outputDir: out,
            resumeCommand: "npm run canary -- rollout --environment prod --stack prod",
            rollbackCommand: "npm run canary -- rollback --environment prod --stack prod",
            stage: s.stage,
            gated: s.gated,
        };
        return runRollout(settings, deps);
    }

    const evidence = (): { json: any; summary: string } => ({
        json: JSON.parse(fs.readFileSync(path.join(out, "rollout.json"), "utf8")),
        summary: fs.readFileSync(path.join(out, "SUMMARY.md"), "utf8"),
    });
    const config = async (): Promise<[string | undefined, string | undefined]> => [await stack.getConfig("controlCanaryPercent"), await stack.getConfig("controlStableRevision")];

    it("promotes to 100 %, makes the new revision stable, and commits the stack file", async () => {
        const result = await rollout();
        assert.equal(result.exitCode, 0, printed.join("\n"));
        assert.equal(result.record.outcome, "promoted");
        assert.deepEqual(stack.ups, [
            { percent: "0", stable: STABLE },
            { percent: "5", stable: STABLE },
            { percent: "25", stable: STABLE },
            { percent: "50", stable: STABLE },
            { percent: "100", stable: CANARY },
        ]);
        assert.deepEqual(await config(), ["100", CANARY]);
        assert.deepEqual(standIn.state.split, [{ revision: CANARY, percent: 100 }]);
        assert.deepEqual(gates, [{ percent: "0" }]);
        // Main holds what is deployed: the stack file is committed, with nothing left over.
        assert.match(git(dir, "log", "-1", "--format=%s"), new RegExp(`^Promote ${CANARY} to 100 % on prod`));
        assert.equal(git(dir, "status", "--porcelain"), "");
        assert.match(fs.readFileSync(stack.stackFile, "utf8"), new RegExp(`controlStableRevision: "${CANARY}"`));
        const { json, summary } = evidence();
        assert.equal(json.schemaVersion, 1);
        assert.deepEqual(
            json.rungs.map((r: any) => [r.percent, r.analyses.map((a: any) => a.decision)]),
            [
                [0, []],
                [5, ["promote"]],
                [25, ["promote"]],
                [50, ["promote"]],
                [100, []],
            ],
        );
        assert.equal(json.rungs[1].analyses[0].canary.requests, 300);
        assert.match(json.rungs[3].analyses[0].rule, /^sequential, valid at every look \(rung 3 of 3, the last rung before 100 %: promote at 0\.995 under 1\.00 % 5xx/);
        assert.equal(json.rungs[0].gate.go, true);
        assert.match(summary, /^# Canary rollout: PROMOTED \(prod\)/);
        assert.match(summary, /```mermaid\nxychart-beta\n {4}x-axis \["1: 5%", "2: 25%", "3: 50%"\]/);
    });

    it("rolls back at 5 % on a clear 5xx regression: 0 %, up, the gate, exit 1, the stable revision untouched", async () => {
        const result = await rollout({ metrics: (p) => (p === 5 ? broken(300) : healthy(p * 60)) });
        assert.equal(result.exitCode, 1, printed.join("\n"));
        assert.equal(result.record.outcome, "rolled-back");
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0", "5", "0"],
        );
        assert.deepEqual(await config(), ["0", STABLE]);
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
        assert.deepEqual(
            gates.map((g) => g.percent),
            ["0", "0"],
            "gated at 0 % and after the rollback",
        );
        assert.match(result.record.message, /rolled back to .* \(100 %\): the analysis at 5 %: canary 5xx rate clearly above 0\.50 % \(the healthy 0\.50 %, half the 1\.00 % threshold/);
        assert.match(git(dir, "log", "-1", "--format=%s"), /^Roll back /);
    });

    it("rolls back at 50 % on a latency regression", async () => {
        const slow = (n: number) => ({ [CANARY]: traffic(n, 0, spread(300, 900, n)), [STABLE]: traffic(20_000, 20, spread(40, 160, 20_000)) });
        const result = await rollout({ metrics: (p) => (p === 50 ? slow(3000) : healthy(p * 60)) });
        assert.equal(result.exitCode, 1);
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0", "5", "25", "50", "0"],
        );
        assert.match(result.record.message, /the analysis at 50 %: .*p95/);
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
    });

    it("holds on too few requests, waits another window, then promotes", async () => {
        const result = await rollout({ metrics: (p, n) => (p === 25 && n === 0 ? tooFew() : healthy(p * 60)) });
        assert.equal(result.exitCode, 0);
        assert.deepEqual(
            evidence().json.rungs[2].analyses.map((a: any) => a.decision),
            ["hold", "promote"],
        );
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0", "5", "25", "50", "100"],
            "a hold does not re-apply the rung",
        );
    });

    it("held past --max-holds: exit 3 with the command that resumes, traffic left at the rung", async () => {
        const result = await rollout({ metrics: (p) => (p === 25 ? tooFew() : healthy(p * 60)), maxHolds: 2 });
        assert.equal(result.exitCode, 3);
        assert.equal(result.record.outcome, "held");
        assert.equal(evidence().json.rungs[2].analyses.length, 3, "the first window and two holds");
        assert.deepEqual(await config(), ["25", STABLE]);
        assert.deepEqual(standIn.state.split, [
            { revision: STABLE, percent: 75 },
            { revision: CANARY, percent: 25 },
        ]);
        assert.equal(evidence().json.resume, "npm run canary -- rollout --environment prod --stack prod");
        assert.match(result.record.message, /resume with `npm run canary -- rollout --environment prod --stack prod`/);
    });

    it("looks a minute apart on the whole rung so far, and ends the rung at the first decision", async () => {
        // 30 canary requests a look more each time: too few twice, then enough.
        const result = await rollout({ metrics: (p, n) => (p === 5 ? healthy(30 * (n + 1) + (n >= 2 ? 300 : 0)) : healthy(p * 60)), maxHolds: 9 });
        assert.equal(result.exitCode, 0, printed.join("\n"));
        const analyses = evidence().json.rungs[1].analyses;
        assert.deepEqual(
            analyses.map((a: any) => a.decision),
            ["hold", "hold", "promote"],
        );
        const windows = [0, 1, 2].map((look) => JSON.parse(fs.readFileSync(path.join(out, `analysis-2-5-${look}`, "analysis.json"), "utf8")).window);
        assert.equal(new Set(windows.map((w) => w.start)).size, 1, "every look reads from the rung's first whole minute");
        assert.deepEqual(
            windows.map((w) => w.seconds),
            [60, 120, 180],
            "a minute more data at each look",
        );
        assert.match(JSON.parse(fs.readFileSync(path.join(out, "analysis-2-5-2", "analysis.json"), "utf8")).rule, /^sequential, valid at every look \(rung 1 of 3, a step up/);
    });

    it("never looks before Monitoring's ingestion lag has passed, and never past the window plus --max-holds", async () => {
        const result = await rollout({ metrics: (p) => (p === 25 ? tooFew() : healthy(p * 60)), ingestionLagMs: 180_000, maxHolds: 9 });
        assert.equal(result.record.outcome, "held");
        // The first wait of each rung: to its first whole minute, then the lag and one minute of data.
        const firstWaits = [waited[0], waited[1]];
        for (const ms of firstWaits) assert.ok(ms >= 240_000 && ms < 300_000, `first look after ${ms} ms`);
        // At 25 %: every look a minute apart, the last one at the deadline (1 + 9) x the 60 s window.
        const at25 = waited.slice(1);
        assert.equal(
            at25.reduce((a, b) => a + b, 0),
            600_000,
        );
        assert.ok(
            at25.slice(1, -1).every((ms) => ms === 60_000),
            at25.join(","),
        );
        assert.match(result.record.message, /held at 25 % for 10 min and \d+ looks \(the window plus --max-holds 9\)/);
    });

    it("the last rung before 100 % asks more than a step: a canary at 0.8 % 5xx steps up, then holds at 50 % and is never promoted", async () => {
        const result = await rollout({ metrics: () => ({ [CANARY]: traffic(3000, 24, spread(40, 160, 3000)), [STABLE]: traffic(20_000, 20, spread(40, 160, 20_000)) }) });
        assert.equal(result.record.outcome, "held", result.record.message);
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0", "5", "25", "50"],
        );
        assert.match(result.record.message, /held at 50 %.*not yet shown under 1\.00 % at 0\.995/);
    });

    it("NO-GO at 0 %: stops before any traffic moves, the stable revision serving", async () => {
        const result = await rollout({ gate: () => false });
        assert.equal(result.exitCode, 1);
        assert.equal(result.record.outcome, "no-go");
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0"],
        );
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
        assert.match(result.record.message, /NO-GO with .* at 0 %: NO-GO: 1 required failure/);
    });

    it("every run of a rollout pools from the canary revision's creation, so the error budget holds across resumes", async () => {
        // Created half an hour ago, with nanoseconds as Google sends them.
        const created = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000 + 1234);
        standIn.state.created = { [CANARY]: created.toISOString().replace(/\.\d+Z$/, ".234567891Z") };
        const from = new Date(Math.ceil(created.getTime() / 60_000) * 60_000).toISOString();
        const pooledQueries = (): string[] => standIn.requests.map((r) => r.path).filter((p) => p.includes("/timeSeries") && p.includes(`interval.startTime=${from}`));
        const first = await rollout({ interruptAtWait: 2 });
        assert.equal(first.record.outcome, "interrupted");
        const firstRunQueries = pooledQueries().length;
        assert.ok(firstRunQueries > 0, "the first run pools from the revision's creation");
        const resumed = await rollout();
        assert.equal(resumed.record.outcome, "promoted", resumed.record.message);
        assert.ok(pooledQueries().length > firstRunQueries, "the resumed run's analyses query from the revision's creation, not from where it resumed");
        assert.equal(evidence().json.pooledFrom.at, from);
        assert.match(evidence().json.pooledFrom.source, /createTime .*every run of this rollout pools from it/);
        assert.match(evidence().summary, /Pooled from /);
    });

    it("a canary whose createTime cannot be read pools from the run's first rung and says the budget then holds per run", async () => {
        const result = await rollout();
        assert.equal(result.record.outcome, "promoted", result.record.message);
        assert.match(evidence().json.pooledFrom.source, /createTime could not be read \(.*404.*\): this run pools from its own first judged rung, so the error budget holds per run/);
        assert.ok(evidence().json.pooledFrom.at, "the run's own start is recorded");
    });

    it("an interrupt during a wait stops at the rung; a rerun resumes there and finishes", async () => {
        const first = await rollout({ interruptAtWait: 2 });
        assert.equal(first.record.outcome, "interrupted");
        assert.equal(first.exitCode, 130);
        assert.deepEqual(await config(), ["25", STABLE]);
        assert.match(first.record.message, /interrupted while waiting at 25 %: traffic is as it was; resume with/);
        const upsBefore = stack.ups.length;
        const second = await rollout();
        assert.equal(second.exitCode, 0, printed.join("\n"));
        assert.deepEqual(
            stack.ups.slice(upsBefore).map((u) => u.percent),
            ["50", "100"],
            "25 % is judged again without a new up",
        );
        assert.ok(printed.some((l) => /resuming at 25 %/.test(l)));
    });

    it("CI's order: --stage ups at 0 % and stops; the gate runs on its own; --gated resumes at the first rung", async () => {
        const staged = await rollout({ stage: true });
        assert.equal(staged.exitCode, 0);
        assert.equal(staged.record.outcome, "staged");
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0"],
        );
        assert.deepEqual(gates, [], "staging gates nothing");
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
        const again = await rollout({ stage: true });
        assert.equal(again.record.outcome, "staged", "staging twice ups the current stack file at 0 % again");
        const rolled = await rollout({ gated: true });
        assert.equal(rolled.exitCode, 0, printed.join("\n"));
        assert.deepEqual(
            stack.ups.map((u) => u.percent),
            ["0", "0", "5", "25", "50", "100"],
        );
        assert.deepEqual(gates, [], "the 0 % gate is not run twice");
        const busy = await (async () => {
            await stack.setConfig("controlStableRevision", STABLE);
            await stack.setConfig("controlCanaryPercent", "25");
            standIn.state.split = [
                { revision: STABLE, percent: 75 },
                { revision: CANARY, percent: 25 },
            ];
            return rollout({ stage: true });
        })();
        assert.equal(busy.exitCode, 2);
        assert.match(busy.record.message, /a rollout of .* is in progress at 25 %: resume it/);
    });

    it("a revision that changed under the rollout never takes traffic: rolled back at once, before it is judged", async () => {
        await rollout({ interruptAtWait: 2 });
        stack.template = "openagents-control-service-9e8d7c6-ffff00";
        const result = await rollout();
        assert.equal(result.exitCode, 1, result.record.message);
        assert.equal(result.record.outcome, "rolled-back");
        assert.match(result.record.message, /the up deployed openagents-control-service-9e8d7c6-ffff00, not .* \(the stack file changed under the rollout\)/);
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
    });

    it("a resume refuses a stack file that now holds another control image", async () => {
        await rollout({ interruptAtWait: 2 });
        await stack.setConfig("controlImageTag", "1a2b3c4");
        const upsBefore = stack.ups.length;
        const result = await rollout();
        assert.equal(result.exitCode, 2);
        assert.match(result.record.message, /the stack file's control image is 1a2b3c4 but the rollout in progress .* runs .*:9e8d7c6: finish or roll back/);
        assert.equal(stack.ups.length, upsBefore, "no up");
    });

    it("an error outside the ladder's decisions (a failing read) stops with exit 5, the resume command and the evidence", async () => {
        const result = await rollout({
            metrics: (p) => {
                if (p === 25) throw new Error(`Cloud Run answered 503 for token ${TOKEN}`);
                return healthy(p * 60);
            },
        });
        assert.equal(result.exitCode, 5);
        assert.equal(result.record.outcome, "error");
        assert.match(result.record.message, /the rollout stopped on an error \(Cloud Run answered 503 for token \*\*\*\); traffic is as the last successful up left it: resume with/);
        assert.equal(evidence().json.resume, "npm run canary -- rollout --environment prod --stack prod");
        assert.ok(!JSON.stringify(evidence().json).includes(TOKEN.slice(5, 20)));
    });

    it("a promotion whose confirming read fails still commits the stack file (the up deployed it) and stops with exit 5", async () => {
        const up = stack.up.bind(stack);
        stack.up = async () => {
            const summary = await up();
            if (stack.ups.length === 5) standIn.fail(/services\//, { status: 403, body: errorBody(403, "Permission run.services.get denied") });
            return summary;
        };
        const result = await rollout();
        assert.equal(result.exitCode, 5, printed.join("\n"));
        assert.equal(result.record.outcome, "error");
        assert.deepEqual(standIn.state.split, [{ revision: CANARY, percent: 100 }]);
        // Main holds what the up deployed: a rerun from main (CI's next job) must not find the old split in the stack file.
        assert.match(git(dir, "log", "-1", "--format=%s"), new RegExp(`^Promote ${CANARY} to 100 % on prod`));
        assert.equal(git(dir, "status", "--porcelain"), "");
        assert.match(result.record.message, /the promotion's up succeeded and the stack file is committed, but Cloud Run's split could not be read .*403/);
    });

    it("rollback right after a promotion changes nothing and says so (exit 2, --to)", async () => {
        await rollout();
        const o = resolveRolloutOptions(["--environment", "prod", "--output-dir", out, "--plain"], "rollback", { env: {}, cwd: dir });
        const r = await runRollback(
            undefined,
            { stack, readTraffic: cloudRunTraffic(env(), "prod", http, new Redactor()), gate: () => Promise.resolve({ go: true, summary: "GO" }), commit: stackFileCommit(o), write: () => undefined },
            out,
        );
        assert.equal(r.exitCode, 2);
        assert.match(r.message, /nothing to roll back: .* already serves 100 % .* pass --to/);
    });

    it("a rerun refuses to guess when the service does not serve what the stack says", async () => {
        await stack.setConfig("controlStableRevision", STABLE);
        await stack.setConfig("controlCanaryPercent", "25");
        standIn.state.split = [{ revision: STABLE, percent: 100 }];
        const result = await rollout();
        assert.equal(result.exitCode, 2);
        assert.match(result.record.message, /cannot resume: the stack says .* 75 % and .* 25 %, but Cloud Run serves .* 100 %/);
        assert.equal(stack.ups.length, 0);
    });

    it("an up refused by the policy pack stops with exit 4, the stack file back to what is deployed", async () => {
        stack.failUpAt = { call: 4, error: new StackError("pulumi up failed: mandatory policy violation: canary-split: controlCanaryPercent 50 ...", "policy") };
        const result = await rollout();
        assert.equal(result.exitCode, 4);
        assert.equal(result.record.outcome, "up-failed");
        assert.deepEqual(await config(), ["25", STABLE], "the config names what is deployed, not the refused rung");
        assert.match(result.record.message, /mandatory policy violation/);
        assert.deepEqual(standIn.state.split, [
            { revision: STABLE, percent: 75 },
            { revision: CANARY, percent: 25 },
        ]);
    });

    it("a rollback whose up fails says the canary still takes traffic and how to finish the rollback (exit 4)", async () => {
        stack.failUpAt = { call: 3, error: new StackError("pulumi up failed: error: googleapi: Error 503: backend unavailable", "command") };
        const result = await rollout({ metrics: (p) => (p === 5 ? broken(300) : healthy(p * 60)) });
        assert.equal(result.exitCode, 4);
        assert.equal(result.record.outcome, "up-failed");
        assert.deepEqual(standIn.state.split, [
            { revision: STABLE, percent: 95 },
            { revision: CANARY, percent: 5 },
        ]);
        assert.match(result.record.message, /the rollback's up failed .*the analysis at 5 %: canary 5xx rate clearly above/);
        assert.match(result.record.message, new RegExp(`${CANARY} still takes 5 %: roll back with \`npm run canary -- rollback --environment prod --stack prod\``));
        assert.equal(evidence().json.resume, "npm run canary -- rollback --environment prod --stack prod", "the command that finishes the rollback, not one that resumes the regressed canary");
    });

    it("an up that fails on a rung names the resume and rollback commands in the message and the evidence", async () => {
        stack.failUpAt = { call: 4, error: new StackError("pulumi up failed: error: googleapi: Error 503: backend unavailable", "command") };
        const result = await rollout();
        assert.equal(result.exitCode, 4);
        assert.match(result.record.message, /resume with `npm run canary -- rollout --environment prod --stack prod` or roll back with `npm run canary -- rollback --environment prod --stack prod`/);
        assert.equal(evidence().json.resume, "npm run canary -- rollout --environment prod --stack prod");
    });

    it("a provider error on the first up stops before anything is judged", async () => {
        stack.failUpAt = { call: 1, error: new StackError("pulumi up failed: error: googleapi: Error 503: backend unavailable", "command") };
        const result = await rollout();
        assert.equal(result.exitCode, 4);
        assert.deepEqual(await config(), ["100", ""]);
        assert.deepEqual(gates, []);
    });

    it("metrics unreadable (403): every stage holds, never promotes, stops past --max-holds", async () => {
        standIn.fail(/timeSeries/, { status: 403, body: errorBody(403, "Permission monitoring.timeSeries.list denied") });
        const result = await rollout({ maxHolds: 1 });
        assert.equal(result.exitCode, 3);
        assert.deepEqual(await config(), ["5", STABLE]);
        const analyses = evidence().json.rungs[1].analyses;
        assert.deepEqual(
            analyses.map((a: any) => a.decision),
            ["hold", "hold"],
        );
        assert.match(analyses[0].reasons[0], /could not be read: .*403/);
        for (const text of [JSON.stringify(evidence().json), evidence().summary, printed.join("\n")]) assert.ok(!text.includes(TOKEN.slice(5, 20)), "no token in any output");
    });

    it("rollback: back to the stable revision at once (no other environment involved), gated, committed", async () => {
        await rollout({ interruptAtWait: 3 });
        assert.deepEqual(standIn.state.split, [
            { revision: STABLE, percent: 50 },
            { revision: CANARY, percent: 50 },
        ]);
        const o = resolveRolloutOptions(["--environment", "prod", "--output-dir", out, "--plain"], "rollback", { env: {}, cwd: dir });
        const result = await runRollback(
            undefined,
            {
                stack,
                readTraffic: cloudRunTraffic(env(), "prod", http, new Redactor()),
                gate: () => Promise.resolve({ go: true, summary: "GO: 11 passed" }),
                commit: stackFileCommit(o),
                write: (l) => void printed.push(l),
            },
            out,
        );
        assert.equal(result.exitCode, 0, result.message);
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
        assert.match(git(dir, "log", "-1", "--format=%s"), new RegExp(`Roll back the control service on prod to ${STABLE}`));
    });

    it("rollback: a signal mid-rollback exits with the outcome when the work completed (0, 4), with the signal's code when it cut the gate short", async () => {
        const o = resolveRolloutOptions(["--environment", "prod", "--output-dir", out, "--plain"], "rollback", { env: {}, cwd: dir });
        const rollbackWithSignal = async (gateHonoursSignal: boolean): Promise<number> => {
            const interrupt = new AbortController();
            const up = stack.up.bind(stack);
            // The signal arrives while the up runs (the first stage lets an up finish).
            stack.up = () => {
                interrupt.abort();
                return up();
            };
            try {
                const result = await runRollback(
                    undefined,
                    {
                        stack,
                        readTraffic: cloudRunTraffic(env(), "prod", http, new Redactor()),
                        gate: (_outputs, _dir) =>
                            Promise.resolve(gateHonoursSignal && interrupt.signal.aborted ? { go: false, summary: "NO-GO: interrupted" } : { go: true, summary: "GO: 11 passed" }),
                        commit: stackFileCommit(o),
                        write: (l) => void printed.push(l),
                        interrupt: interrupt.signal,
                    },
                    out,
                );
                return rollbackExitCode(result, 130);
            } finally {
                stack.up = up;
            }
        };
        const rungAt50 = async (): Promise<void> => {
            await stack.setConfig("controlStableRevision", STABLE);
            await stack.setConfig("controlCanaryPercent", "50");
            await stack.up();
        };
        await rungAt50();
        assert.equal(await rollbackWithSignal(false), 0, "the rollback finished and its gate said GO: the signal changes nothing");
        assert.deepEqual(standIn.state.split, [{ revision: STABLE, percent: 100 }]);
        await rungAt50();
        stack.failUpAt = { call: stack.ups.length + 1, error: new StackError("pulumi up failed: error: googleapi: Error 503: backend unavailable", "command") };
        assert.equal(await rollbackWithSignal(false), 4, "the rollback's up failed: exit 4 names it, not the signal");
        stack.failUpAt = undefined;
        await rungAt50();
        assert.equal(await rollbackWithSignal(true), 130, "the signal cut the gate short: the rollback is not verified");
    });
});

describe("canary rollout options", () => {
    it("refuses a ladder that does not rise to 100, and --to on rollout", () => {
        for (const ladder of ["5,25,50", "25,5,100", "0,5,100", "5,x,100", "5,25,50,100,120"]) {
            assert.throws(() => resolveRolloutOptions(["--environment", "prod", "--ladder", ladder], "rollout", { env: {} }), /--ladder: .* is not rising whole percents above 0 ending at 100/);
        }
        assert.throws(() => resolveRolloutOptions(["--environment", "prod", "--to", "r"], "rollout", { env: {} }), /--to is for `canary rollback`/);
        assert.throws(() => resolveRolloutOptions(["--environment", "qa"], "rollout", { env: {} }), /--environment: expected staging or prod, got 'qa'/);
        assert.throws(() => resolveRolloutOptions(["--environment", "prod", "--bogus"], "rollout", { env: {} }), /unknown option --bogus/);
        assert.deepEqual(resolveRolloutOptions(["--environment", "prod"], "rollout", { env: {} }).ladder, [5, 25, 50, 100]);
    });
});

describe("canary rollout: the gate it runs is the real one, on the stack's outputs", function () {
    this.timeout(30_000);
    it("GO on a healthy environment, NO-GO when its control service is not ready", async () => {
        const h = await healthyEnvironment();
        const fake = fakeOpenAgentsRepo("pass");
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-gate-"));
        // The contract tests' cargo is looked up on this process's PATH (the gate runs in-process).
        const savedPath = process.env.PATH;
        process.env.PATH = fake.path;
        try {
            const { PROD_CONTROL_BASE_URL: _c, PROD_RUNTIME_BASE_URL: _r, STAGING_CONTROL_BASE_URL: _sc, STAGING_RUNTIME_BASE_URL: _sr, ...rest } = h.env({ RUN_KHALA_CONTRACT_TESTS: "1" });
            const env = cleanEnv({ ...rest, PATH: fake.path, OPENAGENTS_REPO: fake.repo });
            const o = resolveRolloutOptions(["--environment", "prod", "--output-dir", out, "--plain"], "rollout", { env: {} });
            const gate = environmentGate(o, env, { write: () => undefined, interrupt: new AbortController().signal, gateIo: { idTokens: noIdTokenSource } });
            const outputs = prodOutputsOf(h);
            const go = await gate(outputs, path.join(out, "go"));
            assert.equal(go.go, true, go.summary);
            assert.ok(h.servers.prodControl.requests.length > 0 && h.servers.stagingControl.requests.length === 0, "prod's targets came from the outputs, staging was not part of it");
            h.override("prodControl", /^GET \/readyz/, (_q, res) => sendJson(res, 503, { status: "not_ready", static_dir: "/missing" }));
            const noGo = await gate(outputs, path.join(out, "no-go"));
            assert.equal(noGo.go, false);
            assert.match(noGo.summary, /^NO-GO: .*control-prod-health: GET \/readyz answered 503/);
            assert.ok(fs.existsSync(path.join(out, "no-go", "SUMMARY.md")));
        } finally {
            process.env.PATH = savedPath;
            fake.cleanup();
            await h.close();
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

describe("canary rollout: the printed resume command", () => {
    it("repeats every choice that was made (project, holds, push, commit, plain)", () => {
        const o = resolveRolloutOptions(["--environment", "prod", "--stack", "prod-eu", "--project-dir", "/srv/infra", "--max-holds", "9", "--push", "main", "--window", "20m", "--plain"], "rollout", {
            env: {},
            cwd: "/home/me",
        });
        assert.equal(resumeCommand(o, "/home/me"), "npm run canary -- rollout --environment prod --stack prod-eu --window 1200s --max-holds 9 --project-dir /srv/infra --push main --plain");
        const local = resolveRolloutOptions(["--environment", "staging", "--no-commit"], "rollout", { env: {}, cwd: "/srv/infra", isTTY: true });
        assert.equal(resumeCommand(local, "/srv/infra"), "npm run canary -- rollout --environment staging --stack staging --no-commit");
    });
});

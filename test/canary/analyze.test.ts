// `canary analyze` in-process against the loopback Monitoring / Cloud Run stand-in: each
// decision path, each fault a hold with its cause, and no token in any output.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAnalysis, type AnalyzeRun } from "../../canary/analyze";
import { judgeStage } from "../../canary/judge";
import { resolveAnalyzeOptions } from "../../canary/options";
import { CANARY, MonitoringStandIn, STABLE, TOKEN, errorBody, healthyState, spread, traffic, type MonitoringState } from "./stand-in";

const TIMESERIES = /\/v3\/projects\/[^/]+\/timeSeries/;
const COUNTS = /request_count/;
const LATENCIES = /request_latencies/;

describe("canary analyze against a Monitoring stand-in", () => {
    let standIn: MonitoringStandIn;
    let dir: string;
    let printed: string;

    beforeEach(async () => {
        standIn = await new MonitoringStandIn(healthyState()).start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
        printed = "";
    });
    afterEach(async () => {
        await standIn.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function analyze(change: (s: MonitoringState) => void = () => undefined, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AnalyzeRun> {
        change(standIn.state);
        const options = resolveAnalyzeOptions(["--environment", "prod", "--canary-revision", CANARY, "--stable-revision", STABLE, "--canary-percent", "5", "--output-dir", dir, "--plain", ...extra], {
            env: { CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN, ...env },
        });
        const summaryFile = path.join(dir, "step-summary.md");
        return runAnalysis(options, { write: (t) => (printed += t), stepSummaryFile: summaryFile, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 } });
    }

    function evidence(): { json: any; summary: string; all: string } {
        const json = fs.readFileSync(path.join(dir, "analysis.json"), "utf8");
        const summary = fs.readFileSync(path.join(dir, "SUMMARY.md"), "utf8");
        return { json: JSON.parse(json), summary, all: json + summary + printed + fs.readFileSync(path.join(dir, "step-summary.md"), "utf8") };
    }

    function assertNoToken(): void {
        const { all } = evidence();
        assert.ok(!all.includes(TOKEN) && !all.includes(TOKEN.slice(5, 20)), "the token leaked into an output");
    }

    it("a rollout's look also reads the whole rollout so far, and hands both to its rule", async () => {
        const options = resolveAnalyzeOptions(["--environment", "prod", "--canary-revision", CANARY, "--stable-revision", STABLE, "--canary-percent", "5", "--output-dir", dir, "--plain"], {
            env: { CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN },
        });
        const window = { start: new Date("2026-12-05T01:20:00Z"), end: new Date("2026-12-05T01:24:00Z") };
        const seen: Array<boolean> = [];
        const judge = (input: Parameters<typeof judgeStage>[0], rollout?: unknown) => {
            seen.push(rollout !== undefined);
            return judgeStage(input);
        };
        const run = (rolloutStart?: Date) => runAnalysis(options, { write: () => undefined, window, rolloutStart, judge, retry: { attempts: 1, baseDelayMs: 5, maxDelayMs: 50 } });
        await run(new Date("2026-12-05T01:07:00Z"));
        const queries = (): Array<{ what: string; params: Record<string, string> }> => JSON.parse(fs.readFileSync(path.join(dir, "analysis.json"), "utf8")).queries;
        const starts = queries()
            .map((q) => `${q.what} ${q.params["interval.startTime"]} ${q.params["aggregation.alignmentPeriod"]}`)
            .sort();
        assert.deepEqual(starts, [
            "request_count 2026-12-05T01:07:00.000Z 1020s",
            "request_count 2026-12-05T01:20:00.000Z 240s",
            "request_latencies 2026-12-05T01:07:00.000Z 1020s",
            "request_latencies 2026-12-05T01:20:00.000Z 240s",
        ]);
        // No earlier start (the first rung, or a single-stage analysis): the window alone.
        await run(window.start);
        await run();
        assert.deepEqual(seen, [true, false, false]);
        assert.equal(queries().length, 2);
    });

    it("promotes a healthy canary, reading every page and summing every point, with the evidence", async () => {
        const run = await analyze();
        assert.equal(run.judgement.decision, "promote", run.judgement.reasons.join("\n"));
        assert.equal(run.exitCode, 0);
        assert.equal(run.judgement.canary.requests, 600);
        assert.equal(run.judgement.canary.errors, 1);
        assert.equal(run.judgement.stable.requests, 11_400);
        assert.equal(run.judgement.canary.latencySamples, 600);
        // Four count series and two latency series at two per page: three pages, then two.
        assert.equal(standIn.requests.filter((r) => COUNTS.test(r.path)).length, 2);
        assert.ok(standIn.requests.some((r) => /pageToken=page-2/.test(r.path)));
        const { json, summary } = evidence();
        assert.equal(json.schemaVersion, 1);
        assert.equal(json.decision, "promote");
        assert.equal(json.canary.requests, 600);
        assert.ok(json.canary.p95Ms > 0 && json.stable.p95Ms > 0);
        assert.equal(json.queries.length, 2);
        const counts = json.queries.find((q: any) => q.what === "request_count");
        assert.deepEqual(counts.params["aggregation.groupByFields"], ["resource.labels.revision_name", "metric.labels.response_code_class"]);
        assert.equal(counts.params["aggregation.alignmentPeriod"], "600s");
        assert.match(counts.params.filter, /metric\.type="run\.googleapis\.com\/request_count"/);
        assert.equal(counts.pages, 2);
        assert.deepEqual(json.split.serving, [
            { revision: STABLE, percent: 95 },
            { revision: CANARY, percent: 5 },
        ]);
        assert.match(summary, /^# Canary analysis: PROMOTE/);
        assert.match(summary, /```mermaid\nxychart-beta/);
        assert.match(fs.readFileSync(path.join(dir, "step-summary.md"), "utf8"), /# Canary analysis: PROMOTE/);
        // The window ends three minutes before now, on a whole minute, and spans ten.
        assert.equal(Date.parse(json.window.end) - Date.parse(json.window.start), 600_000);
        assert.ok(Date.now() - Date.parse(json.window.end) >= 180_000);
        assertNoToken();
    });

    it("rolls back a canary whose 5xx rate is clearly above 1 % even below the minimum sample", async () => {
        const run = await analyze((s) => (s.revisions[CANARY] = traffic(40, 5, spread(40, 160, 40))));
        assert.equal(run.judgement.decision, "rollback");
        assert.equal(run.exitCode, 1);
        assert.match(run.judgement.reasons[0], /clearly above 1\.00 %/);
        assertNoToken();
    });

    it("rolls back a canary whose p95 is clearly worse than stable's", async () => {
        const run = await analyze((s) => (s.revisions[CANARY] = traffic(2000, 2, spread(80, 400, 2000))));
        assert.equal(run.judgement.decision, "rollback", run.judgement.reasons.join("\n"));
        assert.match(run.judgement.reasons[0], /lower bound is above 1\.2x stable/);
    });

    it("holds with too few requests, and never promotes them", async () => {
        const run = await analyze((s) => (s.revisions[CANARY] = traffic(60, 0, spread(40, 160, 60))));
        assert.equal(run.judgement.decision, "hold");
        assert.equal(run.exitCode, 3);
        assert.match(run.judgement.reasons[0], /too few requests to promote: canary .* has 60/);
    });

    it("holds when the stable revision itself is failing", async () => {
        const run = await analyze((s) => (s.revisions[STABLE] = traffic(11_400, 800, spread(40, 160, 11_400))));
        assert.equal(run.judgement.decision, "hold");
        assert.match(run.judgement.reasons.join("\n"), /stable revision itself is failing/);
    });

    it("holds when the split serving is not the one judged", async () => {
        const run = await analyze(
            (s) =>
                (s.split = [
                    { revision: STABLE, percent: 75 },
                    { revision: CANARY, percent: 25 },
                ]),
        );
        assert.equal(run.judgement.decision, "hold");
        assert.match(run.judgement.reasons[0], /the split serving is not the one judged: .*75 %/);
    });

    it("holds on an empty answer: no data is not zero errors", async () => {
        const run = await analyze((s) => (s.revisions = {}));
        assert.equal(run.judgement.decision, "hold");
        assert.match(run.judgement.reasons[0], /no request_count series for either revision in the window: no data/);
    });

    it("holds when the canary has no series at all (a canary that cannot scale looks like no traffic)", async () => {
        const run = await analyze((s) => delete s.revisions[CANARY]);
        assert.equal(run.judgement.decision, "hold");
        assert.match(run.judgement.reasons[0], new RegExp(`no request_count series for ${CANARY}`));
    });

    const faults: Array<[string, RegExp, Parameters<MonitoringStandIn["fail"]>[1], RegExp]> = [
        ["401", COUNTS, { status: 401 }, /answered 401 UNAUTHENTICATED/],
        ["403", COUNTS, { status: 403 }, /403 PERMISSION_DENIED .*roles\/monitoring\.viewer/],
        ["404", LATENCIES, { status: 404 }, /latencies could not be read: .*404 NOT_FOUND/],
        ["429 after the retries", COUNTS, { status: 429, retryAfter: "0" }, /429 RESOURCE_EXHAUSTED .*after 3 attempts/],
        ["500 after the retries", LATENCIES, { status: 500 }, /500 INTERNAL .*after 3 attempts/],
        ["a body that is not JSON", COUNTS, { status: 200, body: "<html>oops</html>" }, /not JSON: <html>oops<\/html>/],
        [
            "executionErrors",
            COUNTS,
            { status: 200, body: JSON.stringify({ timeSeries: [], executionErrors: [{ code: 13, message: "partial: some data is unavailable" }] }) },
            /executionErrors .*incomplete.*partial: some data/,
        ],
        [
            "counts that are not int64 strings",
            COUNTS,
            {
                status: 200,
                body: JSON.stringify({
                    timeSeries: [{ metric: { labels: { response_code_class: "2xx" } }, resource: { labels: { revision_name: CANARY } }, points: [{ value: { int64Value: "12abc" } }] }],
                }),
            },
            /not a non-negative integer: "12abc"/,
        ],
        [
            "unknown bucketOptions",
            LATENCIES,
            {
                status: 200,
                body: JSON.stringify({
                    timeSeries: [{ resource: { labels: { revision_name: CANARY } }, points: [{ value: { distributionValue: { count: "3", bucketOptions: { weird: {} }, bucketCounts: ["3"] } } }] }],
                }),
            },
            /bucketOptions that are not exponential, linear or explicit/,
        ],
        ["a reset connection", COUNTS, { reset: true }, /could not be reached/],
        ["a runaway page token", COUNTS, { status: 200, body: JSON.stringify({ timeSeries: [], nextPageToken: "again" }) }, /repeated a page token/],
        ["the Cloud Run read failing", /\/v2\/projects/, { status: 403 }, /serving split could not be confirmed: .*403/],
    ];
    for (const [name, match, fault, cause] of faults) {
        it(`holds on ${name}, with the cause and no token anywhere`, async () => {
            standIn.fail(match, { ...fault, body: fault.body ?? errorBody(fault.status ?? 500, `stand-in ${name} with Bearer ${TOKEN}`) });
            const run = await analyze();
            assert.equal(run.judgement.decision, "hold", run.judgement.reasons.join("\n"));
            assert.equal(run.exitCode, 3);
            assert.match(run.judgement.reasons[0], cause);
            assertNoToken();
        });
    }

    it("holds when the reads outlast the deadline, without hanging", async () => {
        standIn.fail(TIMESERIES, { hang: true });
        const started = Date.now();
        const run = await analyze(undefined, ["--timeout", "400ms"]);
        assert.equal(run.judgement.decision, "hold");
        assert.ok(Date.now() - started < 5_000);
        assert.match(run.judgement.reasons[0], /did not finish within|could not be reached/);
    });

    it("holds on an interrupt, writing the evidence", async () => {
        standIn.fail(TIMESERIES, { hang: true });
        const options = resolveAnalyzeOptions(["--environment", "prod", "--canary-revision", CANARY, "--stable-revision", STABLE, "--canary-percent", "5", "--output-dir", dir, "--plain"], {
            env: { CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN },
        });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const run = await runAnalysis(options, { write: () => undefined, interrupt: controller.signal });
        assert.equal(run.judgement.decision, "hold");
        assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "analysis.json"), "utf8")).interrupted, true);
    });
});

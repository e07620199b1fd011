// The Monitoring stand-in is as strict as Cloud Monitoring for what the analysis sends, and the
// analysis reads what Google actually answers: aggregation validated and applied, label kinds told
// apart, proto3 JSON's omitted defaults (a linear layout with offset 0), ErrorInfo reasons named.
// The official @google-cloud/monitoring client (REST) re-sends the analysis' own queries and must
// decode every answer (autoPaginate off: its auto-pagination would drop executionErrors).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAnalysis, type AnalyzeRun } from "../../canary/analyze";
import { bucketBounds, histogramQuantile, mergeHistograms } from "../../canary/histogram";
import { latencyHistogramsByRevision } from "../../canary/monitoring";
import { resolveAnalyzeOptions } from "../../canary/options";
import { clients } from "../google-oracle";
import { CANARY, MonitoringStandIn, PROJECT, SERVICE, STABLE, TOKEN, healthyState, type MonitoringState } from "./stand-in";

describe("Cloud Monitoring as Google answers it", () => {
    let standIn: MonitoringStandIn;
    let dir: string;

    beforeEach(async () => {
        standIn = await new MonitoringStandIn(healthyState()).start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-fidelity-"));
    });
    afterEach(async () => {
        assert.deepEqual(standIn.notGoogle, [], "the stand-in gave an answer Google could not");
        await standIn.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    function analyze(change: (s: MonitoringState) => void = () => undefined): Promise<AnalyzeRun> {
        change(standIn.state);
        const options = resolveAnalyzeOptions(["--environment", "prod", "--canary-revision", CANARY, "--stable-revision", STABLE, "--canary-percent", "5", "--output-dir", dir, "--plain"], {
            env: { CLOUD_MONITORING_API_URL: standIn.url, CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: TOKEN },
        });
        return runAnalysis(options, { write: () => undefined, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    }

    /** Sends the query params as a URL to the stand-in, returning status and body. */
    async function query(params: Array<[string, string]>): Promise<{ status: number; body: any }> {
        const response = await fetch(`${standIn.url}/v3/projects/${PROJECT}/timeSeries?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        return { status: response.status, body: await response.json() };
    }

    const window = (): Array<[string, string]> => {
        const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
        return [
            ["interval.startTime", new Date(end.getTime() - 600_000).toISOString()],
            ["interval.endTime", end.toISOString()],
        ];
    };
    const COUNT_FILTER = `metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.labels.service_name="${SERVICE}"`;

    it("the analysis' own queries, re-sent through the official client, decode; executionErrors stay visible with autoPaginate off", async () => {
        const run = await analyze();
        assert.equal(run.judgement.decision, "promote", run.judgement.reasons.join("\n"));
        const metrics = clients(standIn.url, TOKEN).metrics;
        for (const sent of run.analysis.queries) {
            const p = new Map<string, string[]>();
            for (const [k, v] of sent.params) p.set(k, [...(p.get(k) ?? []), v]);
            const one = (k: string): string => (p.get(k) ?? [""])[0];
            const seconds = (iso: string) => ({ seconds: Math.floor(Date.parse(iso) / 1000) });
            const [series, , raw] = await metrics.listTimeSeries(
                {
                    name: `projects/${PROJECT}`,
                    filter: one("filter"),
                    interval: { startTime: seconds(one("interval.startTime")), endTime: seconds(one("interval.endTime")) },
                    aggregation: {
                        alignmentPeriod: { seconds: Number(one("aggregation.alignmentPeriod").replace(/s$/, "")) },
                        perSeriesAligner: one("aggregation.perSeriesAligner") as "ALIGN_DELTA",
                        crossSeriesReducer: one("aggregation.crossSeriesReducer") as "REDUCE_SUM",
                        groupByFields: p.get("aggregation.groupByFields") ?? [],
                    },
                },
                { autoPaginate: false },
            );
            assert.ok(series.length > 0, `${sent.what}: no series`);
            for (const s of series) assert.ok(s.resource?.labels?.revision_name, "grouped by the resource label, it stays a resource label");
            assert.ok(raw && "executionErrors" in raw, "the raw response keeps executionErrors");
        }
    });

    it("applies ALIGN_DELTA and REDUCE_SUM: one point per revision and class for a window-long period, other labels aggregated away", async () => {
        const grouped = await query([
            ["filter", COUNT_FILTER],
            ...window(),
            ["aggregation.alignmentPeriod", "600s"],
            ["aggregation.perSeriesAligner", "ALIGN_DELTA"],
            ["aggregation.crossSeriesReducer", "REDUCE_SUM"],
            ["aggregation.groupByFields", "resource.labels.revision_name"],
            ["aggregation.groupByFields", "metric.labels.response_code_class"],
        ]);
        assert.equal(grouped.status, 200);
        const all = [
            grouped.body.timeSeries,
            (
                await query([
                    ["filter", COUNT_FILTER],
                    ...window(),
                    ["aggregation.alignmentPeriod", "600s"],
                    ["aggregation.perSeriesAligner", "1"],
                    ["aggregation.crossSeriesReducer", "4"],
                    ["aggregation.groupByFields", "resource.labels.revision_name"],
                    ["aggregation.groupByFields", "metric.labels.response_code_class"],
                    ["pageToken", "page-2"],
                ])
            ).body.timeSeries,
        ].flat();
        assert.equal(all.length, 4, "canary and stable, 2xx and 5xx");
        for (const s of all) {
            assert.deepEqual(Object.keys(s.resource.labels), ["revision_name"]);
            assert.deepEqual(Object.keys(s.metric.labels), ["response_code_class"]);
            assert.equal(s.points.length, 1);
        }
        const canary2xx = all.find((s) => s.resource.labels.revision_name === CANARY && s.metric.labels.response_code_class === "2xx");
        assert.equal(canary2xx.points[0].value.int64Value, "599");
        // Unaligned, the raw series come back: several per revision and class, several points each.
        const rawAnswer = await query([["filter", COUNT_FILTER], ...window()]);
        assert.ok(rawAnswer.body.timeSeries.every((s: any) => s.points.length === 2 && "response_code" in s.metric.labels));
    });

    for (const [name, params, message] of [
        [
            "a reducer without an aligner",
            [
                ["aggregation.crossSeriesReducer", "REDUCE_SUM"],
                ["aggregation.alignmentPeriod", "600s"],
            ],
            /requires a per-series aligner/,
        ],
        ["an aligner without a period", [["aggregation.perSeriesAligner", "ALIGN_DELTA"]], /at least 60 seconds/],
        [
            "a period under a minute",
            [
                ["aggregation.perSeriesAligner", "ALIGN_DELTA"],
                ["aggregation.alignmentPeriod", "30s"],
            ],
            /at least 60 seconds/,
        ],
        [
            "an aligner the stand-in cannot apply",
            [
                ["aggregation.perSeriesAligner", "ALIGN_PERCENTILE_95"],
                ["aggregation.alignmentPeriod", "600s"],
            ],
            /cannot apply the aligner/,
        ],
    ] as const) {
        it(`refuses ${name} (common.proto:384-431), as Monitoring does`, async () => {
            const answer = await query([["filter", COUNT_FILTER], ...window(), ...(params as unknown as Array<[string, string]>)]);
            assert.equal(answer.status, 400);
            assert.match(answer.body.error.message, message);
        });
    }

    it("refuses a filter clause it cannot evaluate instead of ignoring it", async () => {
        const answer = await query([["filter", `${COUNT_FILTER} AND metric.labels.response_code>=500`], ...window()]);
        assert.equal(answer.status, 400);
        assert.match(answer.body.error.message, /cannot evaluate the filter clause "metric.labels.response_code>=500"/);
    });

    it("tells label kinds apart: revision_name is a resource label; asked as a metric label it matches nothing, grouped by as one it is gone", async () => {
        const asMetric = await query([["filter", `${COUNT_FILTER} AND metric.labels.revision_name="${CANARY}"`], ...window()]);
        assert.deepEqual(asMetric.body, {}, "no series, and proto3 JSON leaves the empty list out");
        const run = await analyze();
        assert.equal(run.judgement.decision, "promote");
        const wrongGroup = await query([
            ["filter", COUNT_FILTER],
            ...window(),
            ["aggregation.alignmentPeriod", "600s"],
            ["aggregation.perSeriesAligner", "ALIGN_DELTA"],
            ["aggregation.crossSeriesReducer", "REDUCE_SUM"],
            ["aggregation.groupByFields", "metric.labels.revision_name"],
        ]);
        assert.equal(wrongGroup.body.timeSeries.length, 1, "every revision summed into one series");
        assert.equal(wrongGroup.body.timeSeries[0].resource.labels, undefined);
    });

    it("reads a linear bucket layout whose offset 0 proto3 JSON leaves out", async () => {
        const linear = { linearBuckets: { numFiniteBuckets: 100, width: 5 } };
        assert.deepEqual(bucketBounds(linear)?.slice(0, 3), [0, 5, 10]);
        const run = await analyze((s) => (s.bucketOptions = linear));
        assert.equal(run.judgement.decision, "promote", run.judgement.reasons.join("\n"));
        assert.ok(standIn.requests.some((r) => /request_latencies/.test(r.path)));
        // The histogram built from Google's answer gives the same p95 as one built from the samples.
        const h = latencyHistogramsByRevision([
            { resource: { labels: { revision_name: CANARY } }, points: [{ value: { distributionValue: { count: "4", bucketOptions: linear, bucketCounts: ["0", "2", "2"] } } }] },
        ]).get(CANARY)!;
        assert.deepEqual(mergeHistograms([h])?.bounds.slice(0, 2), [0, 5]);
        assert.ok(histogramQuantile(h, 0.5)!.value <= 5);
    });

    for (const [reason, metadata, expect, role] of [
        [
            "SERVICE_DISABLED",
            { service: "monitoring.googleapis.com", consumer: "projects/987650001" },
            /SERVICE_DISABLED: monitoring\.googleapis\.com is not enabled in projects\/987650001: enable it/,
            false,
        ],
        ["ACCESS_TOKEN_SCOPE_INSUFFICIENT", {}, /ACCESS_TOKEN_SCOPE_INSUFFICIENT: the access token was minted without the OAuth scope/, false],
        [
            "IAM_PERMISSION_DENIED",
            { permission: "monitoring.timeSeries.list", resource: "projects/openagentsgemini" },
            /IAM_PERMISSION_DENIED: the caller lacks IAM permission monitoring\.timeSeries\.list on projects\/openagentsgemini/,
            true,
        ],
    ] as const) {
        it(`names a 403's ErrorInfo reason ${reason}${role ? ", with the role to grant" : ", without sending anyone to grant a role"}`, async () => {
            const body = JSON.stringify({
                error: {
                    code: 403,
                    status: "PERMISSION_DENIED",
                    message: "The caller does not have permission",
                    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com", metadata }],
                },
            });
            standIn.fail(/request_count/, { status: 403, body });
            const run = await analyze();
            assert.equal(run.judgement.decision, "hold");
            const cause = run.analysis.problems.find((p) => p.startsWith("request counts could not be read")) ?? "";
            assert.match(cause, expect);
            assert.equal(/roles\/monitoring\.viewer/.test(cause), role, cause);
        });
    }
});

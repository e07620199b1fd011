// The Cloud Run / Logging stand-in is as strict as Google for what the gate sends, every answer it
// gives decodes through the official clients (@google-cloud/run, @google-cloud/logging in REST
// mode), and the gate names a 403's google.rpc.ErrorInfo reason instead of always blaming a role.
import { strict as assert } from "node:assert";
import { runtimeMigrationDriftCheck } from "../../../validation/checks/runtime-migration-drift";
import { GcpClient } from "../../../io/gcp/client";
import { CloudRunApi } from "../../../io/gcp/cloudrun";
import { explicitTokenSource } from "../../../io/gcp/credentials";
import { GcpApiError } from "../../../io/gcp/errors";
import { errorFilter } from "../../../io/gcp/logging";
import { clients } from "../../google-oracle";
import { ALIGNED, BASELINE, RUNTIME_IMAGE, alignedState, baselineState } from "./environments";
import { TOKEN, apisFor, recordingContext, runCheck, useStandIn } from "./helpers";
import type { CloudState } from "./stand-in";

describe("Cloud Run and Logging as Google answers them", () => {
    const live = useStandIn();
    afterEach(() => assert.deepEqual(live.standIn.notGoogle, [], "the stand-in gave an answer Google could not"));

    for (const [name, scenario] of [
        ["aligned", alignedState],
        ["2026-02-21 baseline", baselineState],
    ] as const) {
        it(`every resource of the ${name} scenario decodes through the official clients`, async () => {
            const state: CloudState = scenario();
            live.standIn.state = state;
            const c = clients(live.standIn.url, TOKEN);
            const where = `projects/${state.project}/locations/${state.region}`;
            for (const [service, s] of Object.entries(state.services)) {
                const [decoded] = await c.services.getService({ name: `${where}/services/${service}` });
                assert.equal(decoded.name, s.name);
            }
            for (const r of Object.values(state.revisions)) {
                const [decoded] = await c.revisions.getRevision({ name: r.name });
                assert.equal(decoded.name, r.name);
            }
            for (const job of Object.keys(state.jobs)) {
                await c.jobs.getJob({ name: `${where}/jobs/${job}` });
                const [executions] = await c.executions.listExecutions({ parent: `${where}/jobs/${job}`, pageSize: 20 }, { autoPaginate: false });
                assert.equal(executions.length, (state.executions[job] ?? []).length);
            }
            for (const service of Object.keys(state.logs)) {
                const filter = errorFilter({ region: state.region, service, since: new Date(Date.now() - 3 * 3600_000) });
                const [entries] = await c.logging.listLogEntries({ resourceNames: [`projects/${state.project}`], filter, orderBy: "timestamp desc", pageSize: 50 }, { autoPaginate: false });
                assert.ok((entries as Array<{ resource?: { labels?: Record<string, string> | null } | null }>).every((e) => e.resource?.labels?.service_name === service));
            }
        });
    }

    it("an answer Google could not give (an empty list written out) is refused, never served", async () => {
        live.standIn.state.services[ALIGNED.control].conditions = [];
        await assert.rejects(live.apis.cloudRun.getService(recordingContext(), ALIGNED.control), (e: GcpApiError) =>
            /stand-in answer is not Google's: .*conditions: \[\] does not survive decoding/.test(e.message),
        );
        live.standIn.notGoogle.length = 0;
    });

    it("paths: another region holds nothing (404), another project is refused (403)", async () => {
        const client = new GcpClient({ http: live.apis.http, tokens: explicitTokenSource(TOKEN, "test"), attempts: 1 });
        const at = (project: string, region: string) => new CloudRunApi(client, live.standIn.url, { project, region });
        await assert.rejects(
            at(live.standIn.state.project, "europe-west1").getService(recordingContext(), ALIGNED.control),
            (e: GcpApiError) => e.kind === "not-found" && /in region 'europe-west1'/.test(e.message),
        );
        await assert.rejects(at("someone-elses-project", live.standIn.state.region).getService(recordingContext(), ALIGNED.control), (e: GcpApiError) => e.kind === "forbidden");
    });

    it("a revision is found only under its own service", async () => {
        await live.apis.cloudRun.getRevision(recordingContext(), ALIGNED.control, ALIGNED.controlRevision);
        await assert.rejects(live.apis.cloudRun.getRevision(recordingContext(), ALIGNED.runtime, ALIGNED.controlRevision), (e: GcpApiError) => e.kind === "not-found");
    });

    it("Logging: page size honoured and bounded, order_by and the filter evaluated or refused", async () => {
        live.standIn.state = baselineState();
        const logging = apisFor(live.standIn).logging;
        const page = await logging.listErrors(recordingContext(), {
            project: live.standIn.state.project,
            region: live.standIn.state.region,
            service: BASELINE.control,
            since: new Date(Date.now() - 3600_000),
            pageSize: 1,
            limit: 5,
        });
        assert.equal(page.pages, 2, "two ERROR entries at one per page");
        assert.equal(page.entries.length, 2);
        assert.ok(page.entries[0].timestamp! > page.entries[1].timestamp!, "newest first, as asked");
        const post = (body: unknown) => fetch(`${live.standIn.url}/v2/entries:list`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
        const base = { resourceNames: [`projects/${live.standIn.state.project}`] };
        assert.equal((await post({ ...base, pageSize: 1001 })).status, 400);
        assert.equal((await post({ ...base, orderBy: "severity desc" })).status, 400);
        assert.equal((await post({ pageSize: 5 })).status, 400, "resource_names is required");
        const unknownClause = await post({ ...base, filter: 'resource.type="cloud_run_revision" AND httpRequest.status>=500' });
        assert.equal(unknownClause.status, 400);
        assert.match(((await unknownClause.json()) as { error: { message: string } }).error.message, /cannot evaluate the filter clause "httpRequest.status>=500"/);
        // Without order_by, Logging answers oldest first.
        const ascending = (await (await post({ ...base, filter: `resource.labels.service_name="${BASELINE.control}"` })).json()) as { entries: { timestamp: string }[] };
        assert.ok(ascending.entries[0].timestamp < ascending.entries[1].timestamp);
    });

    it("ListExecutions honours page_size and says more remain", async () => {
        const c = clients(live.standIn.url, TOKEN);
        const [first, , raw] = await c.executions.listExecutions(
            { parent: `projects/${live.standIn.state.project}/locations/${live.standIn.state.region}/jobs/${ALIGNED.job}`, pageSize: 1 },
            { autoPaginate: false },
        );
        assert.equal(first.length, 1);
        assert.ok(raw?.nextPageToken);
    });

    for (const [reason, metadata, expect, blamesRole] of [
        [
            "SERVICE_DISABLED",
            { service: "run.googleapis.com", consumer: "projects/987650001" },
            /403 PERMISSION_DENIED .*\(SERVICE_DISABLED: run\.googleapis\.com is not enabled in projects\/987650001: enable it \(gcloud services enable run\.googleapis\.com\)/,
            false,
        ],
        ["ACCESS_TOKEN_SCOPE_INSUFFICIENT", {}, /\(ACCESS_TOKEN_SCOPE_INSUFFICIENT: the access token was minted without the OAuth scope/, false],
        ["IAM_PERMISSION_DENIED", { permission: "run.jobs.get" }, /\(IAM_PERMISSION_DENIED: the caller lacks IAM permission run\.jobs\.get\)/, false],
    ] as const) {
        it(`a 403 whose ErrorInfo reason is ${reason} is named in the cause`, async () => {
            const body = JSON.stringify({
                error: {
                    code: 403,
                    status: "PERMISSION_DENIED",
                    message: "Permission denied.",
                    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com", metadata }],
                },
            });
            live.standIn.fail(/^GET \/v2\/.*\/jobs\/runtime-migrate$/, { status: 403, body });
            const { verdict } = await runCheck(runtimeMigrationDriftCheck({ api: () => live.apis.cloudRun, serviceName: ALIGNED.runtime, jobName: ALIGNED.job, expectedImage: RUNTIME_IMAGE }));
            assert.equal(verdict.status, "failed");
            assert.match(verdict.cause ?? "", expect);
            assert.equal(/lacks permission \(roles/.test(verdict.cause ?? ""), blamesRole);
        });
    }
});

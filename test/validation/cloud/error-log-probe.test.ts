import * as assert from "node:assert/strict";
import type { ErrorLogProbeOptions } from "../../../validation/checks/error-log-probe";
import { ALIGNED, BASELINE, baselineState, logEntry } from "./environments";
import { logProbe, useStandIn } from "./helpers";

describe("error log probes against the Logging stand-in", () => {
    const live = useStandIn();

    const probe = (overrides: Partial<ErrorLogProbeOptions> = {}) => logProbe(live, overrides);

    it("passes when the window holds no ERROR entry (a WARNING and an ERROR 90 min old do not count)", async () => {
        const { verdict, log } = await probe();
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.match(verdict.cause ?? "", /^0 ERROR entries in the last 10 min \(threshold 0\)/);
        const [query] = live.standIn.requestsTo(/^POST \/v2\/entries:list/);
        const body = query.body as { resourceNames: string[]; filter: string; orderBy: string; pageSize: number };
        assert.deepEqual(body.resourceNames, ["projects/openagentsgemini"]);
        assert.match(
            body.filter,
            /resource\.type="cloud_run_revision" AND resource\.labels\.service_name="openagents-control-service" AND resource\.labels\.location="us-central1" AND \(severity>=ERROR OR jsonPayload\.level="ERROR" OR .* OR textPayload:"panicked at"\) AND timestamp>="/,
        );
        assert.equal(body.orderBy, "timestamp desc");
        assert.equal(body.pageSize, 50);
        assert.match(log, /filter: /);
    });

    it("fails when ERROR entries exceed the threshold, listing them trimmed", async () => {
        const long = `panic: ${"y".repeat(1000)}`;
        live.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", long, 2));
        live.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "CRITICAL", "db pool exhausted", 1));
        const { verdict, log } = await probe();
        assert.equal(verdict.status, "failed");
        assert.match(
            verdict.cause ?? "",
            /^2 severity>=ERROR entries for 'openagents-control-service' in the last 10 min \(threshold 0\); newest: .* CRITICAL openagents-control-service-00012-rst: db pool exhausted/,
        );
        const entryLine = log.split("\n").find((l) => l.includes("panic: "));
        assert.ok(entryLine, "the entry is listed in the log");
        assert.ok(entryLine.length < 320, `trimmed (was ${entryLine.length} characters)`);
        assert.match(entryLine, /…$/);
    });

    it("passes at the threshold and fails one above it", async () => {
        for (const m of [1, 2]) live.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", `e${m}`, m));
        assert.equal((await probe({ threshold: 2 })).verdict.status, "passed");
        assert.equal((await probe({ threshold: 1 })).verdict.status, "failed");
    });

    it("says 'at least' when the page was full", async () => {
        for (let m = 0; m < 5; m++) live.standIn.state.logs[ALIGNED.control].push(logEntry(ALIGNED.control, ALIGNED.controlRevision, "ERROR", `e${m}`, 1));
        const { verdict } = await probe({ limit: 3 });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /^at least 3 severity>=ERROR entries/);
    });

    it("a legacy service name fails even when its logs are empty", async () => {
        live.standIn.state = baselineState();
        live.standIn.state.logs = {};
        const { verdict } = await probe({ serviceName: BASELINE.control });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /'openagents-web' is the legacy laravel service .*its logs say nothing about the Rust control service/);
    });

    it("an unknown service name fails instead of passing on an empty answer", async () => {
        const { verdict } = await probe({ serviceName: "openagents-control-servce" });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /service 'openagents-control-servce' does not exist in openagentsgemini\/us-central1: an empty log answer would prove nothing/);
    });

    it("another lane's name fails (the runtime probe pointed at the control service)", async () => {
        const { verdict } = await probe({ lane: "runtime", serviceName: ALIGNED.control });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /is the control lane's name, not the runtime service's/);
    });

    it("2026-02-21: the legacy runtime's ERROR entries fail the runtime probe", async () => {
        live.standIn.state = baselineState();
        const { verdict, log } = await probe({ lane: "runtime", serviceName: BASELINE.runtime });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /^1 severity>=ERROR entries for 'openagents-runtime'/);
        assert.match(log, /DBConnection\.ConnectionError/);
    });
});

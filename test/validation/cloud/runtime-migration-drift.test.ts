import * as assert from "node:assert/strict";
import { runtimeMigrationDriftCheck } from "../../../validation/checks/runtime-migration-drift";
import { ALIGNED, BASELINE, OLD_RUNTIME_IMAGE, RUNTIME_IMAGE, baselineState, execution, job, revision, service } from "./environments";
import { runCheck, useStandIn } from "./helpers";

describe("runtime-migration-drift against the Cloud Run stand-in", () => {
    const live = useStandIn();

    const drift = (names: { serviceName?: string; jobName?: string; expectedImage?: string } = {}) =>
        runCheck(
            runtimeMigrationDriftCheck({
                api: () => live.apis.cloudRun,
                serviceName: names.serviceName ?? ALIGNED.runtime,
                jobName: names.jobName ?? ALIGNED.job,
                expectedImage: "expectedImage" in names ? names.expectedImage : RUNTIME_IMAGE,
            }),
        );

    it("passes when serving revision, template, job and latest execution run the expected image, logging each image", async () => {
        const { verdict, log } = await drift();
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.match(log, new RegExp(`serving revision ${ALIGNED.runtimeRevision} \\(100%\\) image: ${escape(RUNTIME_IMAGE)}`));
        assert.match(log, new RegExp(`service template image: ${escape(RUNTIME_IMAGE)}`));
        assert.match(log, new RegExp(`job template image: ${escape(RUNTIME_IMAGE)}`));
        assert.match(log, new RegExp(`latest execution ${ALIGNED.execution}: CONDITION_SUCCEEDED`));
        assert.match(log, new RegExp(`latest execution image: ${escape(RUNTIME_IMAGE)}`));
    });

    it("fails when the revision serving traffic runs another image than the template (the template alone looked fine)", async () => {
        const old = `${ALIGNED.runtime}-00006-old`;
        live.standIn.state.services[ALIGNED.runtime] = service(ALIGNED.runtime, RUNTIME_IMAGE, [{ revision: old, percent: 100 }], { created: ALIGNED.runtimeRevision, ready: ALIGNED.runtimeRevision });
        live.standIn.state.revisions[old] = revision(old, OLD_RUNTIME_IMAGE);
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", new RegExp(`serving revision '${old}' \\(100%\\) runs ${escape(OLD_RUNTIME_IMAGE)}, not the expected image`));
    });

    it("fails when a canary revision on a stale image serves part of the traffic", async () => {
        const old = `${ALIGNED.runtime}-00006-old`;
        live.standIn.state.services[ALIGNED.runtime] = service(ALIGNED.runtime, RUNTIME_IMAGE, [
            { revision: ALIGNED.runtimeRevision, percent: 90 },
            { revision: old, percent: 10 },
        ]);
        live.standIn.state.revisions[old] = revision(old, OLD_RUNTIME_IMAGE);
        const { verdict, log } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(log, /FAIL serving revision 'runtime-00006-old' \(10%\) runs/);
    });

    it("fails when the job's template runs another image", async () => {
        live.standIn.state.jobs[ALIGNED.job] = job(ALIGNED.job, OLD_RUNTIME_IMAGE, ALIGNED.execution);
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", new RegExp(`job '${ALIGNED.job}' template runs ${escape(OLD_RUNTIME_IMAGE)}, not the expected image`));
    });

    it("fails when the latest execution failed, quoting its condition", async () => {
        live.standIn.state.executions[ALIGNED.job] = [execution(ALIGNED.job, ALIGNED.execution, RUNTIME_IMAGE, "failed", 3)];
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /latest execution 'runtime-migrate-x7k2p' of job 'runtime-migrate' did not succeed: CONDITION_FAILED \(succeeded 0, failed 1\): .*checksum mismatch/);
    });

    it("fails when the latest execution is still running", async () => {
        live.standIn.state.executions[ALIGNED.job] = [execution(ALIGNED.job, ALIGNED.execution, RUNTIME_IMAGE, "running", 1)];
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /did not succeed: CONDITION_RECONCILING/);
    });

    it("fails when the job has never been executed", async () => {
        live.standIn.state.jobs[ALIGNED.job] = job(ALIGNED.job, RUNTIME_IMAGE);
        live.standIn.state.executions = {};
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /migrate job 'runtime-migrate' has never been executed/);
    });

    it("fails when the latest execution ran an older image, even if it succeeded", async () => {
        live.standIn.state.executions[ALIGNED.job] = [execution(ALIGNED.job, ALIGNED.execution, OLD_RUNTIME_IMAGE, "succeeded", 3)];
        const { verdict } = await drift();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", new RegExp(`latest execution '${ALIGNED.execution}' runs ${escape(OLD_RUNTIME_IMAGE)}`));
    });

    it("fails when everything agrees on an image that is not the expected one", async () => {
        const { verdict } = await drift({ expectedImage: OLD_RUNTIME_IMAGE });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /not the expected image/);
    });

    it("without an expected image compares the images with each other and warns", async () => {
        const { verdict } = await drift({ expectedImage: undefined });
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.match((verdict.warnings ?? []).join(" "), /no expected runtime image/);
    });

    it("2026-02-21: a missing runtime-migrate job fails naming it, and the legacy runtime is reported", async () => {
        live.standIn.state = baselineState();
        const { verdict, log } = await drift({ serviceName: BASELINE.runtime, jobName: BASELINE.job, expectedImage: undefined });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /^migrate job 'runtime-migrate' does not exist in openagentsgemini\/us-central1/);
        assert.match(log, /FAIL runtime service is a legacy lane: 'openagents-runtime' is the legacy elixir service/);
        assert.match(log, /FAIL serving revision 'openagents-runtime-00031-elx' \(100%\) runs a legacy image/);
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

import * as assert from "node:assert/strict";
import { CONTROL } from "../../../catalog";
import { controlCanaryStatusCheck, type IntendedSplit } from "../../../validation/checks/control-canary-status";
import { ALIGNED, BASELINE, CONTROL_IMAGE, LARAVEL_IMAGE, alignedState, baselineState, revision, service } from "./environments";
import { runInProcess } from "../fixtures/gate";
import { apisFor, runCheck, type TestApis } from "./helpers";
import { CloudStandIn } from "./stand-in";

describe("control-canary-status against the Cloud Run stand-in", () => {
    let standIn: CloudStandIn;
    let apis: TestApis;
    const stable = `${ALIGNED.control}-00011-stb`;
    const canary = ALIGNED.controlRevision;

    beforeEach(async () => {
        standIn = await new CloudStandIn(alignedState(), "ya29.stand-in-token").start();
        apis = apisFor(standIn);
        standIn.state.revisions[stable] = revision(stable, `${CONTROL_IMAGE}-previous`);
    });
    afterEach(async () => {
        apis.http.close();
        await standIn.close();
    });

    const canaryStatus = (intended?: IntendedSplit, serviceName = ALIGNED.control) => runCheck(controlCanaryStatusCheck({ api: () => apis.cloudRun, serviceName, intended }));

    const splitTraffic = (canaryPercent: number): void => {
        standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [
            { revision: canary, percent: canaryPercent },
            { revision: stable, percent: 100 - canaryPercent },
        ]);
    };

    it("passes when the deploy's revision serves 100% as intended, logging revision, percent and image", async () => {
        const { verdict, log } = await canaryStatus({ revision: canary, canaryPercent: 100 });
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.match(log, new RegExp(`serving ${canary} 100% image ${CONTROL_IMAGE.replace(/[.]/g, "\\.")} Ready CONDITION_SUCCEEDED`));
        assert.match(log, /intended split \(stack outputs\): openagents-control-service-00012-rst=100%/);
    });

    it("passes a 5% canary that matches the stack's intent", async () => {
        splitTraffic(5);
        const { verdict } = await canaryStatus({ revision: canary, stableRevision: stable, canaryPercent: 5 });
        assert.equal(verdict.status, "passed", verdict.cause);
        assert.match(verdict.cause ?? "", /openagents-control-service-00011-stb=95%/);
    });

    it("fails when the split differs from the intended canary percent", async () => {
        splitTraffic(25);
        const { verdict } = await canaryStatus({ revision: canary, stableRevision: stable, canaryPercent: 5 });
        assert.equal(verdict.status, "failed");
        assert.match(
            verdict.cause ?? "",
            /traffic split openagents-control-service-00011-stb=75%, openagents-control-service-00012-rst=25% is not the intended openagents-control-service-00012-rst=5%, openagents-control-service-00011-stb=95%/,
        );
    });

    it("fails when the intended revision serves nothing (rolled back by hand)", async () => {
        standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: stable, percent: 100 }]);
        const { verdict } = await canaryStatus({ revision: canary, canaryPercent: 100 });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /is not the intended/);
    });

    it("fails when a serving revision is not ready", async () => {
        splitTraffic(5);
        standIn.state.revisions[canary] = revision(canary, CONTROL_IMAGE, false);
        const { verdict } = await canaryStatus({ revision: canary, stableRevision: stable, canaryPercent: 5 });
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /serving revision openagents-control-service-00012-rst \(5%\) is not ready: Ready CONDITION_FAILED: Container failed to start/);
    });

    it("fails when a legacy image serves traffic under a Rust-looking revision name", async () => {
        standIn.state.revisions[canary] = revision(canary, LARAVEL_IMAGE);
        const { verdict } = await canaryStatus();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /runs a legacy image: image '.*openagents-web\/laravel:9d8e7f6' is from the legacy repository/);
    });

    it("fails when the newest revision never became ready (a failed rollout), even while the old one serves", async () => {
        const broken = `${ALIGNED.control}-00013-brk`;
        standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: canary, percent: 100 }], { created: broken, ready: canary });
        const { verdict } = await canaryStatus();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /latest created revision openagents-control-service-00013-brk is not the latest ready one .*the newest control rollout did not become ready/);
        assert.match((verdict.warnings ?? []).join("\n"), /intended split unknown/);
    });

    it("fails when the service's terminal condition says the rollout failed", async () => {
        const s = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: canary, percent: 100 }]);
        s.terminalCondition = { type: "Ready", state: "CONDITION_FAILED", message: "Revision failed with message: container exited" };
        standIn.state.services[ALIGNED.control] = s;
        const { verdict } = await canaryStatus();
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /reports Ready CONDITION_FAILED: Revision failed/);
    });

    it("reads a 'latest' traffic target as the latest ready revision", async () => {
        const s = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: canary, percent: 100 }]);
        s.trafficStatuses = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }];
        standIn.state.services[ALIGNED.control] = s;
        const { verdict } = await canaryStatus({ revision: canary, canaryPercent: 100 });
        assert.equal(verdict.status, "passed", verdict.cause);
    });

    it("does not mistake the service's own revision for legacy when its image tag names a legacy word", async () => {
        const own = `${ALIGNED.control}-drop-laravel-1-270c70`;
        standIn.state.revisions[own] = revision(own, CONTROL_IMAGE);
        standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: own, percent: 100 }], { created: own, ready: own });
        const { verdict } = await canaryStatus({ revision: own, canaryPercent: 100 });
        assert.equal(verdict.status, "passed", verdict.cause);
    });

    it("2026-02-21: traffic pinned to the Laravel revision while the template shows the Rust image fails", async () => {
        standIn.state = baselineState();
        const { verdict, log } = await canaryStatus(undefined, BASELINE.control);
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /^legacy revision openagents-web-00097-jr6 serves 100% of traffic/);
        assert.match(log, /template image: .*openagents-control-service\/control:rust-/);
        assert.match(log, /FAIL revision openagents-web-00097-jr6 serving 100% runs a legacy image/);
        assert.match(log, /FAIL control service is a legacy lane: 'openagents-web' is the legacy laravel service/);
    });

    it("fails for a control service that does not exist", async () => {
        const { verdict } = await canaryStatus(undefined, "openagents-control-service-typo");
        assert.equal(verdict.status, "failed");
        assert.match(verdict.cause ?? "", /control service 'openagents-control-service-typo' does not exist/);
    });
});

describe("control-canary-status wired from the gate's options (in-process run against the stand-in)", () => {
    let standIn: CloudStandIn;
    const stable = `${ALIGNED.control}-00011-stb`;
    const canary = ALIGNED.controlRevision;
    beforeEach(async () => {
        standIn = await new CloudStandIn(alignedState(), "ya29.stand-in-token").start();
        standIn.state.revisions[stable] = revision(stable, `${CONTROL_IMAGE}-previous`);
    });
    afterEach(() => standIn.close());

    const gate = async (env: Record<string, string>) => {
        const run = await runInProcess(["--only", "control-canary-status", "--environment", "prod"], { CLOUD_RUN_API_URL: standIn.url, CLOUDSDK_AUTH_ACCESS_TOKEN: "ya29.stand-in-token", ...env });
        return { result: run.result("control-canary-status"), log: run.log("control-canary-status") };
    };

    it("EXPECTED_CONTROL_IMAGE: the new revision must run it; a different image fails with both images", async () => {
        const expected = `${CONTROL.imageRepository}:rust-2026-02-22-ffffff0`;
        const { result, log } = await gate({ EXPECTED_CONTROL_IMAGE: expected });
        assert.equal(result.status, "failed");
        assert.ok(result.cause?.includes(`new revision ${canary} runs ${CONTROL_IMAGE}, not the expected control image ${expected}`), result.cause);
        assert.ok(log.includes(`expected control image: ${expected}`), log);
        const same = await gate({ EXPECTED_CONTROL_IMAGE: CONTROL_IMAGE });
        assert.equal(same.result.status, "passed", same.result.cause);
        assert.ok(same.log.includes(`new revision ${canary} image: ${CONTROL_IMAGE}`), same.log);
    });

    it("CONTROL_CANARY_PERCENT alone judges the latest ready revision's share", async () => {
        standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [
            { revision: canary, percent: 25 },
            { revision: stable, percent: 75 },
        ]);
        const { result, log } = await gate({ CONTROL_CANARY_PERCENT: "5" });
        assert.equal(result.status, "failed");
        assert.match(result.cause ?? "", /latest ready revision openagents-control-service-00012-rst serves 25% of traffic, not the intended 5%/);
        assert.match(log, /intended: the latest ready revision openagents-control-service-00012-rst takes 5%/);
        const matching = await gate({ CONTROL_CANARY_PERCENT: "25" });
        assert.equal(matching.result.status, "passed", matching.result.cause);
        assert.deepEqual(matching.result.warnings, []);
    });
});

describe("control-canary-status: the expected image of a revision that serves no traffic yet", () => {
    it("reads the deploy's revision even at 0% and compares its image", async () => {
        const standIn = await new CloudStandIn(alignedState(), "ya29.stand-in-token").start();
        const apis = apisFor(standIn);
        try {
            const stable = `${ALIGNED.control}-00011-stb`;
            standIn.state.revisions[stable] = revision(stable, CONTROL_IMAGE);
            standIn.state.revisions[ALIGNED.controlRevision] = revision(ALIGNED.controlRevision, LARAVEL_IMAGE.replace("openagents-web/laravel", "openagents-control-service/control"));
            standIn.state.services[ALIGNED.control] = service(ALIGNED.control, CONTROL_IMAGE, [{ revision: stable, percent: 100 }], {
                created: ALIGNED.controlRevision,
                ready: ALIGNED.controlRevision,
            });
            const { verdict, log } = await runCheck(
                controlCanaryStatusCheck({
                    api: () => apis.cloudRun,
                    serviceName: ALIGNED.control,
                    intended: { revision: ALIGNED.controlRevision, stableRevision: stable, canaryPercent: 0 },
                    expectedImage: CONTROL_IMAGE,
                }),
            );
            assert.equal(verdict.status, "failed");
            assert.match(verdict.cause ?? "", /new revision openagents-control-service-00012-rst runs .*control:9d8e7f6, not the expected control image/);
            assert.match(log, /new revision openagents-control-service-00012-rst image: .*control:9d8e7f6/);
        } finally {
            apis.http.close();
            await standIn.close();
        }
    });
});

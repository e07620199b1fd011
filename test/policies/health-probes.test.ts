import * as assert from "node:assert/strict";
import { healthProbes } from "../../policies/health-probes";
import { controlService, migrateJob, mutate, runtimeService } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy health-probes", () => {
    it("passes both services with startup on /readyz and liveness on /healthz", async () => {
        assert.deepEqual(messages(await runOn(healthProbes, controlService("staging"))), []);
        assert.deepEqual(messages(await runOn(healthProbes, runtimeService("prod"))), []);
    });

    it("rejects a missing liveness probe and a startup probe on the Laravel /up path", async () => {
        const r = mutate(runtimeService(), (p) => {
            delete p.template.containers[0].livenessProbe;
            p.template.containers[0].startupProbe.httpGet.path = "/up";
        });
        assert.deepEqual(messages(await runOn(healthProbes, r)), [
            "service 'runtime' container 0 startup probe checks \"/up\", expected '/readyz'",
            "service 'runtime' container 0 has no liveness probe",
        ]);
    });

    it("accepts a TCP startup probe (no HTTP path to judge)", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].startupProbe = { tcpSocket: { port: 8080 } }));
        assert.deepEqual(messages(await runOn(healthProbes, r)), []);
    });

    it("rejects a service that declares no container, with the exact message", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers = []));
        assert.deepEqual(messages(await runOn(healthProbes, r)), ["service 'openagents-control-service' declares no container, so no probes"]);
    });

    it("is not applicable to a job (jobs serve no traffic)", async () => {
        assert.deepEqual(
            (await runOn(healthProbes, migrateJob())).notApplicable.map((n) => n.reason),
            ["not a Cloud Run service"],
        );
    });

    it("cannot run during preview when the probe is unknown", async () => {
        const r = mutate(controlService(), (p) => (p.template.containers[0].startupProbe = UNKNOWN));
        assert.deepEqual(
            (await runOn(healthProbes, r)).verdicts.map((v) => [v.level, v.message]),
            [
                [
                    "advisory",
                    "can't run policy 'health-probes' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .template.containers.0.startupProbe can't be known during preview",
                ],
            ],
        );
    });
});

// The canary ladder's traffic updates never meet Cloud Run's 409 "Revision ... with different
// configuration already exists": the program's stack states go through a model of the Google
// provider's update (the whole template re-sent, Optional+Computed fields it leaves out taken from
// the last read) into a Cloud Run stand-in that refuses a named revision whose template differs.
// docs/canary.md, "Traffic updates and revision names", gives the reasoning.

import { strict as assert } from "node:assert";
import { findResource, recordStack } from "../../review/plan";
import { GCP_PROVIDER_VERSION, controlTemplate } from "../../services/control-template";
import { CloudRunRevisionsStandIn, OPTIONAL_COMPUTED, apiService, providerUpdateBody } from "./cloud-run-revisions";

type Json = Record<string, any>;
const SERVICE = "gcp:cloudrunv2/service:Service";

/** One `pulumi up` of the control service as the provider makes it: create, or PATCH with the prior state, then a read. */
class ProviderModel {
    state?: Json;
    constructor(private readonly standIn: CloudRunRevisionsStandIn) {}

    async up(overrides: Record<string, string>): Promise<{ status: number; revision: string; message?: string }> {
        const inputs = findResource(await recordStack("prod", { overrides }), SERVICE, "control").inputs as Json;
        const config = apiService(inputs);
        const base = `${this.standIn.url}/v2/projects/${inputs.project}/locations/${inputs.location}/services`;
        const response = this.state
            ? await fetch(`${base}/${inputs.name}`, { method: "PATCH", body: JSON.stringify(providerUpdateBody(config, this.state)) })
            : await fetch(`${base}?serviceId=${inputs.name}`, { method: "POST", body: JSON.stringify(config) });
        const answer = (await response.json()) as Json;
        if (response.ok) this.state = (await (await fetch(`${base}/${inputs.name}`)).json()) as Json;
        return { status: response.status, revision: config.template.revision, message: answer.error?.message };
    }
}

describe("control service revisions across the ladder, rollbacks and reverts", () => {
    let standIn: CloudRunRevisionsStandIn;
    let provider: ProviderModel;
    beforeEach(async () => {
        standIn = await new CloudRunRevisionsStandIn("openagentsgemini", "us-central1").start();
        provider = new ProviderModel(standIn);
    });
    afterEach(() => standIn.close());

    const ok = async (overrides: Record<string, string>): Promise<string> => {
        const result = await provider.up(overrides);
        assert.equal(result.status, 200, `up ${JSON.stringify(overrides)}: ${result.status} ${result.message ?? ""}`);
        return result.revision;
    };

    it("the stand-in is strict: a named revision re-sent with another template is refused with Cloud Run's 409", async () => {
        const first = await ok({ controlImageTag: "aaaaaaa", controlStableRevision: "", controlCanaryPercent: "100" });
        const body = apiService(
            findResource(await recordStack("prod", { overrides: { controlImageTag: "aaaaaaa", controlStableRevision: "", controlCanaryPercent: "100" } }), SERVICE, "control").inputs,
        );
        body.template.timeout = "299s";
        const response = await fetch(`${standIn.url}/v2/projects/openagentsgemini/locations/us-central1/services/openagents-control-service`, { method: "PATCH", body: JSON.stringify(body) });
        assert.equal(response.status, 409);
        assert.match(((await response.json()) as Json).error.message, new RegExp(`^Revision named '${first}' with different configuration already exists\\.$`));
    });

    it("a deploy, its whole ladder, a rollback, a second ladder, the promotion and a revert to the earlier stack file never meet a 409", async () => {
        const a = await ok({ controlImageTag: "aaaaaaa", controlStableRevision: "", controlCanaryPercent: "100" });
        const b0 = { controlImageTag: "bbbbbbb", controlStableRevision: a };
        const b = await ok({ ...b0, controlCanaryPercent: "0" });
        assert.notEqual(a, b);
        for (const percent of ["5", "25", "0", "5", "25", "50"]) assert.equal(await ok({ ...b0, controlCanaryPercent: percent }), b);
        // Promotion: the canary becomes the stable revision and takes everything.
        assert.equal(await ok({ controlImageTag: "bbbbbbb", controlStableRevision: b, controlCanaryPercent: "100" }), b);
        // The bad release is reverted in git: the earlier stack file deploys revision `a` again, by name.
        assert.equal(await ok({ controlImageTag: "aaaaaaa", controlStableRevision: a, controlCanaryPercent: "0" }), a);
        // And forward again, to the revision that still exists.
        assert.equal(await ok({ ...b0, controlCanaryPercent: "0" }), b);
        assert.deepEqual([...standIn.revisions.keys()], [a, b], "no other revision was created");
        assert.ok(standIn.writes.every((w) => w.status === 200));
    });

    it("declares every Optional+Computed template field the provider would otherwise fill from its prior state", async () => {
        const inputs = findResource(await recordStack("prod", { overrides: { controlImageTag: "aaaaaaa", controlStableRevision: "", controlCanaryPercent: "100" } }), SERVICE, "control").inputs;
        const template = apiService(inputs).template as Json;
        const present = (node: unknown, path: string[]): boolean => {
            if (path.length === 0) return node !== undefined;
            const [head, ...rest] = path;
            if (head.endsWith("[]")) {
                const list = (node as Json | undefined)?.[head.slice(0, -2)];
                return Array.isArray(list) && list.length > 0 && list.every((item) => present(item, rest));
            }
            const next = (node as Json | undefined)?.[head];
            return next !== undefined && present(next, rest);
        };
        // No readiness probe is declared (nothing to fill under it); buildInfo describes source deploys, never an image's.
        const unused = ["containers[].readinessProbe.httpGet.port", "containers[].buildInfo"];
        assert.equal(template.containers[0].readinessProbe, undefined);
        const missing = OPTIONAL_COMPUTED.filter((p) => !unused.includes(p) && !present(template, p.split(".")));
        assert.deepEqual(missing, []);
    });

    it("the revision name covers the provider's version: an upgrade that sends the same template differently gets a new name", () => {
        assert.match(GCP_PROVIDER_VERSION, /^\d+\.\d+\.\d+/);
        const names = new Set<string>();
        for (const version of [GCP_PROVIDER_VERSION, "9.38.0"]) names.add(revisionOf(version));
        assert.equal(names.size, 2);
    });
});

function revisionOf(providerVersion: string): string {
    return controlTemplate(sampleControl(), "prod", "latest", providerVersion).revision;
}

function sampleControl(): Parameters<typeof controlTemplate>[0] {
    return {
        name: "openagents-control-service",
        imageTag: "aaaaaaa",
        authProviderMode: "workos",
        maintenance: { enabled: false, allowedPaths: ["/healthz"], cookieName: "c", cookieTtlSeconds: 900, bypassTokenSecret: "s" },
        env: [],
        secrets: [],
        syncTokenSigningKeySecret: "k",
        cpu: "1",
        memory: "1Gi",
        startupCpuBoost: true,
        minInstances: 1,
        maxInstances: 100,
        concurrency: 80,
        timeoutSeconds: 300,
    } as unknown as Parameters<typeof controlTemplate>[0];
}

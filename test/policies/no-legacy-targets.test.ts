import * as assert from "node:assert/strict";
import { noLegacyTargets } from "../../policies/no-legacy-targets";
import { legacyImageReason } from "../../catalog";
import { TYPES } from "../../policies/lib/resources";
import { controlService, domainMapping, iamMember, migrateJob, mutate, runtimeService, secretGrant, serverlessNeg, serviceAccount, UNKNOWN_IMAGE_PATH, workerPool } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy no-legacy-targets", () => {
    it("passes the canonical control service, job, grants and domain mapping", async () => {
        for (const r of [
            controlService("prod"),
            migrateJob("staging"),
            iamMember("runtime", "serviceAccount:x@p.iam.gserviceaccount.com"),
            secretGrant("openagents-runtime-signing-key"),
            domainMapping("openagents-control-service"),
        ]) {
            assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [], r.name);
        }
    });

    it("rejects a control service named openagents-web, with the exact message", async () => {
        const r = mutate(controlService("prod"), (p) => (p.name = "openagents-web"));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [
            "service 'openagents-web' is a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
    });

    it("rejects traffic pinned to the old Laravel revision while the template shows the Rust image", async () => {
        const r = mutate(controlService("prod"), (p) => p.traffics.push({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-web-00097-jr6", percent: 100 }));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), [
            "service 'openagents-control-service' routes traffic to a legacy revision: 'openagents-web-00097-jr6' belongs to 'openagents-web': 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
    });

    it("extends the legacy names from policy config", async () => {
        const r = mutate(controlService("prod"), (p) => (p.name = "old-frontdoor"));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r, { config: { "no-legacy-targets": { additionalLegacyNames: ["Old_FrontDoor"] } } })), [
            "service 'old-frontdoor' is a legacy target: 'old-frontdoor' carries the legacy name 'Old_FrontDoor' (added by config)",
        ]);
    });

    it("extends the legacy image repositories from policy config (host in any case, by digest)", async () => {
        const image = `GCR.IO/openagentsgemini/web@sha256:${"ab".repeat(32)}`;
        const r = mutate(controlService("prod"), (p) => (p.template.containers[0].image = image));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), []);
        assert.deepEqual(messages(await runOn(noLegacyTargets, r, { config: { "no-legacy-targets": { additionalLegacyImageRepositories: ["gcr.io/openagentsgemini/web/"] } } })), [
            `service 'openagents-control-service' runs a legacy image: image '${image}' is from the legacy repository 'gcr.io/openagentsgemini/web/' (added by config)`,
        ]);
    });

    it("accepts the program's own revisions whatever their image tag says, and still judges other services' revisions by their service part", async () => {
        const own = "openagents-control-service-drop-laravel-1-270c70";
        const ownRevision = mutate(controlService("prod"), (p) => {
            p.template.revision = own;
            p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: own, percent: 100, tag: "openagents-control-service-laravel-free" }];
        });
        assert.deepEqual(messages(await runOn(noLegacyTargets, ownRevision)), []);
        const otherRustService = mutate(controlService("prod"), (p) => p.traffics.push({ revision: "runtime-00003-abc", percent: 0 }));
        assert.deepEqual(messages(await runOn(noLegacyTargets, otherRustService)), []);
        const legacyService = mutate(controlService("prod"), (p) => {
            p.name = "openagents-web";
            p.traffics = [{ revision: "openagents-web-00097-jr6", percent: 100 }];
        });
        assert.deepEqual(messages(await runOn(noLegacyTargets, legacyService)), [
            "service 'openagents-web' is a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
            "service 'openagents-web' routes traffic to a legacy revision: 'openagents-web-00097-jr6' belongs to 'openagents-web': 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
    });

    it("accepts the Rust runtime binary's name as an image path segment (exact legacy segments only)", async () => {
        const image = "us-central1-docker.pkg.dev/openagentsgemini/runtime/openagents-runtime-service:abc1234";
        assert.equal(legacyImageReason(image), undefined);
        assert.deepEqual(
            messages(
                await runOn(
                    noLegacyTargets,
                    mutate(runtimeService("prod"), (p) => (p.template.containers[0].image = image)),
                ),
            ),
            [],
        );
        assert.match(legacyImageReason("us-central1-docker.pkg.dev/openagentsgemini/openagents-runtime/runtime-service:1") ?? "", /legacy path segment 'openagents-runtime'/);
    });

    it("rejects a worker pool with a legacy name or image, with the exact messages", async () => {
        const laravel = "us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:abc";
        assert.deepEqual(messages(await runOn(noLegacyTargets, workerPool("openagents-runtime-worker", laravel))), [
            "worker pool 'openagents-runtime-worker' is a legacy target: 'openagents-runtime-worker' carries the legacy name 'openagents-runtime'",
            `worker pool 'openagents-runtime-worker' runs a legacy image: image '${laravel}' is from the legacy repository 'openagents-web/laravel'`,
        ]);
    });

    it("rejects secret bindings and policies on legacy secrets, and a serverless NEG in front of a legacy service", async () => {
        const binding = mutate(secretGrant("openagents-web-app-key"), (p, r) => ((r.type = TYPES.secretIamBinding), delete p.member, (p.members = ["serviceAccount:x@p.iam.gserviceaccount.com"])));
        assert.deepEqual(messages(await runOn(noLegacyTargets, binding)), [
            "secret grant 'reads-openagents-web-app-key' opens a legacy secret: secret 'openagents-web-app-key' belongs to the legacy Laravel service",
        ]);
        const policy = mutate(secretGrant("openagents-web-app-key"), (p, r) => ((r.type = TYPES.secretIamPolicy), delete p.member, delete p.role, (p.policyData = '{"bindings":[]}')));
        assert.equal(messages(await runOn(noLegacyTargets, policy)).length, 1);
        assert.deepEqual(messages(await runOn(noLegacyTargets, serverlessNeg("projects/openagentsgemini/locations/us-central1/services/openagents-web"))), [
            "serverless NEG 'control-neg' delivers to a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
        assert.deepEqual(messages(await runOn(noLegacyTargets, serverlessNeg("openagents-control-service"))), []);
    });

    it("rejects a Firebase Hosting rewrite and an internet NEG endpoint that deliver to a legacy service; the Rust lanes pass", async () => {
        const hosting = (serviceId: string) => ({
            type: "gcp:firebase/hostingVersion:HostingVersion",
            name: "site-v1",
            props: {
                siteId: "openagents",
                config: {
                    rewrites: [
                        { glob: "/api/**", run: { serviceId: "openagents-control-service" } },
                        { glob: "**", run: { serviceId, region: "us-central1" } },
                    ],
                },
            },
        });
        assert.deepEqual(messages(await runOn(noLegacyTargets, hosting("openagents-web"))), [
            "Firebase Hosting rewrite 'site-v1' delivers to a legacy target: 'openagents-web' is the legacy laravel service (Laravel web (still served openagents.com on 2026-02-21))",
        ]);
        assert.deepEqual(messages(await runOn(noLegacyTargets, hosting("runtime"))), []);
        const endpoint = (fqdn: string) => ({ type: "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint", name: "edge", props: { globalNetworkEndpointGroup: "internet-neg", fqdn, port: 443 } });
        assert.match(
            messages(await runOn(noLegacyTargets, endpoint("openagents-web-ezxz4mgdsq-uc.a.run.app")))[0] ?? "",
            /^internet NEG endpoint 'edge' delivers to a legacy target: URL https:\/\/openagents-web-ezxz4mgdsq-uc\.a\.run\.app\/ addresses a legacy service/,
        );
        assert.deepEqual(messages(await runOn(noLegacyTargets, endpoint("openagents-control-service-ezxz4mgdsq-uc.a.run.app"))), []);
    });

    it("is not applicable to a service account", async () => {
        const result = await runOn(noLegacyTargets, serviceAccount());
        assert.deepEqual(result.verdicts, []);
        assert.deepEqual(
            result.notApplicable.map((n) => [n.policy, n.reason]),
            [["no-legacy-targets", "not a Cloud Run workload, domain mapping, delivery (NEG, trigger, schedule, push, queue) or grant"]],
        );
    });

    it("cannot run during preview when the image is unknown, and says so as an advisory", async () => {
        const r = mutate(controlService("prod"), (p) => (p.template.containers[0].image = UNKNOWN));
        const [v, ...rest] = (await runOn(noLegacyTargets, r)).verdicts;
        assert.equal(rest.length, 0);
        assert.equal(v.level, "advisory");
        assert.equal(
            v.message,
            `can't run policy 'no-legacy-targets' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at ${UNKNOWN_IMAGE_PATH} can't be known during preview`,
        );
    });

    it("keeps judging the rest when one value is unknown: an unknown image does not hide legacy env", async () => {
        const r = mutate(controlService("prod"), (p) => {
            p.template.containers[0].image = UNKNOWN;
            p.template.containers[0].envs.push({ name: "PHX_SERVER", value: "true" });
        });
        assert.deepEqual(
            (await runOn(noLegacyTargets, r)).verdicts.map((v) => [v.level, v.message]),
            [["mandatory", "service 'openagents-control-service' carries legacy env: env PHX_SERVER is Elixir residue"]],
        );
        const unknownName = mutate(controlService("prod"), (p) => {
            p.name = UNKNOWN;
            p.template.containers[0].image = "us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:abc";
        });
        assert.deepEqual(messages(await runOn(noLegacyTargets, unknownName)), [
            "service 'control' runs a legacy image: image 'us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:abc' is from the legacy repository 'openagents-web/laravel'",
        ]);
    });

    it("still judges an env name whose literal value is unknown during preview", async () => {
        const r = mutate(controlService("prod"), (p) => p.template.containers[0].envs.push({ name: "APP_KEY", value: UNKNOWN }));
        assert.deepEqual(messages(await runOn(noLegacyTargets, r)), ["service 'openagents-control-service' carries legacy env: env APP_KEY is Laravel residue"]);
    });
});

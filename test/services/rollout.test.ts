// Canary traffic, rollback, maintenance mode and migration reruns are config changes: these
// run the real program with the what-ifs a release engineer would make in the stack file.
import { strict as assert } from "node:assert";
import { findResource, recordStack } from "../../review/plan";
import { executionToken, revisionName } from "../../services/naming";

type Obj = Record<string, any>;
const SERVICE = "gcp:cloudrunv2/service:Service";
const JOB = "gcp:cloudrunv2/job:Job";
const STABLE = "openagents-control-service-3f9c2ab-92ef96";

async function controlOf(overrides: Record<string, string>): Promise<Obj> {
    return findResource(await recordStack("prod", { overrides }), SERVICE, "control").inputs;
}

describe("control canary traffic", () => {
    for (const percent of [0, 5, 25, 50]) {
        it(`splits ${100 - percent}/${percent} between the stable revision and this deploy at ${percent} %`, async () => {
            const svc = await controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: STABLE, controlCanaryPercent: String(percent) });
            const revision = svc.template.revision;
            assert.match(revision, /^openagents-control-service-9e8d7c6-[0-9a-f]{6}$/);
            assert.deepEqual(svc.traffics, [
                { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 100 - percent, tag: "stable" },
                { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision, percent, tag: "canary" },
            ]);
        });
    }

    it("rolls back with controlCanaryPercent=0: all traffic on the stable revision, the canary still reachable by tag", async () => {
        const svc = await controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: STABLE, controlCanaryPercent: "0" });
        const stable = svc.traffics.find((t: Obj) => t.revision === STABLE);
        assert.equal(stable.percent, 100);
        assert.equal(svc.traffics.find((t: Obj) => t.tag === "canary").percent, 0);
    });

    it("moves traffic between the same two revisions on every rung of the ladder and on rollback", async () => {
        const base = { controlImageTag: "9e8d7c6", controlStableRevision: STABLE };
        const revisions = new Set<string>();
        for (const percent of ["0", "5", "25", "50", "0"]) {
            revisions.add((await controlOf({ ...base, controlCanaryPercent: percent })).template.revision);
        }
        assert.equal(revisions.size, 1, `one canary revision for the whole rollout, got ${[...revisions].join(", ")}`);
    });

    it("promotes by naming the canary as stable: it keeps its name and takes 100 % under one tag", async () => {
        const canary = (await controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: STABLE, controlCanaryPercent: "50" })).template.revision;
        const promoted = await controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: canary, controlCanaryPercent: "100" });
        assert.equal(promoted.template.revision, canary);
        assert.deepEqual(promoted.traffics, [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: canary, percent: 100, tag: "current" }]);
    });

    it("refuses a canary between 1 and 99 % whose stable revision is this deploy's own (a split with itself)", async () => {
        const canary = (await controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: STABLE, controlCanaryPercent: "50" })).template.revision;
        await assert.rejects(
            controlOf({ controlImageTag: "9e8d7c6", controlStableRevision: canary, controlCanaryPercent: "25" }),
            (e: Error) =>
                e.name === "ConfigError" &&
                e.message ===
                    `openagents-rust-lanes:controlStableRevision: expected the revision serving now, not this deploy's (the stable revision is this deploy's own revision, so a 25% canary splits ${canary} with itself), got "${canary}"`,
        );
    });

    it("keeps the revision when only traffic-level settings change (domain, maintenance paths stay in the template)", async () => {
        const a = await controlOf({ controlImageTag: "9e8d7c6" });
        const b = await controlOf({ controlImageTag: "9e8d7c6", controlDomain: "beta.openagents.com" });
        assert.equal(a.template.revision, b.template.revision);
    });

    it("keeps the same revision name for the same config, so a preview shows what up creates", async () => {
        const a = await controlOf({ controlImageTag: "9e8d7c6" });
        const b = await controlOf({ controlImageTag: "9e8d7c6" });
        assert.equal(a.template.revision, b.template.revision);
    });

    it("names a new revision when a setting changes on the same image (Cloud Run refuses to reuse a name)", async () => {
        const a = await controlOf({ controlImageTag: "9e8d7c6" });
        const b = await controlOf({ controlImageTag: "9e8d7c6", controlMemory: "2Gi" });
        assert.notEqual(a.template.revision, b.template.revision);
    });

    it("exports the intended split for the gate's canary check", async () => {
        const plan = await recordStack("prod", { overrides: { controlStableRevision: STABLE, controlCanaryPercent: "25" } });
        assert.equal(plan.outputs.controlStableRevision, STABLE);
        assert.equal(plan.outputs.controlCanaryPercent, 25);
    });
});

describe("maintenance mode", () => {
    it("is off by default with /healthz,/readyz allowed and the bypass token from its secret", async () => {
        const env = (await controlOf({})).template.containers[0].envs as Obj[];
        const value = (n: string) => env.find((e) => e.name === n);
        assert.equal(value("OA_MAINTENANCE_MODE_ENABLED")?.value, "false");
        assert.equal(value("OA_MAINTENANCE_ALLOWED_PATHS")?.value, "/healthz,/readyz");
        assert.equal(value("OA_MAINTENANCE_BYPASS_COOKIE_NAME")?.value, "oa_maintenance_bypass");
        assert.equal(value("OA_MAINTENANCE_BYPASS_COOKIE_TTL_SECONDS")?.value, "900");
        assert.deepEqual(value("OA_MAINTENANCE_BYPASS_TOKEN")?.valueSource, {
            secretKeyRef: { secret: "openagents-control-maintenance-bypass-token", version: "latest" },
        });
    });

    it("is turned on by config (what maintenance-mode.sh enable did by hand)", async () => {
        const env = (await controlOf({ controlMaintenanceEnabled: "true", controlMaintenanceAllowedPaths: JSON.stringify(["/healthz", "/readyz", "/api/v1/control/status"]) })).template.containers[0]
            .envs as Obj[];
        assert.equal(env.find((e) => e.name === "OA_MAINTENANCE_MODE_ENABLED")?.value, "true");
        assert.equal(env.find((e) => e.name === "OA_MAINTENANCE_ALLOWED_PATHS")?.value, "/healthz,/readyz,/api/v1/control/status");
    });
});

describe("migration reruns", () => {
    it("runs the migration again only when the image changes or migrateRerun is bumped", async () => {
        const token = async (o: Record<string, string>) => String(findResource(await recordStack("staging", { overrides: o }), JOB, "runtime-migrate").inputs.runExecutionToken);
        const base = await token({});
        assert.equal(await token({ controlImageTag: "0000000" }), base, "a control-only deploy does not rerun migrations");
        assert.notEqual(await token({ runtimeImageTag: "1111111" }), base);
        assert.equal(await token({ migrateRerun: "1" }), `${base}-r1`);
    });
});

describe("naming limits", () => {
    it("keeps revision names within 63 characters whatever the tag", () => {
        const name = revisionName("openagents-control-service-staging", "a-very-long-release-tag-that-goes-on-and-on", {});
        assert.ok(name.length <= 63, name);
        assert.ok(name.startsWith("openagents-control-service-staging-"));
    });

    it("keeps job name + execution token under 63 characters, digest images included", () => {
        const job = "runtime-migrate-staging";
        const token = executionToken(job, `us-central1-docker.pkg.dev/openagentsgemini/runtime/runtime@sha256:${"c".repeat(64)}`, 12);
        assert.ok(job.length + token.length < 63, token);
        assert.match(token, /^[a-z0-9-]+$/);
    });
});

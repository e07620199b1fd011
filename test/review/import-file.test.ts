// Adopting what the shell lanes created: the import document must put each existing Cloud Run
// resource at the URN the program declares, or the next `pulumi up` would try to create it again.
import { strict as assert } from "node:assert";
import { recordStack } from "../../review/plan";
import { importFileFor } from "../../review/import-file";
import { review, reviewInProcess } from "./run-review";

describe("review --import (adopting existing Cloud Run resources)", () => {
    it("lists the lanes' services and job with their Cloud Run ids, under the components the program declares", async () => {
        const plan = await recordStack("prod");
        const doc = importFileFor(plan, ["control", "runtime", "runtime-migrate"]);
        const byName = new Map(doc.resources.map((e) => [e.name, e]));
        assert.deepEqual(byName.get("openagents-prod/control/control"), {
            type: "gcp:cloudrunv2/service:Service",
            name: "openagents-prod/control/control",
            logicalName: "control",
            id: "projects/openagentsgemini/locations/us-central1/services/openagents-control-service",
            parent: "openagents-prod/control",
        });
        assert.equal(byName.get("openagents-prod/runtime/runtime-migrate")?.id, "projects/openagentsgemini/locations/us-central1/jobs/runtime-migrate");
        assert.deepEqual(byName.get("openagents-prod/control"), {
            type: "openagents:lanes:ControlService",
            name: "openagents-prod/control",
            logicalName: "control",
            component: true,
            parent: "openagents-prod",
        });
        // Every parent is an entry of the file, and comes before its children.
        doc.resources.forEach((e, i) => {
            if (e.parent) assert.ok(doc.resources.findIndex((p) => p.name === e.parent) < i, `${e.name} before its parent`);
        });
        // The URNs they land at are the program's: each handle is the logical path of a recorded resource.
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        const pathOf = (r: (typeof plan.resources)[number]): string => {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            return parent ? `${pathOf(parent)}/${r.name}` : r.name;
        };
        const paths = new Set(plan.resources.map((r) => `${r.type} ${pathOf(r)}`));
        for (const e of doc.resources) assert.ok(paths.has(`${e.type} ${e.name}`), `${e.type} ${e.name} is not a resource of the program`);
    });

    it("adopts only the lanes asked for (the staging runtime and both jobs never existed)", async () => {
        const doc = importFileFor(await recordStack("staging"), ["control"]);
        assert.deepEqual(
            doc.resources.filter((e) => !e.component).map((e) => e.id),
            ["projects/openagentsgemini/locations/us-central1/services/openagents-control-service-staging"],
        );
        assert.deepEqual(
            doc.resources.filter((e) => e.component).map((e) => e.type),
            ["openagents:lanes:Environment", "openagents:lanes:ControlService"],
        );
    });

    it("prints the document from the CLI, and refuses unknown lanes or several stacks with exit 2", async () => {
        const ok = review("--stack", "staging", "--import", "control");
        assert.equal(ok.code, 0);
        assert.equal((JSON.parse(ok.stdout) as { resources: unknown[] }).resources.length, 3);
        assert.equal((await reviewInProcess("--stack", "staging", "--import", "web")).code, 2);
        assert.equal((await reviewInProcess("--import", "control", "--no-base")).code, 2, "both stacks by default: an import file is for one");
    });
});

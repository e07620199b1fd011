// The check registry is data: each module's entry carries the id, environment and required flag
// the built check reports, and the id list, --only and --environment are read from it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKS, CHECK_IDS, buildChecks, unknownCheckIds } from "../../validation/checks";
import { HttpClient } from "../../io/http";
import { noIdTokenSource } from "../../validation/id-token";
import { resolveOptions } from "../../validation/options";
import { Redactor } from "../../io/redact";

describe("validation/checks registry", () => {
    const options = resolveOptions([], { env: { PATH: "/nonexistent" }, isTTY: false });

    it("each built check carries its entry's id and required flag, in registry order", () => {
        const checks = buildChecks(options, { http: new HttpClient(), redactor: new Redactor(), idTokens: noIdTokenSource });
        assert.deepEqual(
            checks.map((c) => [c.id, c.required]),
            CHECKS.map((e) => [e.id, e.required]),
        );
        assert.deepEqual(
            [...CHECK_IDS],
            CHECKS.map((e) => e.id),
        );
        assert.equal(new Set(CHECK_IDS).size, CHECK_IDS.length, "ids are unique");
        assert.deepEqual(
            CHECKS.filter((e) => !e.required).map((e) => e.id),
            ["cross-surface-contract-harness"],
        );
    });

    it("an environment's entries name it in their id, and only those carry an environment", () => {
        for (const entry of CHECKS) {
            const named = (["staging", "prod"] as const).find((e) => entry.id.split("-").includes(e));
            assert.equal("environment" in entry ? entry.environment : undefined, named, entry.id);
        }
    });

    it("--only is checked against the registry", () => {
        assert.deepEqual(unknownCheckIds(["control-prod-health", "control-qa-health"]), ["control-qa-health"]);
    });

    it("no check module imports the registry back (the contract is ../check.ts)", () => {
        const dir = path.join(__dirname, "../../validation/checks");
        for (const file of fs.readdirSync(dir).filter((f) => f !== "index.ts")) {
            assert.doesNotMatch(fs.readFileSync(path.join(dir, file), "utf8"), /from "\.\/index"|from "\.\/?"|from "\.\.\/checks"/, file);
        }
    });
});

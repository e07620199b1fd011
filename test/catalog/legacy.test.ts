// The catalog's revision matcher, shared by the policy pack and the gate.
import { strict as assert } from "node:assert";
import { isOwnRevision, legacyRevisionReason } from "../../catalog";

describe("catalog: legacy revisions", () => {
    it("rejects a legacy service's revision by its service part, Cloud Run's suffix or a template hash", () => {
        assert.match(legacyRevisionReason("openagents-web-00097-jr6") ?? "", /^'openagents-web-00097-jr6' belongs to 'openagents-web': 'openagents-web' is the legacy laravel service/);
        assert.match(legacyRevisionReason("openagents-web-00097-jr6", "openagents-control-service") ?? "", /belongs to 'openagents-web'/);
        assert.match(legacyRevisionReason("OpenAgents-Runtime-00003-abc") ?? "", /belongs to 'openagents-runtime'/);
        assert.match(legacyRevisionReason("old-frontdoor-270c70", undefined, ["old-frontdoor"]) ?? "", /added by config/);
    });

    it("accepts the service's own revision whatever its image tag says", () => {
        assert.equal(legacyRevisionReason("openagents-control-service-drop-laravel-1-270c70", "openagents-control-service"), undefined);
        assert.ok(isOwnRevision("openagents-control-service-canary", "openagents-control-service"));
    });

    it("never counts a revision as the own revision of a legacy service", () => {
        assert.equal(isOwnRevision("openagents-web-00097-jr6", "openagents-web"), false);
        assert.ok(legacyRevisionReason("openagents-web-00097-jr6", "openagents-web"));
    });
});

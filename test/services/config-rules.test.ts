// The config's cross-key rules are named functions listed in one array: a rule written but not
// listed would never run, and one listed twice would report twice.
import { strict as assert } from "node:assert";
import * as rules from "../../services/config-rules";
import { parseStackConfig } from "../../services/config";
import { readStackConfig } from "../../review/stack-files";

const NS = "openagents-rust-lanes:";

describe("config cross-key rules", () => {
    it("every rule exported is listed once in CROSS_KEY_RULES, and every listed rule is exported by name", () => {
        const exported = Object.entries(rules).filter(([, v]) => typeof v === "function");
        const listed = rules.CROSS_KEY_RULES;
        assert.equal(new Set(listed).size, listed.length, "a rule listed twice");
        for (const [name, fn] of exported) assert.ok(listed.includes(fn as rules.CrossKeyRule), `${name} is not in CROSS_KEY_RULES`);
        for (const fn of listed)
            assert.ok(
                exported.some(([name, v]) => v === fn && name === fn.name),
                `${fn.name} is listed but not exported under its name`,
            );
    });

    it("a rule reports against the key to change, through parseStackConfig", () => {
        const { config } = readStackConfig("staging");
        const raw = (k: string): string | undefined => ({ controlMinInstances: "5", controlMaxInstances: "2" })[k] ?? config[NS + k];
        const provider = { project: config["gcp:project"], region: config["gcp:region"] };
        assert.throws(() => parseStackConfig(raw, provider), /^ConfigError: openagents-rust-lanes:controlMinInstances: expected at most the matching \*MaxInstances, got "5"$/);
    });
});

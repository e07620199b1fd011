// The schema table is what config validation applies: each row's range, form and default is
// the refusal or the value the program gets, so docs/config.md and Pulumi.yaml (rendered from
// the rows) say what the program does.
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { CONFIG_SCHEMA, ConfigError, ConfigKeySpec, PROJECT, acceptedForm, parseStackConfig } from "../../services";
import { pulumiProjectFile } from "../../services/config-reference";
import { readStackConfig } from "../../review/stack-files";

const NS = "openagents-rust-lanes:";

function problemsWith(changes: Record<string, string | undefined>): Map<string, string> {
    const { config } = readStackConfig("staging");
    const raw: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith(NS)) raw[k.slice(NS.length)] = v;
    Object.assign(raw, changes);
    try {
        parseStackConfig((key) => raw[key], { project: config["gcp:project"], region: config["gcp:region"] });
        return new Map();
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return new Map(err.problems.map((p) => [p.key.slice(NS.length), p.expected]));
    }
}

const rows = Object.entries(CONFIG_SCHEMA) as Array<[string, ConfigKeySpec]>;

describe("config schema table", () => {
    it("refuses an integer outside its row's range, in the row's words", () => {
        for (const [key, spec] of rows) {
            if (spec.type !== "integer") continue;
            for (const bad of [spec.range.min - 1, spec.range.max + 1]) {
                assert.equal(problemsWith({ [key]: String(bad) }).get(key), acceptedForm(spec), `${key}=${bad}`);
            }
        }
    });

    it("refuses a string its row does not accept, with the row's form", () => {
        for (const [key, spec] of rows) {
            if (spec.type !== "string" || !spec.accepts) continue;
            assert.equal(problemsWith({ [key]: "not/a valid value!" }).get(key), spec.form, key);
        }
    });

    it("requires exactly the keys without a default, and names the row's form", () => {
        for (const [key, spec] of rows) {
            const expected = problemsWith({ [key]: undefined }).get(key);
            // The WorkOS keys come from controlSecretEnv, which the default auth mode (workos) needs (catalog/service-needs.ts).
            if (key === "controlSecretEnv") assert.match(expected ?? "", /^WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager/, key);
            else if (spec.default !== undefined) assert.equal(expected, undefined, key);
            else assert.equal(expected, `${acceptedForm(spec).replace(/^a list of strings.*/, "a list of strings")} (required)`, key);
        }
    });

    it("Pulumi.yaml, as the CLI reads it, declares each row's type and default", () => {
        const project = parse(pulumiProjectFile()) as { name: string; config: Record<string, { type: string; default?: unknown; items?: unknown }> };
        assert.equal(project.name, PROJECT);
        assert.deepEqual(Object.keys(project.config), Object.keys(CONFIG_SCHEMA));
        for (const [key, spec] of rows) {
            assert.equal(project.config[key].type, spec.type, key);
            assert.deepEqual(project.config[key].default, spec.default, key);
            if (spec.type === "array") assert.deepEqual(project.config[key].items, { type: "string" }, key);
        }
    });
});

// The stack files read as data whose meaning survives: real files in a temp directory, read by
// the review's own reader and by the review itself (exit 2, one line naming the problem).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../review/cli";
import { PROJECT_DIR, StackFileError, readStackConfig } from "../../review/stack-files";

const STAGING = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");

function withStackFile(content: string | Buffer): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), content);
    return dir;
}

function refusal(content: string | Buffer): string {
    const dir = withStackFile(content);
    try {
        readStackConfig("staging", {}, dir);
    } catch (err) {
        assert.ok(err instanceof StackFileError, `expected a StackFileError, got ${String(err)}`);
        assert.ok(!err.message.includes("\n"), "one line");
        assert.ok(err.message.length < 400, `a short line (${err.message.length})`);
        return err.message;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.fail("expected the stack file to be refused");
}

const set = (key: string, value: string) => STAGING.replace(new RegExp(`^(  openagents-rust-lanes:${key}:).*$`, "m"), `$1 ${value}`);

describe("stack files read as data", () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
        // A leading 0 is octal to yaml.v3 (resolve.go:190@v3.0.1): the CLI would deploy tag 42798.
        [
            "an unquoted tag with a leading zero",
            set("controlImageTag", "0123456"),
            /controlImageTag is a string, but the Pulumi CLI reads "0123456" as the integer 42798 and hands the program "42798": quote it$/,
        ],
        ["a hex tag the CLI reads as a number", set("runtimeImageTag", "0x1f"), /runtimeImageTag is a string, but the Pulumi CLI reads "0x1f" as the integer 31/],
        ["a date the CLI reads as a timestamp", set("runtimeImageTag", "2026-12-05"), /runtimeImageTag is a string, but the Pulumi CLI reads "2026-12-05" as a timestamp: quote it$/],
        ["a float for an integer key", set("controlMaxInstances", "1.5"), /controlMaxInstances is an integer, not "1.5" \(the Pulumi CLI reads the number 1.5 and refuses it\)/],
        ["a non-finite number for an integer key", set("controlMaxInstances", ".inf"), /controlMaxInstances is an integer, but the Pulumi CLI reads ".inf" as a non-finite number/],
        ["a number past 2^63 for an integer key", set("controlMaxInstances", "9223372036854775808"), /controlMaxInstances is an integer, not "9223372036854775808"/],
        ["a word YAML 1.1 took for a boolean", set("controlStartupCpuBoost", "yes"), /controlStartupCpuBoost is true or false, not "yes"/],
        ["null for an integer key", set("controlMaxInstances", "~"), /controlMaxInstances is an integer, but the Pulumi CLI reads "~" as null/],
        ["a list for a string key", set("controlCpu", "[1]"), /controlCpu is a string, not a list/],
        ["a merge key", STAGING.replace("config:\n", "config:\n  <<: {a: 1}\n"), /uses a YAML merge key \(<<\)/],
        ["a key twice", `${STAGING}  openagents-rust-lanes:controlCpu: "2"\n`, /config: sets "openagents-rust-lanes:controlCpu" twice/],
        ["a key bare and namespaced", `${STAGING}  controlCpu: "2"\n`, /config sets openagents-rust-lanes:controlCpu twice \(as "openagents-rust-lanes:controlCpu" and "controlCpu"\)/],
        ["a key in the old and new forms", `${STAGING}  openagents-rust-lanes:config:controlCpu: "2"\n`, /config sets openagents-rust-lanes:controlCpu twice/],
        ["a key of too many parts", `${STAGING}  a:b:c: "2"\n`, /config key "a:b:c" is not <namespace>:<name>/],
        ["UTF-16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(STAGING, "utf16le")]), /is UTF-16: save it as UTF-8$/],
        ["CR-only line endings", STAGING.replace(/\n/g, "\r"), /has CR-only line endings/],
        ["Config: for config:", STAGING.replace("config:", "Config:"), /unknown top-level key "Config" \(did you mean config:\?\)/],
        ["a list at the top", "- config\n- x\n", /must be a mapping with a config: block at the top, not a list$/],
        ["an empty file", "", /is empty: it needs a config: block$/],
        ["no config block", "secretsprovider: gcpkms://x\n", /has no config: block$/],
        ["broken YAML", `${STAGING}  bad: [unclosed\n`, /is not valid YAML \(line \d+\): /],
    ];
    for (const [what, content, message] of cases) {
        it(`refuses ${what} in one line`, () => assert.match(refusal(content), message));
    }

    it("reads the old <project>:config:<key> form as the Pulumi CLI does", () => {
        const dir = withStackFile(STAGING.replace("openagents-rust-lanes:environment:", "openagents-rust-lanes:config:environment:"));
        try {
            assert.equal(readStackConfig("staging", {}, dir).config["openagents-rust-lanes:environment"], "staging");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("hands a provider's structured setting over as JSON, as the CLI does (no project schema types another namespace), and the review passes it", async () => {
        // The gcp provider takes defaultLabels as a map and scopes as a list (@pulumi/gcp 9.37 config/vars.d.ts).
        const dir = withStackFile(`${STAGING}  gcp:defaultLabels:\n    team: platform\n  gcp:scopes:\n    - https://www.googleapis.com/auth/cloud-platform\n`);
        try {
            const { config } = readStackConfig("staging", {}, dir);
            assert.equal(config["gcp:defaultLabels"], '{"team":"platform"}');
            assert.equal(config["gcp:scopes"], '["https://www.googleapis.com/auth/cloud-platform"]');
            const err: string[] = [];
            assert.equal(await run(["--stack", "staging", "--no-base"], { out: () => undefined, err: (t) => err.push(t), stackDir: dir }), 0, err.join(""));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps quoted values as written, integers and booleans as the CLI hands them over", () => {
        const dir = withStackFile(set("controlImageTag", '"0123456"'));
        try {
            const { config } = readStackConfig("staging", {}, dir);
            assert.equal(config["openagents-rust-lanes:controlImageTag"], "0123456");
            assert.equal(config["openagents-rust-lanes:controlMaxInstances"], "100");
            assert.equal(config["openagents-rust-lanes:controlStartupCpuBoost"], "true");
            assert.equal(config["openagents-rust-lanes:controlEnv"], "[]");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    // What the CLI hands the program for a plain scalar (yaml.v3's resolver, then JSON text):
    // the review reads the same string, so the program's own checks judge what deploy will see.
    const handed: Array<[string, string, string]> = [
        ["controlMaxInstances", "0x19", "25"],
        ["controlMaxInstances", "+1", "1"],
        ["controlMaxInstances", "0o1130", "600"],
        ["controlMaxInstances", "012", "10"],
        ["controlMaxInstances", "1_000", "1000"],
        ["controlMaxInstances", "0b11", "3"],
        ["controlMaxInstances", "1.0", "1"],
        ["controlMaxInstances", "08", "8"],
        ["controlStartupCpuBoost", "True", "true"],
        ["controlStartupCpuBoost", "FALSE", "false"],
        ["runtimeImageTag", "2e71234", "2e71234"],
        ["runtimeImageTag", "a1b2c3d", "a1b2c3d"],
        ["runtimeImageTag", "1234567", "1234567"],
    ];
    for (const [key, written, text] of handed) {
        it(`hands the program ${JSON.stringify(text)} for ${key}: ${written}, as the Pulumi CLI does`, () => {
            const dir = withStackFile(set(key, written));
            try {
                assert.equal(readStackConfig("staging", {}, dir).config[`openagents-rust-lanes:${key}`], text);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("the review exits 2 with one line naming the problem", async () => {
        const dir = withStackFile(set("controlImageTag", "0123456"));
        const err: string[] = [];
        try {
            const code = await run(["--stack", "staging"], { out: () => undefined, err: (t) => err.push(t), stackDir: dir });
            assert.equal(code, 2);
            assert.equal(
                err.join(""),
                'review: stack staging: Pulumi.staging.yaml: openagents-rust-lanes:controlImageTag is a string, but the Pulumi CLI reads "0123456" as the integer 42798 and hands the program "42798": quote it\n',
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

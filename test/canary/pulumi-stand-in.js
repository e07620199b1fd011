#!/usr/bin/env node
// A stand-in `pulumi` CLI for the Automation API tests: it behaves as the CLI does where the
// rollout depends on it, each behaviour from the CLI's source (pulumi/pulumi @1b59498, v3.260
// line; the SDK here is 3.276.0):
// - signals: the first SIGINT/SIGTERM cancels the update gracefully (the step in flight ends, then
//   "update canceled"), the second terminates at once
//   (pkg/backend/cancellation_scope.go:64-118; pkg/resource/deploy/deployment_executor.go:116-124,436-438);
// - a stack file without a secrets provider on a DIY backend means the passphrase manager
//   (pkg/backend/diy/backend.go:1713-1717, pkg/cmd/pulumi/stack/secrets.go:236-288), which fails
//   non-interactively without PULUMI_CONFIG_PASSPHRASE(_FILE) (pkg/secrets/passphrase/manager.go:378-397);
// - the errors the SDK types by their text (automation/errors.js:62-83): "no stack named '<s>' found"
//   (pkg/backend/backenderr/backenderr.go:47) and "the stack is currently locked by N lock(s)"
//   (pkg/backend/diy/lock.go:87-88); exit code 255 for every failed command.
// State lives in STAND_IN_DIR: `calls` (one line per invocation), `lock`, `config.json`,
// `outputs.json`, `ups` (one line per up: succeeded | canceled | terminated).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.STAND_IN_DIR;
const args = process.argv.slice(2);
const argv = args.join(" ");
if (dir) fs.appendFileSync(path.join(dir, "calls"), `${argv}\n`);

const flag = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
const fail = (line) => {
    process.stderr.write(`error: ${line}\n`);
    process.exit(255);
};
const stackName = flag("--stack");
const known = (process.env.STAND_IN_STACKS || "staging,prod").split(",");
const state = (file, fallback) => {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    } catch {
        return fallback;
    }
};

/** What the CLI does before anything that encrypts or decrypts: load the stack's secrets manager. */
function secretsManager() {
    let text = "";
    try {
        text = fs.readFileSync(path.join(process.cwd(), `Pulumi.${stackName}.yaml`), "utf8");
    } catch {
        // no stack file: the default manager as well
    }
    const provider = /^secretsprovider:\s*(\S+)/m.exec(text)?.[1];
    const salt = /^encryptionsalt:\s*\S+/m.test(text);
    if (provider && provider !== "passphrase" && provider !== "default") return; // a cloud manager (gcpkms://...)
    if (salt || !provider || provider === "passphrase" || provider === "default") {
        if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined || process.env.PULUMI_CONFIG_PASSPHRASE_FILE) return;
        fail("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
    }
}

function up() {
    secretsManager();
    if (fs.existsSync(path.join(dir, "lock"))) {
        fail("the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.");
    }
    if (process.env.STAND_IN_POLICY_VIOLATION) {
        // A mandatory violation as the display renders it (pkg/backend/display/diff.go:227-250), then
        // the failed update (deployment_executor.go:116-124 "update failed").
        process.stdout.write(`Updating (${stackName}):\nPolicies:\n    openagents-rust-lanes@v0.1.0 [mandatory]  ${process.env.STAND_IN_POLICY_VIOLATION}\n`);
        fail("update failed");
    }
    if (process.env.STAND_IN_UP_ERROR) fail(process.env.STAND_IN_UP_ERROR);
    const steps = Number(process.env.STAND_IN_UP_STEPS || 3);
    const stepMs = Number(process.env.STAND_IN_UP_STEP_MS || 100);
    // When set, the up goes on a step at a time until this file exists (a test ends it on an
    // event it saw, never after a guessed duration); else it takes `steps` steps.
    const until = process.env.STAND_IN_UP_UNTIL;
    let signals = 0;
    const record = (result) => fs.appendFileSync(path.join(dir, "ups"), `${result}\n`);
    const onSignal = (sig) => {
        signals += 1;
        const name = sig === "SIGTERM" ? "SIGTERM" : "^C";
        if (signals === 1) {
            process.stdout.write(
                sig === "SIGTERM"
                    ? "SIGTERM received; cancelling. If you would like to terminate immediately, send SIGTERM again.\n"
                    : "^C received; cancelling. If you would like to terminate immediately, press ^C again.\n",
            );
            process.stdout.write("Note that terminating immediately may lead to orphaned resources and other inconsistencies.\n");
            return;
        }
        process.stdout.write(`${name} received; terminating\n`);
        record("terminated");
        process.exit(255);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.stdout.write(`Updating (${stackName}):\n`);
    let step = 0;
    const tick = () => {
        if (signals > 0) {
            // Cancelled: the step in flight has ended; no new one starts.
            record("canceled");
            process.stderr.write("error: update canceled\n");
            process.exit(255);
        }
        if (until ? fs.existsSync(until) : step === steps) {
            record("succeeded");
            fs.writeFileSync(path.join(dir, "history.json"), JSON.stringify({ result: "succeeded" }));
            process.stdout.write(`Resources:\n    ~ 1 updated\n    ${step} unchanged\n`);
            process.exit(0);
        }
        step += 1;
        process.stdout.write(`    ~  gcp:cloudrunv2:Service step ${step}${until ? "" : ` of ${steps}`} updating\n`);
        setTimeout(tick, stepMs);
    };
    tick();
}

switch (true) {
    case args[0] === "version":
        process.stdout.write("v3.276.0\n");
        break;
    case args[0] === "stack" && args[1] === "select":
        if (!known.includes(stackName)) fail(`no stack named '${stackName}' found`);
        break;
    case args[0] === "config" && args.includes("--show-secrets"):
        secretsManager();
        process.stdout.write(JSON.stringify(state("config.json", {})));
        break;
    case args[0] === "config" && args[1] === "set": {
        const config = state("config.json", {});
        config[`openagents-rust-lanes:${args[2]}`] = { value: args[args.length - 1], secret: false };
        fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
        break;
    }
    case args[0] === "up":
        up();
        break;
    case args[0] === "stack" && args[1] === "history": {
        const last = state("history.json", { result: "succeeded" });
        process.stdout.write(
            JSON.stringify([
                {
                    kind: "update",
                    startTime: "2026-12-01T00:00:00Z",
                    message: "m",
                    environment: {},
                    config: {},
                    result: last.result,
                    endTime: "2026-12-01T00:00:01Z",
                    resourceChanges: { update: 1, same: 11 },
                },
            ]),
        );
        break;
    }
    case args[0] === "stack" && args[1] === "output":
        secretsManager();
        process.stdout.write(JSON.stringify(state("outputs.json", { controlRevision: "openagents-control-service-9e8d7c6-a1b2c3" })));
        break;
    case args[0] === "cancel":
        fs.rmSync(path.join(dir, "lock"), { force: true });
        break;
    default:
        break;
}

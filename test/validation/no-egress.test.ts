// A full run with no credentials sends nothing off loopback: every outgoing socket's
// destination is recorded (net.Socket.prototype.connect wrapped) and anything off loopback is
// blocked before it connects or resolves a name, then the test fails on it.

import * as assert from "node:assert/strict";
import * as net from "node:net";
import { type ControlServiceConfig, controlConfig, controlService } from "./fixtures/control-service";
import { type RuntimeServiceConfig, runtimeConfig, runtimeService } from "./fixtures/runtime-service";
import { tempDir } from "./fixtures/cli";
import * as fs from "node:fs";
import { CHECK_IDS } from "../../validation/checks";
import { ambientIdTokenSource } from "../../validation/id-token";
import { runInProcess } from "./fixtures/gate";
import { type Handler, type TestServer, closeAll, serve } from "./fixtures/server";

/** The control service and runtime as their source answers (./fixtures/control-service.ts, ./fixtures/runtime-service.ts). */
const controlContract = (o: Partial<ControlServiceConfig> = {}): Handler => controlService(controlConfig(o)).handler;
const runtimeContract = (o: Partial<RuntimeServiceConfig> = {}): Handler => runtimeService(runtimeConfig({ serviceName: "runtime-staging", ...o })).handler;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

describe("validation: no traffic off loopback without credentials", () => {
    const servers: TestServer[] = [];
    const destinations: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied below with the socket as `this`
    const original = net.Socket.prototype.connect;
    const savedEnv: Record<string, string | undefined> = {};
    before(() => {
        // No ambient credentials for google-auth-library in this process either.
        for (const k of ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "METADATA_SERVER_DETECTION"]) savedEnv[k] = process.env[k];
        delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        process.env.CLOUDSDK_CONFIG = tempDir("gcloud-config-");
        process.env.METADATA_SERVER_DETECTION = "none";
        net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
            // net.connect()/createConnection() pass their normalized [options, callback] array as one argument.
            const call = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
            const first = call[0] as { host?: string; port?: number; path?: string } | number | string;
            const host =
                typeof first === "object" && first !== null
                    ? first.path
                        ? `unix:${first.path}`
                        : (first.host ?? "localhost")
                    : typeof first === "number"
                      ? typeof call[1] === "string"
                          ? call[1]
                          : "localhost"
                      : `unix:${String(first)}`;
            destinations.push(host);
            if (!host.startsWith("unix:") && !LOOPBACK.test(host)) {
                process.nextTick(() => this.destroy(Object.assign(new Error(`blocked by test: connection to ${host}`), { code: "EBLOCKED" })));
                return this;
            }
            return (original as (...a: unknown[]) => net.Socket).apply(this, args);
        };
    });
    after(async () => {
        net.Socket.prototype.connect = original;
        for (const [k, v] of Object.entries(savedEnv)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        await closeAll(servers);
    });

    it("runs every check of the matrix (runtime private, no token) and connects only to loopback", async () => {
        const control = await serve(controlContract());
        const prodControl = await serve(controlContract());
        const runtime = await serve(runtimeContract({ requiredToken: "only-with-credentials" }));
        const prodRuntime = await serve(runtimeContract({ requiredToken: "only-with-credentials", serviceName: "runtime" }));
        servers.push(control, prodControl, runtime, prodRuntime);
        // The real ambient ID-token lookup (the in-process runner's default looks for nothing).
        const run = await runInProcess(
            [],
            {
                STAGING_CONTROL_BASE_URL: control.url,
                PROD_CONTROL_BASE_URL: prodControl.url,
                STAGING_RUNTIME_BASE_URL: runtime.url,
                PROD_RUNTIME_BASE_URL: prodRuntime.url,
            },
            { idTokens: ambientIdTokenSource() },
        );
        // Every check of the matrix was part of the run, in order, whatever it concluded.
        assert.deepEqual(
            run.outcome.results.map((r) => r.id),
            CHECK_IDS,
        );
        assert.ok(destinations.includes("127.0.0.1"), `the HTTP checks connected to loopback (saw ${destinations.join(", ")})`);
        const off = destinations.filter((d) => !d.startsWith("unix:") && !LOOPBACK.test(d));
        assert.deepEqual(off, [], `connections off loopback: ${off.join(", ")}`);
        // The runtime smoke said it sent no token, and no request carried one.
        assert.match(run.log("runtime-staging-smoke"), /sending no token/);
        assert.ok([...runtime.requests, ...prodRuntime.requests].every((q) => q.headers.authorization === undefined));
    });

    it("the recorder sees and blocks an off-loopback connection (so the test above can fail)", async () => {
        const before = destinations.length;
        const socket = net.connect(443, "192.0.2.1"); // TEST-NET-1: blocked before any packet
        const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once("error", resolve));
        assert.equal(error.code, "EBLOCKED");
        assert.deepEqual(destinations.slice(before), ["192.0.2.1"]);
    });
});

describe("test setup: no ambient Google credentials in the test process", () => {
    it("empties every place google-auth-library reads Application Default Credentials from", () => {
        assert.equal(process.env.GOOGLE_APPLICATION_CREDENTIALS, undefined);
        assert.equal(process.env.google_application_credentials, undefined);
        assert.equal(process.env.CLOUDSDK_AUTH_ACCESS_TOKEN, undefined);
        assert.equal(process.env.METADATA_SERVER_DETECTION, "none");
        const config = process.env.CLOUDSDK_CONFIG;
        assert.ok(config, "CLOUDSDK_CONFIG points away from ~/.config/gcloud");
        assert.deepEqual(fs.readdirSync(config), [], "and at an empty directory");
    });

    it("in-process runs look for no ambient ID token unless a test passes a source", async () => {
        const runtime = await serve(runtimeContract());
        try {
            const run = await runInProcess(["--only", "runtime-staging-smoke", "--staging-runtime-url", runtime.url]);
            assert.match(run.log("runtime-staging-smoke"), /credential lookup disabled; sending no token/);
        } finally {
            await runtime.close();
        }
    });
});

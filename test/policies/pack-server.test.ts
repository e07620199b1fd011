// The pack as the Pulumi CLI starts it: `node @pulumi/pulumi/cmd/run-policy-pack <engine> policies`
// in the pack directory (ts-node with type checking, policies/tsconfig.json, ./package.json's
// version), then the engine's gRPC calls on 127.0.0.1. Its verdicts must equal the offline
// engine's for the same requests and config: that is what lets `npm run review` stand in for
// `pulumi preview --policy-pack policies`.

import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { PACK_NAME, POLICIES } from "../../policies/all";
import { ReconciledConfig, parsePolicyConfig, reconcilePolicyConfig } from "../../policies/offline/config";
import { AnalysisResult, EngineResource, OfflineAnalyzer, analyzeRequest, analyzeStackRequest, decodeAnalyzeResponse } from "../../policies/offline/engine";
import { compliantStack, controlService, migrateJob, mutate } from "./fixtures";
import { UNKNOWN } from "./harness";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdkRequire = createRequire(require.resolve("@pulumi/policy/server"));
const grpc = sdkRequire("@grpc/grpc-js");
const analyzerrpc = sdkRequire("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerproto = sdkRequire("@pulumi/pulumi/proto/analyzer_pb");
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const emptyproto = sdkRequire("google-protobuf/google/protobuf/empty_pb");
const packVersion = (require("../../policies/package.json") as { version: string }).version;
/* eslint-enable @typescript-eslint/no-require-imports */

const PACK_DIR = path.join(__dirname, "../../policies");
const LEVEL_ENUM: Record<string, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

function startPack(): Promise<{ child: ChildProcess; port: number }> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", PACK_DIR], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout?.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve({ child, port: Number(m[1]) });
        });
        child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
    });
}

function rpc<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))));
}

function configureRequest(config: ReconciledConfig): unknown {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(config)) {
        const pc = new analyzerproto.PolicyConfig();
        pc.setEnforcementlevel(LEVEL_ENUM[c.enforcementLevel]);
        pc.setProperties(structproto.Struct.fromJavaScript(c.properties));
        req.getPolicyconfigMap().set(name, pc);
    }
    return req;
}

describe("the policy pack run as the Pulumi CLI runs it", function () {
    this.timeout(90_000);
    let child: ChildProcess | undefined;
    let client: any;
    const config = reconcilePolicyConfig(POLICIES, parsePolicyConfig('{"canary-ladder": "mandatory", "production-safety": {"minControlInstances": 2}}'));
    const stackTags = { environment: "prod" };

    before(async () => {
        const started = await startPack();
        child = started.child;
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
        await rpc(client, "configure", configureRequest(config));
        const tags = new analyzerproto.AnalyzerStackConfigureRequest();
        for (const [k, v] of Object.entries(stackTags)) tags.getTagsMap().set(k, v);
        await rpc(client, "configureStack", tags);
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("starts under ts-node with type checking and describes all policies", async () => {
        const info = await rpc<any>(client, "getAnalyzerInfo", new emptyproto.Empty());
        assert.equal(info.getName(), PACK_NAME);
        assert.equal(info.getVersion(), packVersion);
        assert.deepEqual(
            info.getPoliciesList().map((p: any) => p.getName()),
            POLICIES.map((p) => p.name),
        );
    });

    it("gives the same verdicts as the offline engine, resource by resource and for the stack", async () => {
        const offline = new OfflineAnalyzer(POLICIES, { config, stackTags, packVersion });
        const resources: EngineResource[] = [
            ...compliantStack("prod"),
            mutate(controlService("prod"), (p) => {
                p.name = "openagents-web";
                p.template.scaling.minInstanceCount = 1;
                p.traffics = [
                    { revision: "openagents-web-00097-jr6", percent: 90 },
                    { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 10 },
                ];
            }),
            mutate(migrateJob("prod"), (p) => (p.template.template.containers[0].image = UNKNOWN)),
        ];
        const strip = (r: AnalysisResult) => ({ verdicts: r.verdicts.map((v) => ({ ...v })), notApplicable: r.notApplicable.map((n) => ({ ...n })) });
        let seen = 0;
        let skipped = 0;
        for (const r of resources) {
            const served = decodeAnalyzeResponse(await rpc(client, "analyze", analyzeRequest(r)), [r], r.urn);
            assert.deepEqual(strip(served), strip(await offline.analyzeResource(r)), r.name);
            seen += served.verdicts.length;
            skipped += served.notApplicable.length;
        }
        const servedStack = decodeAnalyzeResponse(await rpc(client, "analyzeStack", analyzeStackRequest(resources)), resources, undefined);
        assert.deepEqual(strip(servedStack), strip(await offline.analyzeStack(resources)));
        assert.ok(seen >= 5, "the comparison must cover real violations");
        assert.ok(skipped >= 5, "the comparison must cover not-applicable answers");
    });
});

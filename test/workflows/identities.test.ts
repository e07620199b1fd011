// A first real run, checked without GitHub or Google: each action's inputs as its action.yml
// defines them (action-inputs.ts), artifact names a re-run can upload again, each step's identity
// against the identity table (catalog/identities.ts), the table against what the gate's and the
// canary's clients actually send, the secrets provider checked before pulumi, and the contract
// tests at the deployed commit in a job with no credentials.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fs from "node:fs";
import * as path from "node:path";
import { MonitoringApi, DEFAULT_CLOUD_MONITORING_API_URL } from "../../canary/monitoring";
import { GOOGLE_CALLS, IDENTITIES, type IdentityName, matchCall, rolesOf } from "../../catalog/identities";
import { IDENTITIES_BEGIN, IDENTITIES_END, identitiesSection } from "../../catalog/identities-doc";
import { STACK_SECRETS_PROVIDER, stackSecretsProblem } from "../../catalog/stack-secrets";
import { GcpClient, DEFAULT_CLOUD_LOGGING_API_URL, DEFAULT_CLOUD_RUN_API_URL } from "../../io/gcp/client";
import { CloudRunApi } from "../../io/gcp/cloudrun";
import { explicitTokenSource } from "../../io/gcp/credentials";
import { LoggingApi } from "../../io/gcp/logging";
import { HttpClient } from "../../io/http";
import { Redactor } from "../../io/redact";
import { checkStacks } from "../../.github/scripts/check-secrets-provider";
import { deployedCommit } from "../../.github/scripts/deployed-commit";
import { ACTION_INPUTS } from "./action-inputs";
import { REPO } from "./invariants";
import { WORKFLOWS, caught, edit } from "./edits";
import {
    actionInputProblems,
    artifactNameProblems,
    contractTestProblems,
    identityProblems,
    jobTimeoutProblems,
    rolloutTimeoutProblems,
    secretsProviderProblems,
    stackMigrateSeconds,
} from "./run-invariants";

describe("workflows on their first real run", () => {
    describe("each action's inputs, as its action.yml at the pinned commit defines them", () => {
        it("holds on the workflows: every pin has its row, every with: key is an input", () => assert.deepEqual(actionInputProblems(WORKFLOWS), []));
        it("catches an input the action does not have (auth's is cleanup_credentials, not cleanup)", () => {
            caught(
                actionInputProblems(edit("deploy.yml", "          export_environment_variables: false\n", "          export_environment_variables: false\n          cleanup: true\n")),
                /google-github-actions\/auth has no input 'cleanup'/,
            );
        });
        it("catches a pin the table does not know", () => {
            caught(actionInputProblems(edit("drift.yml", /actions\/upload-artifact@[0-9a-f]{40}/, `actions/upload-artifact@${"0".repeat(40)}`)), /has no row in test\/workflows\/action-inputs\.ts/);
        });
        it("the table names the inputs this design relies on, with their defaults", () => {
            const auth = Object.entries(ACTION_INPUTS).find(([k]) => k.startsWith("google-github-actions/auth@"))?.[1];
            assert.deepEqual(
                ["create_credentials_file", "export_environment_variables", "cleanup_credentials"].map((i) => auth?.inputs[i]?.default),
                ["true", "true", "true"],
            );
            assert.ok(auth?.outputs.includes("credentials_file_path"));
            const upload = Object.entries(ACTION_INPUTS).find(([k]) => k.startsWith("actions/upload-artifact@"))?.[1];
            assert.equal(upload?.inputs.overwrite?.default, "false");
        });
    });

    describe("a re-run job can upload its evidence again", () => {
        it("holds on the workflows", () => assert.deepEqual(artifactNameProblems(WORKFLOWS), []));
        it("catches a fixed name (overwrite is off by default at the pin)", () => {
            caught(
                artifactNameProblems(edit("rollback.yml", "rollback-${{ inputs.stack }}-attempt-${{ github.run_attempt }}", "rollback-${{ inputs.stack }}")),
                /rollback\.yml rollback: artifact 'rollback-\$\{\{ inputs\.stack \}\}' exists after a first attempt/,
            );
        });
        it("accepts overwrite: true instead", () => {
            const wfs = edit(
                "rollback.yml",
                "          name: rollback-${{ inputs.stack }}-attempt-${{ github.run_attempt }}\n",
                "          name: rollback-${{ inputs.stack }}\n          overwrite: true\n",
            );
            assert.deepEqual(artifactNameProblems(wfs), []);
        });
    });

    describe("each step runs as the identity the table gives it", () => {
        it("holds on the workflows", () => assert.deepEqual(identityProblems(WORKFLOWS), []));
        it("catches the prod gate reading with the deployer's credentials", () => {
            const wfs = edit("deploy.yml", /(--output-dir gate\/prod\n[\s\S]*?GOOGLE_APPLICATION_CREDENTIALS: \$\{\{ steps\.)reader-auth/, "$1deploy-auth");
            caught(identityProblems(wfs), /deploy\.yml production step \d+ \(Post-deploy gate .*\): runs gate as deploy, not reader/);
        });
        it("catches the canary analysis (the rollout's reads) with the deployer's file as ambient credentials", () => {
            const wfs = edit(
                "deploy.yml",
                /(--gated --push main --output-dir gate\/rollout --plain\n[\s\S]*?)          GOOGLE_APPLICATION_CREDENTIALS: \$\{\{ steps\.reader-auth\.outputs\.credentials_file_path \}\}\n/,
                "$1",
            );
            caught(identityProblems(wfs), /deploy\.yml production step \d+ \(Canary rollout.*\): runs canary without reader's credentials file/);
        });
        it("catches the deployer's credentials exported as ambient in a job of two identities (what create_credentials_file: false on the gate's step used to rely on)", () => {
            const wfs = edit(
                "deploy.yml",
                "          service_account: ${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}\n          # Two identities in this job: nothing ambient; each step names the file it runs as.\n          export_environment_variables: false\n",
                "          service_account: ${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}\n",
            );
            caught(identityProblems(wfs), /deploy\.yml staging step \d+: exports deploy's credentials as ambient in a job of 2 identities/);
        });
        it("catches a step naming an auth step that writes no file", () => {
            const wfs = edit(
                "rollback.yml",
                "          GOOGLE_APPLICATION_CREDENTIALS: ${{ steps.reader-auth.outputs.credentials_file_path }}\n",
                "          GOOGLE_APPLICATION_CREDENTIALS: ${{ steps.gate-auth.outputs.credentials_file_path }}\n",
            );
            caught(identityProblems(wfs), /names step 'gate-auth', which writes no credentials file/);
        });
    });

    describe("the identity table", () => {
        it("every identity's calls are in the call table; the gate's account reads Logging and Monitoring, the deployer neither", () => {
            for (const identity of Object.values(IDENTITIES)) for (const c of identity.calls) assert.ok(GOOGLE_CALLS[c]);
            const reader = rolesOf("reader").map((r) => r.role);
            assert.ok(reader.includes("roles/logging.viewer") && reader.includes("roles/monitoring.viewer"), reader.join(", "));
            const deployer = rolesOf("deploy").map((r) => r.role);
            assert.ok(!deployer.some((r) => /logging|monitoring/.test(r)), deployer.join(", "));
            assert.ok(!rolesOf("preview").some((r) => /admin|Admin|EncrypterDecrypter|objectAdmin/.test(r.role)), "the preview account writes nothing");
        });
        it("docs/gcp-setup.md carries the generated section between its markers (npm run docs)", () => {
            const doc = fs.readFileSync(path.join(REPO, "docs", "gcp-setup.md"), "utf8");
            const section = doc.slice(doc.indexOf(IDENTITIES_BEGIN), doc.indexOf(IDENTITIES_END) + IDENTITIES_END.length);
            assert.equal(section, identitiesSection());
            assert.match(section, /--member serviceAccount:oa-release-gate@\$PROJECT\.\$SA --role roles\/monitoring\.viewer/);
        });

        it("what the gate's and the canary's clients send is in the table, for the identity that sends it", async () => {
            const seen: Array<{ method: string; path: string }> = [];
            const server = http.createServer((req, res) => {
                seen.push({ method: req.method ?? "", path: req.url ?? "" });
                req.resume();
                res.writeHead(200, { "content-type": "application/json" }).end("{}");
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const client = new GcpClient({ http: new HttpClient({ timeoutMs: 5000, userAgent: "test" }), tokens: explicitTokenSource("ya29.test-token", "test"), attempts: 1 });
            const ctx = { signal: new AbortController().signal, deadline: Date.now() + 10_000, log: () => undefined };
            const sent: Record<string, IdentityName> = {};
            const record = async (identity: IdentityName, method: string, call: () => Promise<unknown>): Promise<void> => {
                const before = seen.length;
                await call().catch(() => undefined);
                assert.ok(seen.length > before, `${method} sent nothing`);
                for (const r of seen.slice(before)) sent[`${r.method} ${r.path}`] = identity;
            };
            try {
                const run = new CloudRunApi(client, base, { project: "openagentsgemini", region: "us-central1" });
                const logging = new LoggingApi(client, base);
                const monitoring = new MonitoringApi(client, base, "openagentsgemini", new Redactor());
                const exercised: Record<string, string[]> = { CloudRunApi: [], LoggingApi: [], MonitoringApi: [] };
                const calls: Array<[string, string, IdentityName, () => Promise<unknown>]> = [
                    ["CloudRunApi", "getService", "gate", () => run.getService(ctx, "openagents-control-service")],
                    ["CloudRunApi", "getRevision", "gate", () => run.getRevision(ctx, "openagents-control-service", "openagents-control-service-3f9c2ab-92ef96")],
                    ["CloudRunApi", "getJob", "gate", () => run.getJob(ctx, "runtime-migrate")],
                    ["CloudRunApi", "listExecutions", "gate", () => run.listExecutions(ctx, "runtime-migrate")],
                    [
                        "LoggingApi",
                        "listErrors",
                        "gate",
                        () => logging.listErrors(ctx, { project: "openagentsgemini", region: "us-central1", service: "runtime", since: new Date(0), pageSize: 10, limit: 10 }),
                    ],
                    ["MonitoringApi", "listTimeSeries", "canary", () => monitoring.listTimeSeries(ctx, "request count", [["filter", 'metric.type="run.googleapis.com/request_count"']], [])],
                    // The rollout's traffic reads (canary/rollout-deps.ts cloudRunTraffic) are the canary's.
                    ["CloudRunApi", "getService", "canary", () => run.getService(ctx, "openagents-control-service")],
                ];
                for (const [cls, method, identity, invoke] of calls) {
                    exercised[cls].push(method);
                    await record(identity, `${cls}.${method}`, invoke);
                }
                // A new read method is a new call: it joins this list and the table.
                for (const [cls, proto] of [
                    ["CloudRunApi", CloudRunApi.prototype],
                    ["LoggingApi", LoggingApi.prototype],
                    ["MonitoringApi", MonitoringApi.prototype],
                ] as const) {
                    const methods = Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor" && n !== "url" && typeof Object.getOwnPropertyDescriptor(proto, n)?.value === "function");
                    assert.deepEqual([...new Set(exercised[cls])].sort(), methods.sort(), `${cls}: every method is exercised here`);
                }
                const hosts: Record<string, string> = {
                    "/v2/projects": new URL(DEFAULT_CLOUD_RUN_API_URL).host,
                    "/v2/entries": new URL(DEFAULT_CLOUD_LOGGING_API_URL).host,
                    "/v3/projects": new URL(DEFAULT_CLOUD_MONITORING_API_URL).host,
                };
                for (const [request, identity] of Object.entries(sent)) {
                    const [method, pathname] = request.split(" ");
                    const host = Object.entries(hosts).find(([prefix]) => pathname.startsWith(prefix))?.[1] ?? "?";
                    assert.ok(matchCall(identity, method, host, pathname), `${identity} sends ${method} ${host}${pathname}, which the identity table does not list for it`);
                }
            } finally {
                server.close();
            }
        });
    });

    describe("the secrets provider", () => {
        it("holds on the workflows: a check before any pulumi command, no passphrase", () => assert.deepEqual(secretsProviderProblems(WORKFLOWS), []));
        it("catches a job that runs pulumi before the check", () => {
            caught(
                secretsProviderProblems(edit("drift.yml", /      - name: The stack file names its secrets provider[^\n]*\n        run: [^\n]*\n/, "")),
                /drift\.yml drift \(staging\): pulumi runs before/,
            );
        });
        it("catches a passphrase in a workflow", () => {
            caught(
                secretsProviderProblems(
                    edit(
                        "review.yml",
                        "      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}\n",
                        "      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}\n      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PASSPHRASE }}\n",
                    ),
                ),
                /sets a Pulumi passphrase/,
            );
        });
        it("the committed stack files name the stacks' KMS key; what they still lack is one line (the encryptedkey `stack init` writes)", () => {
            const { problems } = checkStacks(["staging", "prod"], REPO);
            for (const stack of ["staging", "prod"]) {
                const text = fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8");
                assert.match(text, new RegExp(`^secretsprovider: ${STACK_SECRETS_PROVIDER.replace(/[/.]/g, "\\$&")}$`, "m"));
                const problem = problems.find((p) => p.startsWith(`Pulumi.${stack}.yaml`));
                if (/^encryptedkey: /m.test(text)) assert.equal(problem, undefined);
                else
                    assert.match(
                        problem ?? "",
                        /has no encryptedkey: run `pulumi stack init \w+ --secrets-provider gcpkms:\/\/projects\/openagentsgemini\/locations\/us-central1\/keyRings\/pulumi\/cryptoKeys\/stack-secrets` once/,
                    );
            }
        });
        it("says in one line what a stack file lacks", () => {
            const line = (text: string) => stackSecretsProblem("Pulumi.prod.yaml", "prod", text);
            assert.match(line("config:\n  a: b\n") ?? "", /^Pulumi\.prod\.yaml: no secretsprovider, so every non-interactive pulumi command .* asks for PULUMI_CONFIG_PASSPHRASE and fails/);
            assert.match(line("encryptionsalt: v1:abc\nconfig: {}\n") ?? "", /uses the passphrase secrets provider/);
            assert.match(line(`secretsprovider: gcpkms://projects/x/locations/y/keyRings/z/cryptoKeys/k\nencryptedkey: AAAA\n`) ?? "", /not the stacks' key/);
            assert.match(line(`secretsprovider: ${STACK_SECRETS_PROVIDER}\nencryptedkey: "not base64!"\n`) ?? "", /a malformed encryptedkey/);
            assert.equal(line(`secretsprovider: ${STACK_SECRETS_PROVIDER}\nencryptedkey: CiQA8bY1dGhpcyBpcyBhIHdyYXBwZWQga2V5\nconfig: {}\n`), undefined);
            for (const text of ["", "config:\n", "secretsprovider: \n", "secretsprovider: [1]\n", ":\n- x\n"]) assert.ok(!(line(text) ?? "").includes("\n"), "one line");
        });
    });

    describe("a job outlives the migration its up waits for", () => {
        it("holds on the workflows", () => assert.deepEqual(jobTimeoutProblems(WORKFLOWS, REPO), []));
        it("catches a job timeout shorter than the stack's migration worst case", () => {
            assert.equal(stackMigrateSeconds("prod", REPO), 2 * (600 + 120) + 300);
            caught(
                jobTimeoutProblems(edit("migrate.yml", "    timeout-minutes: 60\n", "    timeout-minutes: 20\n"), REPO),
                /migrate\.yml rerun \(staging\): timeout-minutes 20 cuts an up whose migration may run 29 minutes/,
            );
        });
    });

    describe("a job outlives the ladder it drives", () => {
        it("holds on the workflows", () => assert.deepEqual(rolloutTimeoutProblems(WORKFLOWS, REPO), []));
        it("catches a job timeout shorter than the rollout's worst case (holds included)", () => {
            caught(
                rolloutTimeoutProblems(edit("deploy.yml", /    timeout-minutes: \d+\n(?=    # Required reviewers)/, "    timeout-minutes: 180\n"), REPO),
                /deploy\.yml production \(prod\): timeout-minutes 180 cuts a rollout that may run 230 minutes \(migration, certificate wait, 3 rungs x 4 looks of 13 min\)/,
            );
        });
    });

    describe("the contract tests", () => {
        it("hold on the workflows: at the deployed commit, in a job with no credentials", () => assert.deepEqual(contractTestProblems(WORKFLOWS), []));
        it("catch a checkout of a moving branch", () => {
            caught(contractTestProblems(edit("deploy.yml", "          ref: ${{ steps.commit.outputs.sha }}\n", "          ref: main\n")), /checked out at 'main', not at the commit the stack deploys/);
        });
        it("catch OpenAgents' code in a job that can mint an OIDC token", () => {
            const wfs = edit("rollback.yml", "      - run: npm ci\n", "      - run: npm ci\n      - run: cargo test --manifest-path openagents/apps/runtime/Cargo.toml --no-run\n");
            caught(contractTestProblems(wfs), /rollback\.yml rollback step \d+: OpenAgents' code reaches a job with an OIDC token/);
        });
        it("the deployed commit is the runtime image's tag, and a tag that is no commit is one line", () => {
            assert.deepEqual(deployedCommit("prod", "config:\n  openagents-rust-lanes:runtimeImageTag: 3f9c2ab\n"), { commit: "3f9c2ab" });
            assert.match(deployedCommit("prod", "config:\n  openagents-rust-lanes:runtimeImageTag: sha256:abc\n").problem ?? "", /is not a commit SHA/);
            assert.match(deployedCommit("prod", "config: {}\n").problem ?? "", /no openagents-rust-lanes:runtimeImageTag/);
            assert.equal(deployedCommit("prod", fs.readFileSync(path.join(REPO, "Pulumi.prod.yaml"), "utf8")).problem, undefined);
        });
    });
});

// The GitHub workflows, checked without GitHub: each invariant holds on the committed files, and
// a realistic one-line edit that breaks it is caught (so none of these can pass vacuously).

import { strict as assert } from "node:assert";
import {
    type Workflow,
    checksFor,
    commandProblems,
    concurrencyProblems,
    credentialProblems,
    deployGateScopeProblems,
    deployTriggerProblems,
    dependabotProblems,
    domainWaitProblems,
    driftCheckProblems,
    driftIdentityProblems,
    driftScheduleProblems,
    gcloudSetupProblems,
    isDailyCron,
    scriptPathProblems,
    setupProblems,
    gateProblems,
    jobStacks,
    jobsOf,
    loadPolicyConfigs,
    migrateCommitProblems,
    rolloutProblems,
    reviewCommentProblems,
    orderProblems,
    parseWorkflow,
    pinningProblems,
    pulumiOps,
    pushTriggers,
    policyConfigProblems,
    stacksWithDomain,
    policyPackProblems,
    toolVersionProblems,
} from "./invariants";
import { helpText } from "../../validation/cli";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "./invariants";
import { WORKFLOWS, caught, edit } from "./edits";

const CONFIGS = loadPolicyConfigs();

function file(name: string): Workflow {
    const wf = WORKFLOWS.find((w) => w.file === name);
    assert.ok(wf, `.github/workflows/${name} exists`);
    return wf;
}

describe("GitHub workflows", () => {
    it("the five flows are there: review, deploy, migrate, drift, rollback", () => {
        assert.deepEqual(
            WORKFLOWS.map((w) => w.file),
            ["deploy.yml", "drift.yml", "migrate.yml", "review.yml", "rollback.yml"],
        );
    });

    describe("the offline review is one comment on every pull request, updated on each push", () => {
        it("holds on the workflows", () => assert.deepEqual(reviewCommentProblems(WORKFLOWS), []));
        it("catches a review that runs only for some pull requests", () => {
            caught(
                reviewCommentProblems(edit("review.yml", "  pull_request:\n    branches: [main]\n", "  pull_request:\n    branches: [main]\n    paths: ['services/**']\n")),
                /does not run on every pull request/,
            );
        });
        it("catches a comment posted only when the review passed", () => {
            caught(reviewCommentProblems(edit("review.yml", "if: always() && steps.offline-review.outcome != 'skipped' && ", "if: ")), /only when the review passed/);
        });
        it("catches a comment step that is gone, or a review without the diff", () => {
            caught(reviewCommentProblems(edit("review.yml", "run: node -r sucrase/register/ts .github/scripts/review-comment.ts", "run: echo")), /no step keeps the review comment/);
            caught(reviewCommentProblems(edit("review.yml", ' --base "origin/$BASE_REF"', "")), /does not diff against the base branch/);
        });
        it("catches the real preview without its diff", () => {
            caught(reviewCommentProblems(edit("review.yml", "          diff: true\n", "")), /diff: true/);
        });
    });

    describe("production rolls out behind its environment; a rollback needs no staging", () => {
        it("holds on the workflows", () => assert.deepEqual(rolloutProblems(WORKFLOWS), []));
        it("catches production upped straight to the stack file's split", () => {
            caught(
                rolloutProblems(
                    edit(
                        "deploy.yml",
                        "        run: npm run canary -- rollout --environment prod --stack prod --stage --output-dir gate/stage --plain\n",
                        "        run: pulumi up --yes --stack prod --policy-pack policies\n",
                    ),
                ),
                /ups prod straight to the stack file's split|not staged at 0 %/,
            );
        });
        it("catches the rollout outside the production environment", () => {
            caught(rolloutProblems(edit("deploy.yml", "    environment: production\n", "    environment: staging\n")), /does not run behind the production environment/);
        });
        it("catches a rollout that starts before the 0 % gate", () => {
            const wfs = WORKFLOWS.map((wf) => {
                if (wf.file !== "deploy.yml") return wf;
                const doc = JSON.parse(JSON.stringify(wf.doc));
                const steps = doc.jobs.production.steps as any[];
                const rollout = steps.findIndex((st) => /canary -- rollout .*--gated/.test(st.run ?? ""));
                const [moved] = steps.splice(rollout, 1);
                steps.splice(
                    steps.findIndex((st) => /npm run validate/.test(st.run ?? "")),
                    0,
                    moved,
                );
                return { ...wf, doc };
            });
            caught(rolloutProblems(wfs), /the rollout starts before the 0 % gate/);
        });
        it("catches a promotion that is never committed", () => {
            caught(rolloutProblems(edit("deploy.yml", " --gated --push main ", " --gated ")), /does not commit the promoted stack file/);
        });
        it("catches a rollback that waits for staging", () => {
            caught(rolloutProblems(edit("rollback.yml", "    runs-on: ubuntu-latest\n", "    needs: staging\n    runs-on: ubuntu-latest\n")), /a rollback waits for nothing/);
        });
        it("catches a rollback that prod cannot use", () => {
            caught(rolloutProblems(edit("rollback.yml", "options: [staging, prod]", "options: [staging]")), /stack prod cannot be rolled back/);
        });
        it("catches a second rollout of a stack alongside the first (another concurrency group)", () => {
            caught(concurrencyProblems(edit("rollback.yml", "group: deploy-${{ inputs.stack }}", "group: rollback-${{ inputs.stack }}")), /different concurrency groups/);
        });
        it("catches a rollback whose evidence is lost on failure", () => {
            caught(
                gateProblems(edit("rollback.yml", "      - name: Upload the rollback's evidence\n        if: always()\n", "      - name: Upload the rollback's evidence\n")),
                /evidence \(gate\/rollback\) is not uploaded with if: always\(\)/,
            );
        });
    });

    describe("every pulumi preview and up carries the policy pack", () => {
        it("holds on the workflows", () => assert.deepEqual(policyPackProblems(WORKFLOWS), []));
        it("reviews and deploys both stacks: a preview per stack on pull requests, an up per stack on main", () => {
            const stacksWith = (wf: Workflow, kind: string): string[] =>
                jobsOf(wf)
                    .flatMap(([, job]) => (pulumiOps(job).some((o) => o.kind === kind) ? jobStacks(wf, job) : []))
                    .sort();
            assert.deepEqual(stacksWith(file("review.yml"), "preview"), ["prod", "staging"]);
            assert.deepEqual(stacksWith(file("deploy.yml"), "up"), ["prod", "staging"]);
        });
        it("catches an up without policyPacks", () => {
            caught(policyPackProblems(edit("deploy.yml", "          policyPacks: policies\n", "")), /deploy\.yml staging .*policyPacks/);
        });
        it("catches a preview given the other stack's policy config", () => {
            caught(policyPackProblems(edit("review.yml", "policy-config/${{ matrix.stack }}.json", "policy-config/prod.json")), /review\.yml preview .*staging/);
        });
        it("catches a plain `pulumi up` shell line without --policy-pack", () => {
            caught(
                policyPackProblems(
                    edit("migrate.yml", 'pulumi config set migrateRerun "$next" --stack "$STACK"', 'pulumi config set migrateRerun "$next" --stack "$STACK" && pulumi up --yes --stack "$STACK"'),
                ),
                /without --policy-pack/,
            );
        });
        it("the policy config of each stack is valid and pins every environment-aware policy to it", () => {
            assert.deepEqual(policyConfigProblems(CONFIGS), []);
        });
        it("catches a prod policy config that says staging, and a misspelt policy name", () => {
            caught(
                policyConfigProblems({ ...CONFIGS, prod: CONFIGS.prod.replace('"production-safety": { "environment": "prod" }', '"production-safety": { "environment": "staging" }') }),
                /production-safety has environment staging/,
            );
            caught(policyConfigProblems({ ...CONFIGS, prod: CONFIGS.prod.replace('"health-probes"', '"health-probe"') }), /health-probe\b/);
        });
    });

    describe("the gate runs after every up and can fail the job", () => {
        it("holds on the workflows", () => assert.deepEqual(gateProblems(WORKFLOWS), []));
        it("catches continue-on-error on the gate", () => {
            caught(
                gateProblems(
                    edit(
                        "deploy.yml",
                        "      - name: Post-deploy gate (GO or NO-GO; NO-GO fails the job)\n",
                        "      - name: Post-deploy gate (GO or NO-GO; NO-GO fails the job)\n        continue-on-error: true\n",
                    ),
                ),
                /continue-on-error between up and the gate/,
            );
        });
        it("catches an exit code swallowed with || true", () => {
            caught(
                gateProblems(
                    edit(
                        "deploy.yml",
                        "          --plain\n        env:\n          GOOGLE_APPLICATION_CREDENTIALS: ${{ steps.reader-auth.outputs.credentials_file_path }}\n          PROD_",
                        "          --plain || true\n        env:\n          GOOGLE_APPLICATION_CREDENTIALS: ${{ steps.reader-auth.outputs.credentials_file_path }}\n          PROD_",
                    ),
                ),
                /production: the gate's exit code is swallowed/,
            );
        });
        it("catches FAIL_ON_REQUIRED_FAILURE=0", () => {
            caught(
                gateProblems(edit("migrate.yml", "      STACK: ${{ inputs.stack }}\n", '      STACK: ${{ inputs.stack }}\n      FAIL_ON_REQUIRED_FAILURE: "0"\n')),
                /FAIL_ON_REQUIRED_FAILURE=0 for the job/,
            );
        });
        it("catches a gate that reads another stack's outputs", () => {
            caught(
                gateProblems(edit("deploy.yml", "--outputs prod=gate/prod-outputs.json", "--outputs prod=gate/staging-outputs.json")),
                /nothing between up and the gate writes gate\/staging-outputs\.json/,
            );
        });
        it("catches a migration rerun without its drift check", () => {
            caught(gateProblems(edit("migrate.yml", /npm run validate --\n/, "echo skipped --\n")), /migrate\.yml rerun: no gate/);
        });
        it("catches an evidence upload that only runs on success", () => {
            caught(gateProblems(edit("deploy.yml", "      - name: Upload the gate's evidence\n        if: always()\n", "      - name: Upload the gate's evidence\n")), /lacks if: always\(\)/);
        });
        it("each deploy gate runs every check of its environment and none of the other's", () => {
            assert.deepEqual(deployGateScopeProblems(file("deploy.yml")), []);
            assert.ok(checksFor("staging").includes("runtime-migration-drift") && !checksFor("staging").includes("control-prod-health"));
            caught(
                deployGateScopeProblems(
                    edit("deploy.yml", "          --environment prod\n          --only control-prod-health,", "          --only control-staging-health,control-prod-health,").find(
                        (w) => w.file === "deploy.yml",
                    )!,
                ),
                /production \(prod\): .*other environment's \[control-staging-health/,
            );
            caught(
                deployGateScopeProblems(edit("deploy.yml", "--only control-staging-health,control-staging-smoke,", "--only control-staging-health,").find((w) => w.file === "deploy.yml")!),
                /misses \[control-staging-smoke/,
            );
            caught(
                deployGateScopeProblems(
                    edit("deploy.yml", "          --only khala-contract-tests,cross-surface-contract-harness\n", "          --only khala-contract-tests,control-staging-health\n").find(
                        (w) => w.file === "deploy.yml",
                    )!,
                ),
                /contract-tests \(staging\): the gate runs the contract tests beside the checks of what serves/,
            );
            caught(
                deployGateScopeProblems(
                    edit(
                        "deploy.yml",
                        "    permissions:\n      contents: read\n    env:\n      STACK: ${{ matrix.stack }}\n",
                        "    permissions:\n      contents: read\n      id-token: write\n    env:\n      STACK: ${{ matrix.stack }}\n",
                    ).find((w) => w.file === "deploy.yml")!,
                ),
                /can mint an OIDC token/,
            );
            caught(
                deployGateScopeProblems(
                    edit("deploy.yml", "          --only khala-contract-tests,cross-surface-contract-harness\n", "          --only cross-surface-contract-harness\n").find(
                        (w) => w.file === "deploy.yml",
                    )!,
                ),
                /\(staging\): no gate runs \[khala-contract-tests\]/,
            );
        });
        it("the gate appends its SUMMARY to the job summary by itself (GITHUB_STEP_SUMMARY)", () => {
            assert.match(helpText(), /GITHUB_STEP_SUMMARY\n\s+when set, SUMMARY\.md is appended to it/);
        });
    });

    describe("production needs staging", () => {
        it("holds on deploy.yml", () => assert.deepEqual(orderProblems(file("deploy.yml")), []));
        it("catches production without needs: staging", () => {
            caught(
                orderProblems(edit("deploy.yml", "    needs: [staging, contract-tests]\n", "    needs: contract-tests\n").find((w) => w.file === "deploy.yml")!),
                /production does not need staging/,
            );
        });
        it("catches production that runs whatever staging did", () => {
            caught(
                orderProblems(edit("deploy.yml", "    needs: [staging, contract-tests]\n", "    needs: [staging, contract-tests]\n    if: always()\n").find((w) => w.file === "deploy.yml")!),
                /even when staging failed/,
            );
        });
        it("catches production outside the production environment", () => {
            caught(orderProblems(edit("deploy.yml", "    environment: production\n", "    environment: staging\n").find((w) => w.file === "deploy.yml")!), /not behind the 'production' environment/);
        });
    });

    describe("no long-lived key", () => {
        it("holds on the workflows", () => assert.deepEqual(credentialProblems(WORKFLOWS), []));
        it("catches a JSON key in place of Workload Identity Federation", () => {
            caught(credentialProblems(edit("review.yml", /workload_identity_provider: .*\n/, "credentials_json: ${{ secrets.GCP_SA_KEY }}\n")), /long-lived credential/);
        });
        it("catches a GOOGLE_CREDENTIALS secret in the environment", () => {
            caught(
                credentialProblems(
                    edit(
                        "deploy.yml",
                        "      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}\n",
                        "      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}\n      GOOGLE_CREDENTIALS: ${{ secrets.GOOGLE_CREDENTIALS }}\n",
                    ),
                ),
                /GOOGLE_CREDENTIALS/,
            );
        });
        it("catches a job that federates without id-token: write", () => {
            caught(credentialProblems(edit("migrate.yml", "      id-token: write\n", "")), /without permissions id-token: write/);
        });
    });

    describe("every third-party action is pinned to a commit SHA with its version", () => {
        it("holds on the workflows", () => assert.deepEqual(pinningProblems(WORKFLOWS), []));
        it("catches a tag instead of a SHA", () => {
            caught(pinningProblems(edit("review.yml", "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0", "pulumi/actions@v7")), /pulumi\/actions@v7 is not pinned/);
        });
        it("catches a SHA without its version comment", () => {
            caught(
                pinningProblems(edit("deploy.yml", "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0", "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f")),
                /no version comment/,
            );
        });
        it("catches one action pinned to two SHAs", () => {
            caught(
                pinningProblems(edit("migrate.yml", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0")),
                /actions\/checkout pinned to/,
            );
        });
    });

    describe("concurrency per stack never cancels in progress", () => {
        it("holds on the workflows", () => assert.deepEqual(concurrencyProblems(WORKFLOWS), []));
        it("catches cancel-in-progress on a deploy", () => {
            caught(
                concurrencyProblems(edit("deploy.yml", "      group: deploy-prod\n      cancel-in-progress: false\n", "      group: deploy-prod\n      cancel-in-progress: true\n")),
                /production: concurrency does not set cancel-in-progress: false/,
            );
        });
        it("catches a group shared by both stacks", () => {
            caught(concurrencyProblems(edit("review.yml", "group: preview-${{ matrix.stack }}-pr-", "group: preview-pr-")), /not one per stack/);
        });
        it("catches a migration rerun outside the deploy's group", () => {
            caught(concurrencyProblems(edit("migrate.yml", "group: deploy-${{ inputs.stack }}", "group: migrate-${{ inputs.stack }}")), /different concurrency groups/);
        });
    });

    describe("Node from .nvmrc, the Pulumi CLI at the SDK's version", () => {
        it("holds on the workflows", () => assert.deepEqual(toolVersionProblems(WORKFLOWS), []));
        it("catches a Node version typed by hand", () => {
            caught(toolVersionProblems(edit("review.yml", "          node-version-file: .nvmrc\n", "          node-version: 22\n")), /does not read \.nvmrc/);
        });
        it("catches a Pulumi CLI that drifts from @pulumi/pulumi in package.json", () => {
            caught(toolVersionProblems(edit("deploy.yml", "pulumi-version: 3.276.0", "pulumi-version: 3.248.0")), /not the pinned SDK's 3\.276\.0/);
        });
    });

    describe("docs-only pushes do not deploy; a change to anything the deploy reads always does", () => {
        it("holds on deploy.yml", () => assert.deepEqual(deployTriggerProblems(file("deploy.yml")), []));
        it("reads GitHub's filter patterns: `*` stops at /, `**` does not", () => {
            const wf = parseWorkflow("deploy.yml", "on:\n  push:\n    branches: [main]\n    paths-ignore: ['*.md', 'docs/**']\n");
            assert.equal(pushTriggers(wf, "README.md"), false);
            assert.equal(pushTriggers(wf, "docs/a/b.md"), false);
            assert.equal(pushTriggers(wf, "policies/README.md"), true);
            assert.equal(pushTriggers(wf, "Pulumi.prod.yaml"), true);
        });
        it("catches `**.md`, which would skip a change under policies/ or services/", () => {
            caught(deployTriggerProblems(edit("deploy.yml", '      - "*.md"\n', '      - "**.md"\n').find((w) => w.file === "deploy.yml")!), /only policies\/README\.md does not deploy/);
        });
        it("catches an ignored deploy input (a stack file, services/, package-lock.json)", () => {
            const ignoring = (pattern: string) => edit("deploy.yml", '      - "docs/**"\n', `      - "docs/**"\n      - "${pattern}"\n`).find((w) => w.file === "deploy.yml")!;
            caught(deployTriggerProblems(ignoring("Pulumi.*.yaml")), /only Pulumi\.staging\.yaml does not deploy/);
            caught(deployTriggerProblems(ignoring("services/**")), /only services\/.* does not deploy/);
            caught(deployTriggerProblems(ignoring("package-lock.json")), /only package-lock\.json does not deploy/);
        });
        it("catches a deploy that runs on a docs-only push", () => {
            caught(
                deployTriggerProblems(edit("deploy.yml", '    paths-ignore:\n      - "*.md"\n      - "docs/**"\n', "").find((w) => w.file === "deploy.yml")!),
                /docs-only push \(README\.md\) deploys/,
            );
        });
    });

    describe("the migration rerun commits its bump to main", () => {
        it("holds on the workflows", () => assert.deepEqual(migrateCommitProblems(WORKFLOWS), []));
        it("catches a rerun that leaves the bump uncommitted", () => {
            caught(migrateCommitProblems(edit("migrate.yml", /      - name: Commit the bump to main[\s\S]*?(?=      - name: Upload)/, "")), /never committed to main/);
        });
        it("catches a commit that only runs when the up and drift check pass", () => {
            caught(migrateCommitProblems(edit("migrate.yml", "        if: always() && steps.bump.outcome == 'success'\n", "")), /must run whenever the bump ran/);
        });
        it("catches a refused push that would not fail the job", () => {
            caught(migrateCommitProblems(edit("migrate.yml", 'main\n          "$STACK: migrateRerun', 'main || true\n          "$STACK: migrateRerun')), /exit code is swallowed/);
        });
        it("catches the rerun without contents: write, and a deploy job with it", () => {
            caught(migrateCommitProblems(edit("migrate.yml", "      contents: write\n", "      contents: read\n")), /without contents: write/);
            caught(
                migrateCommitProblems(edit("deploy.yml", "    permissions:\n      contents: read\n      id-token: write\n", "    permissions:\n      contents: write\n      id-token: write\n")),
                /deploy\.yml staging: contents: write without a migrateRerun bump/,
            );
        });
        it("catches the commit of another stack's file", () => {
            caught(migrateCommitProblems(edit("migrate.yml", '"Pulumi.$STACK.yaml" main', '"Pulumi.prod.yaml" main')), /\(staging\): commits Pulumi\.prod\.yaml/);
        });
    });

    describe("the gate waits for a new custom domain's certificate", () => {
        it("both stacks map a custom domain", () => assert.deepEqual(stacksWithDomain().sort(), ["prod", "staging"]));
        it("holds on the workflows", () => assert.deepEqual(domainWaitProblems(WORKFLOWS), []));
        it("catches a deploy job without the wait", () => {
            caught(
                domainWaitProblems(edit("deploy.yml", "        run: bash .github/scripts/wait-for-domain-certificate.sh gate/prod-outputs.json prod\n", "        run: echo skipped\n")),
                /production \(prod\): no wait/,
            );
        });
        it("catches the gate's ID token minted before the wait", () => {
            const moved = edit(
                "deploy.yml",
                /(      - name: Wait until the control domain[\s\S]*?CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: .*\n)(      - name: Mint the gate's ID token[\s\S]*?id_token_include_email: true\n)/,
                "$2$1",
            );
            caught(domainWaitProblems(moved), /staging\): the gate's ID token is minted before the certificate wait/);
        });
    });

    describe("drift is found on a schedule, per stack", () => {
        const drift = () => file("drift.yml");
        const driftEdit = (from: string | RegExp, to: string) => edit("drift.yml", from, to).find((w) => w.file === "drift.yml")!;
        it("holds on drift.yml", () => assert.deepEqual(driftScheduleProblems(drift()), []));
        it("reads a cron line as daily only when it fires every day", () => {
            assert.equal(isDailyCron("23 5 * * *"), true);
            assert.equal(isDailyCron("23 5 * * 1"), false);
            assert.equal(isDailyCron("*/30 * * * *"), false);
            assert.equal(isDailyCron("0 5 1 * *"), false);
        });
        it("catches a weekly schedule, and no schedule at all", () => {
            caught(driftScheduleProblems(driftEdit('- cron: "23 5 * * *"', '- cron: "23 5 * * 1"')), /no daily schedule .*23 5 \* \* 1/);
            caught(driftScheduleProblems(driftEdit(/  schedule:\n.*\n.*\n/, "")), /no daily schedule/);
        });
        it("catches a check that cannot be run on demand", () => {
            caught(driftScheduleProblems(driftEdit("  workflow_dispatch:\n", "")), /no workflow_dispatch/);
        });
        it("catches a matrix that leaves a stack out, and fail-fast that would cancel the other leg", () => {
            caught(driftScheduleProblems(driftEdit("stack: [staging, prod]", "stack: [staging]")), /checks \[staging\], not every stack \[prod, staging\]/);
            caught(driftScheduleProblems(driftEdit("      fail-fast: false\n", "")), /fail-fast: false/);
        });
        it("catches a check on any ref", () => {
            caught(driftScheduleProblems(driftEdit("    if: github.ref == 'refs/heads/main'\n", "")), /runs on any ref/);
        });
    });

    /** The script reader of the invariants, with one edit in the drift job's state script; fails if the edit does not apply. */
    const STATE_SCRIPT = ".github/scripts/analyze-refreshed-state.sh";
    const stateScriptEdit = (from: string | RegExp, to: string) => {
        const text = fs.readFileSync(path.join(REPO, STATE_SCRIPT), "utf8");
        const edited = text.replace(from, to);
        assert.notEqual(edited, text, `the edit of ${STATE_SCRIPT} applies (${String(from)})`);
        return (file: string) => (file === STATE_SCRIPT ? edited : fs.existsSync(path.join(REPO, file)) ? fs.readFileSync(path.join(REPO, file), "utf8") : "");
    };

    describe("the drift job is read-only", () => {
        const driftEdit = (from: string | RegExp, to: string) => edit("drift.yml", from, to).find((w) => w.file === "drift.yml")!;
        it("holds on drift.yml", () => assert.deepEqual(driftIdentityProblems(file("drift.yml")), []));
        it("catches the deploy account in place of the preview account", () => {
            caught(driftIdentityProblems(driftEdit("vars.GCP_PREVIEW_SERVICE_ACCOUNT", "vars.GCP_DEPLOY_SERVICE_ACCOUNT")), /not the read-only preview account/);
        });
        it("catches a job in a deploy environment (where the deploy identity is bound)", () => {
            caught(driftIdentityProblems(driftEdit("    timeout-minutes: 30\n", "    timeout-minutes: 30\n    environment: production\n")), /runs in an environment \(production\)/);
        });
        it("catches a write permission beyond issues", () => {
            caught(driftIdentityProblems(driftEdit("      contents: read\n      id-token: write\n", "      contents: write\n      id-token: write\n")), /permission contents: write/);
        });
        it("catches a refresh of the real state (before the backend points at the private copy)", () => {
            const moved = stateScriptEdit(/(export PULUMI_BACKEND_URL="file:\/\/\$copy"\n)([\s\S]*?pulumi refresh[^\n]*\n)/, "$2$1");
            caught(driftIdentityProblems(file("drift.yml"), moved), /`pulumi refresh` against the real backend/);
        });
        it("catches a state-writing command, and pulumi/actions running up", () => {
            caught(
                driftIdentityProblems(
                    driftEdit("          mkdir -p drift\n          rc=0\n", '          mkdir -p drift\n          pulumi config set migrateRerun 0 --stack "$STACK"\n          rc=0\n'),
                ),
                /`pulumi config set` writes state or config/,
            );
            caught(driftIdentityProblems(driftEdit("          pulumi-version: 3.276.0\n", "          pulumi-version: 3.276.0\n          command: up\n")), /pulumi\/actions runs up/);
        });
    });

    describe("the one-time set-up (docs/gcp-setup.md): the repository pinned by id, the preview account read-only", () => {
        const readme = fs.readFileSync(path.join(REPO, "docs", "gcp-setup.md"), "utf8");
        it("holds on docs/gcp-setup.md", () => assert.deepEqual(setupProblems(readme), []));
        it("catches a condition on the repository name only", () => {
            caught(setupProblems(readme.replace(/ && assertion\.repository_id == '\$GH_REPO_ID' && assertion\.repository_owner_id == '\$GH_OWNER_ID'/, "")), /does not pin repository_id/);
        });
        it("catches a preview account that can write the state", () => {
            caught(
                setupProblems(readme.replace("oa-pulumi-preview@$PROJECT.$SA --role roles/storage.objectViewer", "oa-pulumi-preview@$PROJECT.$SA --role roles/storage.objectUser")),
                /preview account gets BUCKET roles\/storage\.objectUser, which writes/,
            );
        });
    });

    describe("the drift job compares program, state and cloud, and reports every outcome", () => {
        const driftEdit = (from: string | RegExp, to: string) => edit("drift.yml", from, to).find((w) => w.file === "drift.yml")!;
        it("holds on drift.yml", () => assert.deepEqual(driftCheckProblems(file("drift.yml")), []));
        it("catches a preview without --refresh (it would compare with the state, not the cloud)", () => {
            caught(driftCheckProblems(driftEdit('"$STACK" --refresh --expect-no-changes', '"$STACK" --expect-no-changes')), /pulumi preview without --refresh/);
        });
        it("catches a preview without --expect-no-changes (drift would pass)", () => {
            caught(driftCheckProblems(driftEdit('"$STACK" --refresh --expect-no-changes', '"$STACK" --refresh')), /without --expect-no-changes/);
        });
        it("catches the other stack's policy config, and an analysis without any", () => {
            caught(
                driftCheckProblems(
                    driftEdit('--policy-pack-config ".github/policy-config/$STACK.json" > drift/preview.txt', '--policy-pack-config ".github/policy-config/prod.json" > drift/preview.txt'),
                ),
                /\(staging\): pulumi preview reads policy config \.github\/policy-config\/prod\.json/,
            );
            caught(
                driftCheckProblems(file("drift.yml"), stateScriptEdit(' --policy-pack-config ".github/policy-config/$stack.json" > "$out/analyze.txt"', ' > "$out/analyze.txt"')),
                /pulumi policy analyze reads policy config <none>/,
            );
        });
        it("catches an analysis of the state as it was (no refresh before it)", () => {
            const moved = stateScriptEdit(/(pulumi refresh [^\n]*\n)([\s\S]*?)(pulumi policy analyze [^\n]*\n)/, "$2$3$1");
            caught(driftCheckProblems(file("drift.yml"), moved), /does not run on the refreshed copy/);
        });
        it("catches an exit code the report never sees", () => {
            caught(driftCheckProblems(driftEdit('          echo "$rc" > drift/preview.rc\n', "")), /nothing writes drift\/preview\.rc/);
            caught(driftCheckProblems(driftEdit("> drift/preview.txt 2>&1 || rc=$?", "> drift/preview.txt 2>&1 || true")), /preview's output and exit code are not recorded/);
        });
        it("catches the state script given another stack or another directory than the report reads", () => {
            caught(
                driftCheckProblems(driftEdit('analyze-refreshed-state.sh "$STACK" drift', 'analyze-refreshed-state.sh "$STACK" out')),
                /\(staging\): .*analyze-refreshed-state\.sh is given staging out, not staging drift/,
            );
        });
        it("catches an analysis exit code the script never records", () => {
            caught(driftCheckProblems(file("drift.yml"), stateScriptEdit('echo "$rc" > "$out/analyze.rc"\n', "")), /nothing writes drift\/analyze\.rc/);
        });
        it("catches a report that is skipped when a step before it failed", () => {
            caught(driftCheckProblems(driftEdit(/(      - name: Report[^\n]*\n)        if: always\(\)\n/, "$1")), /report lacks if: always\(\)/);
        });
        it("catches drift that would not fail the job", () => {
            caught(driftCheckProblems(driftEdit('--stack "$STACK" --dir drift', '--stack "$STACK" --dir drift || true')), /report's exit code is swallowed/);
            caught(driftCheckProblems(driftEdit("    timeout-minutes: 30\n", "    timeout-minutes: 30\n    continue-on-error: true\n")), /drift would not fail the job/);
        });
        it("catches a report filed under another stack, or without the token to keep the issue", () => {
            caught(driftCheckProblems(driftEdit('drift-report.ts --stack "$STACK"', "drift-report.ts --stack staging")), /\(prod\): the report is for stack staging/);
            caught(driftCheckProblems(driftEdit("          GITHUB_TOKEN: ${{ github.token }}\n", "          GH_TOKEN: ${{ github.token }}\n")), /no GITHUB_TOKEN/);
            caught(driftIdentityProblems(driftEdit("      issues: write\n", "")), /permission issues is <unset>, expected write/);
        });
        it("catches evidence that is lost when the job fails", () => {
            caught(driftCheckProblems(driftEdit(/(      - name: Upload the drift evidence\n)        if: always\(\)\n/, "$1")), /drift evidence .* not uploaded/);
        });
    });

    describe("gcloud comes from a pinned setup-gcloud", () => {
        it("holds on the workflows (the certificate wait's gcloud beta, the drift job's state copy)", () => assert.deepEqual(gcloudSetupProblems(WORKFLOWS), []));
        it("catches the certificate wait on the runner image's gcloud", () => {
            caught(
                gcloudSetupProblems(edit("deploy.yml", /      - name: Install gcloud and its beta component[^\n]*\n.*\n.*\n.*\n/, "")),
                /deploy\.yml staging step \d+ \(Wait until the control domain.*without google-github-actions\/setup-gcloud/,
            );
        });
        it("catches gcloud beta without the beta component", () => {
            caught(gcloudSetupProblems(edit("deploy.yml", "        with:\n          install_components: beta\n", "")), /calls gcloud beta, and setup-gcloud does not install the beta component/);
        });
        it("catches setup-gcloud after the step that needs it", () => {
            const moved = edit("drift.yml", /(      - name: Install gcloud[^\n]*\n[^\n]*\n)([\s\S]*?)(      - name: Report)/, "$2$1$3");
            caught(gcloudSetupProblems(moved), /drift\.yml drift .*without google-github-actions\/setup-gcloud/);
        });
    });

    describe("Dependabot proposes npm and Actions updates, grouped", () => {
        const text = fs.readFileSync(path.join(REPO, ".github", "dependabot.yml"), "utf8");
        it("holds on .github/dependabot.yml", () => assert.deepEqual(dependabotProblems(text), []));
        it("catches the Actions ecosystem left out (the pins would never move)", () => {
            caught(dependabotProblems(text.replace(/  - package-ecosystem: github-actions[\s\S]*$/, "")), /no updates for github-actions/);
        });
        it("catches ungrouped updates (a pull request per package)", () => {
            caught(dependabotProblems(text.replace(/    groups:\n      actions:\n        patterns: \["\*"\]\n/, "")), /github-actions: updates are not grouped/);
        });
    });

    describe("the commands the workflows run exist", () => {
        it("holds on the workflows (npm scripts, the gate's and the review's flags, check ids)", () => assert.deepEqual(commandProblems(WORKFLOWS), []));
        it("catches an npm script that does not exist", () => {
            caught(commandProblems(edit("review.yml", "      - run: npm run lint\n", "      - run: npm run lint:ci\n")), /npm run lint:ci: no such script/);
        });
        it("catches a gate flag it does not have", () => {
            caught(commandProblems(edit("migrate.yml", "--only runtime-migration-drift", "--check runtime-migration-drift")), /unknown option --check/);
        });
        it("catches a check id the gate does not know", () => {
            caught(commandProblems(edit("migrate.yml", "--only runtime-migration-drift", "--only runtime-drift")), /unknown check runtime-drift/);
        });
        it("every .github/scripts/ file the workflows run exists", () => {
            assert.deepEqual(scriptPathProblems(WORKFLOWS), []);
            caught(scriptPathProblems(edit("drift.yml", ".github/scripts/drift-report.ts", ".github/scripts/drift-issue.ts")), /drift-issue\.ts does not exist/);
        });
        it("catches a review flag it does not have, and a policy config that is not there", () => {
            caught(commandProblems(edit("review.yml", '--base "origin/$BASE_REF"', '--base-ref "origin/$BASE_REF"')), /review/);
            caught(commandProblems(edit("review.yml", '--stack "$stack" --base', '--stack "$stack" --policy-config "policies/$stack.json" --base')), /does not exist/);
        });
    });
});

// The workflows' shell steps, run for real: the migration rerun's commit against a local bare
// repository standing in for GitHub (file paths only, no network), the custom-domain
// certificate wait against a stand-in `gcloud` first on PATH, and the drift job's state copy,
// refresh and analysis against stand-in `gcloud` and `pulumi` (a local directory as the bucket).

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./invariants";
import { classify, issueBody, readRun } from "../../.github/scripts/drift-report";

const COMMIT = path.join(REPO, ".github", "scripts", "commit-stack-file.sh");
const WAIT = path.join(REPO, ".github", "scripts", "wait-for-domain-certificate.sh");
const ANALYZE = path.join(REPO, ".github", "scripts", "analyze-refreshed-state.sh");

interface Run {
    status: number | null;
    out: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
    const r = spawnSync(cmd, args, {
        cwd,
        encoding: "utf8",
        // No user or system git config: the tests see only what they set up.
        env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", ...env },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function git(cwd: string, ...args: string[]): string {
    const r = run("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], cwd);
    assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.out}`);
    return r.out;
}

describe("workflow scripts", () => {
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wf-scripts-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("commit-stack-file.sh: the migration rerun's bump lands on main", () => {
        const LINE = 'openagents-rust-lanes:migrateRerun: "1"';
        let origin: string;
        let work: string;

        /** A bare "GitHub" with main holding Pulumi.staging.yaml, a checkout of it, and the bump made there. */
        beforeEach(() => {
            origin = path.join(tmp, "origin.git");
            work = path.join(tmp, "work");
            git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", origin);
            git(tmp, "clone", "--quiet", origin, work);
            git(work, "checkout", "--quiet", "-b", "main");
            fs.writeFileSync(path.join(work, "Pulumi.staging.yaml"), "config:\n  openagents-rust-lanes:environment: staging\n");
            git(work, "add", "Pulumi.staging.yaml");
            git(work, "commit", "--quiet", "-m", "stack");
            git(work, "push", "--quiet", "origin", "main");
            fs.appendFileSync(path.join(work, "Pulumi.staging.yaml"), `  ${LINE}\n`);
        });

        function commit(env: NodeJS.ProcessEnv = {}): Run {
            return run("bash", [COMMIT, "Pulumi.staging.yaml", "main", "staging: migrateRerun 1"], work, { RETRY_DELAY: "0", GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md"), ...env });
        }

        function originFile(name: string): string {
            return git(origin, "show", `main:${name}`);
        }

        it("commits the bumped stack file to main as the Actions bot", () => {
            const r = commit();
            assert.equal(r.status, 0, r.out);
            assert.ok(originFile("Pulumi.staging.yaml").includes(`  ${LINE}\n`));
            assert.match(git(origin, "log", "-1", "--format=%an %s", "main"), /^github-actions\[bot\] staging: migrateRerun 1/);
            assert.match(fs.readFileSync(path.join(tmp, "summary.md"), "utf8"), /Committed the rerun/);
        });

        it("rebases onto a commit that landed on main meanwhile, then pushes", () => {
            const other = path.join(tmp, "other");
            git(tmp, "clone", "--quiet", origin, other);
            fs.writeFileSync(path.join(other, "index.ts"), "// meanwhile\n");
            git(other, "add", "index.ts");
            git(other, "commit", "--quiet", "-m", "meanwhile");
            git(other, "push", "--quiet", "origin", "main");
            const r = commit();
            assert.equal(r.status, 0, r.out);
            assert.match(originFile("Pulumi.staging.yaml"), /migrateRerun: "1"/);
            assert.equal(originFile("index.ts"), "// meanwhile\n");
        });

        it("tries once more when the first push is refused", () => {
            const flag = path.join(tmp, "refused-once");
            fs.writeFileSync(path.join(origin, "hooks", "pre-receive"), `#!/bin/sh\n[ -e '${flag}' ] && exit 0\ntouch '${flag}'\necho 'refused once' >&2\nexit 1\n`, { mode: 0o755 });
            const r = commit();
            assert.equal(r.status, 0, r.out);
            assert.match(r.out, /trying once more/);
            assert.match(originFile("Pulumi.staging.yaml"), /migrateRerun: "1"/);
        });

        it("fails loudly when main refuses the push, printing the exact line to commit by hand", () => {
            fs.writeFileSync(path.join(origin, "hooks", "pre-receive"), "#!/bin/sh\necho 'protected branch' >&2\nexit 1\n", { mode: 0o755 });
            const r = commit();
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /::error file=Pulumi\.staging\.yaml::could not push/);
            assert.ok(r.out.includes(`already exists'):   ${LINE}`), r.out);
            assert.ok(fs.readFileSync(path.join(tmp, "summary.md"), "utf8").includes(`\n  ${LINE}\n`));
            assert.doesNotMatch(originFile("Pulumi.staging.yaml"), /migrateRerun/);
        });

        it("fails when there is no bump to commit", () => {
            git(work, "checkout", "--quiet", "--", "Pulumi.staging.yaml");
            const r = commit();
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /no change to commit/);
        });
    });

    describe("wait-for-domain-certificate.sh: the gate waits until the custom domain is Ready", () => {
        const SERVICE_URL = "https://openagents-control-service-abc123-uc.a.run.app";

        function outputs(baseUrl: string): string {
            const file = path.join(tmp, "prod-outputs.json");
            fs.writeFileSync(file, JSON.stringify({ environment: "prod", project: "openagentsgemini", region: "us-central1", controlBaseUrl: baseUrl, controlServiceUrl: SERVICE_URL }));
            return file;
        }

        /** A `gcloud` that answers each call with the next Ready condition given (the last one repeats) and logs its arguments. */
        function fakeGcloud(conditions: Array<{ status: string; reason?: string; message?: string }>): string {
            const bin = path.join(tmp, "bin");
            fs.mkdirSync(bin);
            conditions.forEach((c, i) =>
                fs.writeFileSync(
                    path.join(tmp, `answer-${i}.json`),
                    JSON.stringify({
                        status: {
                            conditions: [
                                { type: "CertificateProvisioned", status: c.status },
                                { type: "Ready", ...c },
                            ],
                        },
                    }),
                ),
            );
            const last = conditions.length - 1;
            fs.writeFileSync(
                path.join(bin, "gcloud"),
                `#!/bin/sh\necho "$*" >> '${tmp}/calls'\nn=$(wc -l < '${tmp}/calls')\ni=$((n - 1)); [ $i -gt ${last} ] && i=${last}\ncat '${tmp}'/answer-$i.json\n`,
                { mode: 0o755 },
            );
            return bin;
        }

        function wait(bin: string, file: string, env: NodeJS.ProcessEnv = {}): Run {
            return run("bash", [WAIT, file, "prod"], tmp, { PATH: `${bin}:${process.env.PATH}`, POLL_INTERVAL: "0", ...env });
        }

        function calls(): string[] {
            return fs.existsSync(path.join(tmp, "calls")) ? fs.readFileSync(path.join(tmp, "calls"), "utf8").trim().split("\n") : [];
        }

        it("waits while the certificate is pending, then lets the gate run", () => {
            const bin = fakeGcloud([
                { status: "Unknown", reason: "CertificatePending", message: "Waiting for certificate provisioning." },
                { status: "Unknown", reason: "CertificatePending" },
                { status: "True" },
            ]);
            const r = wait(bin, outputs("https://openagents.com"));
            assert.equal(r.status, 0, r.out);
            assert.equal(calls().length, 3);
            assert.equal(calls()[0], "beta run domain-mappings describe --domain openagents.com --region us-central1 --project openagentsgemini --format json");
            assert.match(r.out, /openagents\.com not Ready yet \(CertificatePending: Waiting for certificate provisioning\.\)/);
        });

        it("fails after MAX_WAIT, telling how to gate the run.app URL by hand", () => {
            const bin = fakeGcloud([{ status: "Unknown", reason: "CertificatePending" }]);
            const r = wait(bin, outputs("https://openagents.com"), { MAX_WAIT: "0" });
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /::error::openagents\.com is still not Ready after 0s \(CertificatePending/);
            assert.ok(r.out.includes(`--environment prod --prod-control-url ${SERVICE_URL}`), r.out);
        });

        it("fails at once on a mapping that cannot become Ready", () => {
            const bin = fakeGcloud([{ status: "False", reason: "DomainMappingNotOwned", message: "The caller is not a verified owner" }]);
            const r = wait(bin, outputs("https://openagents.com"), { MAX_WAIT: "600" });
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /not Ready: DomainMappingNotOwned The caller is not a verified owner/);
            assert.equal(calls().length, 1);
        });

        it("does nothing without a custom domain", () => {
            const bin = fakeGcloud([{ status: "Unknown" }]);
            const r = wait(bin, outputs(SERVICE_URL));
            assert.equal(r.status, 0, r.out);
            assert.deepEqual(calls(), []);
        });
    });

    describe("analyze-refreshed-state.sh: the drift job judges a refreshed private copy of the state", () => {
        const STATE = ".pulumi/stacks/openagents-rust-lanes/staging.json";
        let bucket: string;
        let bin: string;

        /** A bucket (a directory) holding a DIY backend with history, backups and a lock besides the stacks; stand-in gcloud and pulumi that log their calls. */
        beforeEach(() => {
            bucket = path.join(tmp, "bucket");
            for (const f of [
                ".pulumi/meta.yaml",
                STATE,
                ".pulumi/stacks/openagents-rust-lanes/prod.json",
                ".pulumi/history/openagents-rust-lanes/staging/staging-1.history.json",
                ".pulumi/backups/openagents-rust-lanes/staging/staging.1.json",
                ".pulumi/locks/openagents-rust-lanes/staging/lock.json",
            ]) {
                fs.mkdirSync(path.dirname(path.join(bucket, f)), { recursive: true });
                fs.writeFileSync(path.join(bucket, f), `{"file":"${f}"}\n`);
            }
            bin = path.join(tmp, "bin");
            fs.mkdirSync(bin);
            // gcloud storage rsync SRC DST with --exclude REGEX (matched, as gcloud does, against the path under SRC).
            fs.writeFileSync(
                path.join(bin, "gcloud"),
                `#!/usr/bin/env bash
echo "gcloud $*" >> '${tmp}/calls'
[ -n "\${FAKE_GCLOUD_FAIL:-}" ] && { echo "$FAKE_GCLOUD_FAIL" >&2; exit 1; }
[ "$1 $2" = "storage rsync" ] || exit 9
shift 2; exclude=""; args=()
while [ $# -gt 0 ]; do case "$1" in --recursive) shift;; --exclude) exclude="$2"; shift 2;; *) args+=("$1"); shift;; esac; done
src="${bucket}\${args[0]#gs://bucket}"; dst="\${args[1]}"
(cd "$src" && find . -type f | sed 's|^\\./||') | while read -r rel; do
  if [ -n "$exclude" ] && [[ "$rel" =~ $exclude ]]; then continue; fi
  mkdir -p "$dst/$(dirname "$rel")"; cp "$src/$rel" "$dst/$rel"
done
`,
                { mode: 0o755 },
            );
            // pulumi: refuses to refresh anything but a file:// backend holding the stack; exits as told.
            fs.writeFileSync(
                path.join(bin, "pulumi"),
                `#!/usr/bin/env bash
echo "$PULUMI_BACKEND_URL pulumi $*" >> '${tmp}/calls'
case "$1" in
  refresh)
    case "$PULUMI_BACKEND_URL" in file://*) ;; *) echo "error: refresh of the real backend"; exit 7;; esac
    [ -f "\${PULUMI_BACKEND_URL#file://}/${STATE}" ] || { echo "error: no stack named staging"; exit 4; }
    echo "\${FAKE_REFRESH_OUT:-Resources: 12 unchanged}"; exit "\${FAKE_REFRESH_RC:-0}";;
  policy) echo "\${FAKE_ANALYZE_OUT:-no policy violations}"; exit "\${FAKE_ANALYZE_RC:-0}";;
esac
exit 9
`,
                { mode: 0o755 },
            );
        });

        function analyze(env: NodeJS.ProcessEnv = {}): Run {
            return run("bash", [ANALYZE, "staging", "drift"], tmp, { PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: "gs://bucket/", RUNNER_TEMP: tmp, ...env });
        }

        function calls(): string[] {
            return fs.readFileSync(path.join(tmp, "calls"), "utf8").trim().split("\n");
        }

        /** The report's view of drift/, with a clean preview beside what the script recorded. */
        function verdict(): string[] {
            fs.writeFileSync(path.join(tmp, "drift", "preview.rc"), "0\n");
            return classify(readRun("staging", path.join(tmp, "drift")));
        }

        it("copies meta.yaml and stacks/ only, refreshes the copy, and analyzes it with the stack's pack config", () => {
            const r = analyze();
            assert.equal(r.status, 0, r.out);
            const [copy, refresh, policy] = calls();
            const backend = refresh.split(" ")[0];
            assert.match(backend, new RegExp(`^file://${tmp}/state\\.`));
            assert.equal(copy, `gcloud storage rsync --recursive --exclude ^(history|backups|locks)/ gs://bucket/.pulumi ${backend.replace("file://", "")}/.pulumi`);
            const copied = run("find", [".", "-type", "f"], backend.replace("file://", "")).out.trim().split("\n").sort();
            assert.deepEqual(copied, ["./.pulumi/meta.yaml", "./.pulumi/stacks/openagents-rust-lanes/prod.json", `./${STATE}`]);
            assert.equal(refresh, `${backend} pulumi refresh --stack staging --yes --skip-preview --non-interactive --color never`);
            assert.equal(policy, `${backend} pulumi policy analyze --stack staging --non-interactive --color never --policy-pack policies --policy-pack-config .github/policy-config/staging.json`);
            assert.equal(fs.readFileSync(path.join(tmp, "drift", "refresh.rc"), "utf8"), "0\n");
            assert.equal(fs.readFileSync(path.join(tmp, "drift", "analyze.rc"), "utf8"), "0\n");
            assert.deepEqual(verdict(), []);
        });

        it("records a violation for the report and exits 0 (the report fails the job)", () => {
            const r = analyze({ FAKE_ANALYZE_RC: "1", FAKE_ANALYZE_OUT: "- [mandatory]  approved-pinned-images  (control-service): image tagged latest" });
            assert.equal(r.status, 0, r.out);
            assert.equal(fs.readFileSync(path.join(tmp, "drift", "analyze.rc"), "utf8"), "1\n");
            assert.match(fs.readFileSync(path.join(tmp, "drift", "analyze.txt"), "utf8"), /image tagged latest/);
            assert.deepEqual(verdict(), ["policy"]);
        });

        it("skips the analysis after a failed refresh, which the report calls refresh-failed", () => {
            const r = analyze({ FAKE_REFRESH_RC: "255", FAKE_REFRESH_OUT: "error: googleapi: Error 403: Permission 'run.services.get' denied" });
            assert.equal(r.status, 0, r.out);
            assert.equal(calls().length, 2);
            assert.ok(!fs.existsSync(path.join(tmp, "drift", "analyze.rc")));
            assert.deepEqual(verdict(), ["refresh-failed"]);
        });

        it("fails when the state cannot be copied, and the report shows gcloud's error", () => {
            const r = analyze({ FAKE_GCLOUD_FAIL: "AccessDeniedException: 403 oa-pulumi-preview does not have storage.objects.list access" });
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /::error::could not copy the state of staging from gs:\/\/bucket\/\.pulumi/);
            assert.ok(!calls().some((c) => c.includes(" pulumi ")), "no pulumi command without the copy");
            assert.ok(!fs.existsSync(path.join(tmp, "drift", "refresh.rc")));
            const report = readRun("staging", path.join(tmp, "drift"));
            assert.deepEqual(verdict(), ["refresh-failed"]);
            assert.match(issueBody(report, ["refresh-failed"], undefined), /storage\.objects\.list/);
        });
    });
});

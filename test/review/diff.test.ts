// `npm run review -- --base REF` on real git history: a temporary repository holding the
// program and the stack files, a baseline commit, then changes (committed or in the working
// tree), each diffed against the baseline through the review's own run().
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../review/cli";
import { CANARY_LADDER } from "../../catalog";
import type { StackDiff } from "../../review/diff";
import { PROJECT_DIR } from "../../review/stack-files";

const PROGRAM = ["index.ts", "Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml", "services", "catalog", "package.json", "tsconfig.json"];

function git(dir: string, ...args: string[]): string {
    return execFileSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
}

async function review(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return reviewWith({}, dir, ...argv);
}

/** As the CLI runs it (defaultBase: a diff against the merge base with origin/main or main unless --base/--no-base). */
async function reviewWith(io: { defaultBase?: boolean }, dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t), projectDir: dir, stackDir: dir, ...io });
    return { code, out: out.join(""), err: err.join("") };
}

function edit(dir: string, stack: string, from: RegExp, to: string): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    assert.match(text, from);
    fs.writeFileSync(file, text.replace(from, to));
}

function changes(out: string): string[] {
    return out.split("\n").filter((l) => /^  (\+-|\+|-|~)  ?\S/.test(l) || /^       /.test(l) || /^  (staging|prod): /.test(l));
}

describe("review --base on real git history", function () {
    this.timeout(60_000);
    let dir: string;
    const reset = () => git(dir, "checkout", "--", ".");

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-diff-"));
        for (const p of PROGRAM) fs.cpSync(path.join(PROJECT_DIR, p), path.join(dir, p), { recursive: true });
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "baseline");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    afterEach(() => reset());

    it("shows a committed prod tag bump as CI rolls it out: the first up at 0 %, then the canary ladder, against HEAD~1", async () => {
        edit(dir, "prod", /controlImageTag: 3f9c2ab/, "controlImageTag: 9e8d7c6");
        git(dir, "commit", "-q", "-am", "Deploy 9e8d7c6 to prod");
        try {
            const r = await review(dir, "--stack", "prod", "--base", "HEAD~1");
            assert.equal(r.code, 0, r.err);
            assert.deepEqual(changes(r.out), [
                "  ~  gcp:cloudrunv2/service:Service control",
                '       template.containers[0].image: "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:3f9c2ab" => "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:9e8d7c6"',
                '       template.revision: "openagents-control-service-3f9c2ab-2f6384" => "openagents-control-service-9e8d7c6-3e0a14"  [revision]',
                '       traffics[0].tag: "current" => "stable"  [traffic]',
                "       traffics[1].percent: (none) => 0  [traffic]",
                '       traffics[1].revision: (none) => "openagents-control-service-9e8d7c6-3e0a14"  [traffic]',
                '       traffics[1].tag: (none) => "canary"  [traffic]',
                '       traffics[1].type: (none) => "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"  [traffic]',
                "  prod: 1 to update, 0 to replace, 15 unchanged",
            ]);
            assert.ok(!changes(r.out).some((l) => /traffics\[0\]\.(revision|percent)/.test(l)), "the serving revision keeps 100 %: no direct switch");
            const ladder = r.out.split("\n").filter((l) => /^ {2}canary: |^ {4}\d/.test(l));
            assert.deepEqual(ladder, [
                "  canary: CI does not switch prod to openagents-control-service-9e8d7c6-3e0a14 at once; the diff above is its first up (the canary rollout of deploy.yml):",
                "    0 %    up: openagents-control-service-9e8d7c6-3e0a14 at 0 % (tag canary), openagents-control-service-3f9c2ab-2f6384 keeps 100 % as controlStableRevision; then the gate",
                `    ${CANARY_LADDER.filter((p) => p > 0 && p < 100).join(" -> ")} %  each stage waited on and judged on Cloud Monitoring: promote, hold or roll back`,
                "    100 %  openagents-control-service-9e8d7c6-3e0a14 becomes controlStableRevision; Pulumi.prod.yaml is committed to main",
            ]);
            const json = await review(dir, "--stack", "prod", "--base", "HEAD~1", "--json");
            const diff = (JSON.parse(json.out) as { stacks: { diff: StackDiff }[] }).stacks[0].diff;
            assert.equal(diff.schemaVersion, 1);
            assert.deepEqual(diff.summary, { create: 0, update: 1, replace: 0, delete: 0, unchanged: 15 });
            assert.deepEqual(diff.rollout, { stable: "openagents-control-service-3f9c2ab-2f6384", canary: "openagents-control-service-9e8d7c6-3e0a14", ladder: [...CANARY_LADDER] });
            assert.deepEqual(
                diff.resources.filter((x) => x.op !== "same").map((x) => [x.op, x.name, x.changes.map((c) => c.path)]),
                [["update", "control", ["template.containers[0].image", "template.revision", "traffics[0].tag", "traffics[1].percent", "traffics[1].revision", "traffics[1].tag", "traffics[1].type"]]],
            );
            // Staging deploys at once (no canary there): its image bump is a direct switch.
            edit(dir, "staging", /controlImageTag: \w+/, "controlImageTag: 1a2b3c4");
            const staging = await review(dir, "--stack", "staging", "--base", "HEAD");
            assert.ok(
                changes(staging.out).some((l) => /^ {7}traffics\[0\]\.revision: /.test(l)),
                staging.out,
            );
            assert.doesNotMatch(staging.out, /canary: CI/);
        } finally {
            git(dir, "reset", "-q", "--hard", "HEAD~1");
        }
    });

    it("shows a canary step as a traffic change", async () => {
        edit(dir, "prod", /controlImageTag: 3f9c2ab/, "controlImageTag: 9e8d7c6");
        edit(dir, "prod", /controlStableRevision: ""/, "controlStableRevision: openagents-control-service-3f9c2ab-2f6384");
        edit(dir, "prod", /controlCanaryPercent: 100/, "controlCanaryPercent: 25");
        const r = await review(dir, "--stack", "prod", "--base", "HEAD");
        assert.equal(r.code, 0, r.err);
        const lines = changes(r.out);
        assert.ok(lines.includes("       traffics[0].percent: 100 => 75  [traffic]"), lines.join("\n"));
        assert.ok(lines.includes('       traffics[0].tag: "current" => "stable"  [traffic]'), lines.join("\n"));
        assert.ok(lines.includes('       traffics[1].revision: (none) => "openagents-control-service-9e8d7c6-3e0a14"  [traffic]'), lines.join("\n"));
        assert.ok(lines.includes("       traffics[1].percent: (none) => 25  [traffic]"), lines.join("\n"));
        assert.ok(!r.out.includes("off the canary ladder"));
        edit(dir, "prod", /controlCanaryPercent: 25/, "controlCanaryPercent: 30");
        const off = await review(dir, "--stack", "prod", "--base", "HEAD");
        assert.match(off.out, /^  prod: 1 to update, 0 to replace, 15 unchanged\n  note: controlCanaryPercent 30 is off the canary ladder 0 -> 5 -> 25 -> 50 -> 100$/m);
    });

    it("refuses a prod region change (exit 1): three deletion-protected replacements, each named with its reason", async () => {
        edit(dir, "prod", /gcp:region: us-central1/, "gcp:region: europe-west1");
        const r = await review(dir, "--stack", "prod", "--base", "HEAD");
        assert.equal(r.code, 1, r.err);
        const refused = r.err.split("\n").filter((l) => l.startsWith("review: stack prod:"));
        assert.deepEqual(
            refused.map((l) => /^review: stack prod: (\S+ \S+): deletion protection is on: replacing it \(location changed\) deletes ([\w-]+),/.exec(l)?.slice(1)),
            [
                ["gcp:cloudrunv2/service:Service control", "openagents-control-service"],
                ["gcp:cloudrunv2/job:Job runtime-migrate", "runtime-migrate"],
                ["gcp:cloudrunv2/service:Service runtime", "runtime"],
            ],
        );
        const lines = changes(r.out);
        assert.ok(lines.includes('       location: "us-central1" => "europe-west1"  [forces replacement]'), lines.join("\n"));
        // Staging has deletion protection off: the same move is a replacement the provider performs.
        edit(dir, "staging", /gcp:region: us-central1/, "gcp:region: europe-west1");
        const staging = await review(dir, "--stack", "staging", "--base", "HEAD");
        assert.equal(staging.code, 0, staging.err);
        assert.match(staging.out, /\+- gcp:cloudrunv2\/service:Service control \(replace\)/);
    });

    it("refuses a renamed prod service (exit 1), and a domain mapping replaced under its own name", async () => {
        edit(dir, "prod", /controlDomain: openagents.com/, "controlDomain: openagents.com\n  openagents-rust-lanes:controlServiceName: openagents-control-svc");
        const r = await review(dir, "--stack", "prod", "--base", "HEAD");
        assert.equal(r.code, 1);
        const lines = changes(r.out);
        assert.ok(lines.includes("  +- gcp:cloudrunv2/service:Service control (replace)"), lines.join("\n"));
        assert.ok(
            lines.some((l) => l.startsWith("       ! fails at up: deletion protection is on: replacing it (name changed) deletes openagents-control-service,")),
            lines.join("\n"),
        );
        assert.ok(lines.includes('       name: "openagents-control-service" => "openagents-control-svc"  [forces replacement]'));
        assert.match(
            r.err,
            /^review: stack prod: gcp:cloudrun\/domainMapping:DomainMapping control-domain: replacing it \(spec\.routeName changed\) creates the new one before deleting the old, under the same name us-central1\/openagents\.com: the create fails \(already exists\)$/m,
        );
        assert.match(lines[lines.length - 1], /^  prod: 0 to update, 3 to replace, 13 unchanged$/);
    });

    it("runs REF's own code when the program changed (an edited service module), and reuses nothing stale", async () => {
        const file = path.join(dir, "services", "control-template.ts");
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /"\/app\/web-shell\/dist"/);
        fs.writeFileSync(file, text.replace('"/app/web-shell/dist"', '"/app/web-shell/build"'));
        try {
            const r = await review(dir, "--stack", "staging", "--base", "HEAD");
            assert.equal(r.code, 0, r.err);
            const lines = changes(r.out);
            assert.ok(
                lines.some((l) => /^ {7}template\.containers\[0\]\.envs\[\d+\]\.value: "\/app\/web-shell\/dist" => "\/app\/web-shell\/build"$/.test(l)),
                lines.join("\n"),
            );
        } finally {
            fs.writeFileSync(file, text);
        }
        // Back to the committed code: the same program and config again, so nothing changes.
        const same = await review(dir, "--stack", "staging", "--base", "HEAD");
        assert.match(same.out, /^ {2}no changes$/m);
    });

    it("names each change up refuses in --json (failsAtUp), and writes --out files instead of stdout", async () => {
        edit(dir, "prod", /gcp:region: us-central1/, "gcp:region: europe-west1");
        const out = path.join(dir, "plan.json");
        const r = await review(dir, "--stack", "prod", "--base", "HEAD", "--json", "--out", out);
        assert.equal(r.code, 1);
        assert.equal(r.out, "", "nothing on stdout: the document is in the file");
        const diff = (JSON.parse(fs.readFileSync(out, "utf8")) as { stacks: { diff: StackDiff }[] }).stacks[0].diff;
        assert.deepEqual(
            diff.resources.filter((x) => x.failsAtUp).map((x) => x.name),
            ["control", "runtime-migrate", "runtime"],
        );
        assert.equal(diff.rollout, undefined, "a region move is no canary");
        fs.rmSync(out);
    });

    it("shows a secret env change by secret name, and an added invoker as an IAM member to create", async () => {
        edit(dir, "staging", /WORKOS_API_KEY=openagents-control-workos-api-key-staging/, "WORKOS_API_KEY=openagents-control-workos-key-v2");
        edit(dir, "staging", /runtimeSmokeInvoker: serviceAccount:oa-release-gate@openagentsgemini.iam.gserviceaccount.com/, 'runtimeSmokeInvoker: ""');
        git(dir, "commit", "-q", "-am", "no smoke invoker");
        edit(dir, "staging", /runtimeSmokeInvoker: ""/, "runtimeSmokeInvoker: serviceAccount:oa-release-gate@openagentsgemini.iam.gserviceaccount.com");
        try {
            const r = await review(dir, "--stack", "staging", "--base", "HEAD");
            const lines = changes(r.out);
            assert.ok(lines.includes("  +  gcp:cloudrunv2/serviceIamMember:ServiceIamMember runtime-invoker-smoke"), lines.join("\n"));
            const against = await review(dir, "--stack", "staging", "--base", "HEAD~1");
            const secret = changes(against.out);
            assert.ok(
                secret.some((l) => l === '       template.containers[0].envs[10].valueSource.secretKeyRef.secret: "openagents-control-workos-api-key-staging" => "openagents-control-workos-key-v2"'),
                secret.join("\n"),
            );
        } finally {
            git(dir, "reset", "-q", "--hard", "HEAD~1");
        }
    });

    it("says clearly when REF cannot be run (no program there), and when it is no commit (exit 2)", async () => {
        const empty = git(dir, "commit-tree", git(dir, "mktree").trim() || "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-m", "empty").trim();
        const r = await review(dir, "--stack", "prod", "--base", empty);
        assert.equal(r.code, 2);
        assert.equal(r.err, `review: --base ${empty}: ${empty.slice(0, 12)} has no Pulumi program (index.ts, Pulumi.yaml) to run\n`);
        const none = await review(dir, "--stack", "prod", "--base", "no-such-ref");
        assert.equal(none.code, 2);
        assert.match(none.err, /^review: --base no-such-ref: not a commit of /);
    });

    it("by default diffs a branch against its merge base with main; --no-base shows the plan alone", async () => {
        git(dir, "checkout", "-q", "-b", "feature");
        try {
            edit(dir, "prod", /controlImageTag: 3f9c2ab/, "controlImageTag: 9e8d7c6");
            git(dir, "commit", "-q", "-am", "Deploy 9e8d7c6 to prod");
            const main = git(dir, "rev-parse", "main").trim();
            const r = await reviewWith({ defaultBase: true }, dir, "--stack", "prod");
            assert.equal(r.code, 0, r.err);
            assert.equal(r.err, `review: diff against the merge base with main (${main.slice(0, 12)}); --full adds the whole plan, --no-base shows the plan alone\n`);
            assert.ok(
                changes(r.out).some((l) => /^  prod: 1 to update, 0 to replace/.test(l)),
                r.out,
            );
            const plain = await reviewWith({ defaultBase: true }, dir, "--stack", "prod", "--no-base");
            assert.equal(plain.err, "");
            assert.deepEqual(
                changes(plain.out).filter((l) => /to update/.test(l)),
                [],
                "no diff summary: the plan alone",
            );
            const both = await reviewWith({ defaultBase: true }, dir, "--stack", "prod", "--no-base", "--base", "main");
            assert.equal(both.code, 2);
        } finally {
            git(dir, "checkout", "-q", "main");
            git(dir, "branch", "-q", "-D", "feature");
        }
    });

    it("a clean tree with no base (no main, no origin/main): the whole plan, and says so", async () => {
        git(dir, "branch", "-q", "-m", "main", "trunk");
        try {
            const r = await reviewWith({ defaultBase: true }, dir, "--stack", "prod");
            assert.equal(r.code, 0, r.err);
            assert.equal(r.err, "review: no base to diff against (not a git checkout, or no origin/main or main): the whole plan\n");
            assert.match(r.out, /openagents-control-service/);
            assert.deepEqual(
                changes(r.out).filter((l) => /to update/.test(l)),
                [],
            );
        } finally {
            git(dir, "branch", "-q", "-m", "trunk", "main");
        }
    });
});

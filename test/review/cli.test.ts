// `npm run review` as a user runs it: a child process, its stdout, stderr and exit code.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { review, reviewInProcess } from "./run-review";

describe("npm run review", () => {
    it("prints both stacks' plans by default: components, images, probes, accounts, secrets by name", () => {
        const r = review();
        assert.equal(r.stderr.replace(/^npm warn.*\n/gm, ""), "");
        assert.equal(r.code, 0, "both real stacks have no mandatory violation");
        for (const env of ["staging", "prod"]) assert.match(r.stdout, new RegExp(`^Stack ${env} \\(${env}\\)`, "m"));
        assert.match(r.stdout, /# openagents:ControlService control/);
        assert.match(r.stdout, /probes startup GET \/readyz :8080, liveness GET \/healthz :8080/);
        assert.match(r.stdout, /env DB_URL <- secret runtime-database-url:latest/);
        assert.match(r.stdout, /account oa-runtime-prod@openagentsgemini\.iam\.gserviceaccount\.com/);
        assert.match(r.stdout, /command \["runtime-migrate"\]  args \[\]/);
    });

    it("prints JSON for machines: per stack every resource with its type token, name and inputs", () => {
        const r = review("--stack", "staging", "--json");
        const doc = JSON.parse(r.stdout) as { stacks: Array<{ stack: string; resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>; outputs: Record<string, unknown> }> };
        assert.deepEqual(
            doc.stacks.map((s) => s.stack),
            ["staging"],
        );
        const job = doc.stacks[0].resources.find((x) => x.type === "gcp:cloudrunv2/job:Job");
        assert.equal(job?.name, "runtime-migrate");
        assert.equal(job?.inputs.name, "runtime-migrate-staging");
        assert.equal(doc.stacks[0].outputs.runtimeServiceName, "runtime-staging");
    });

    it("marks values unknown during a preview instead of inventing them", async () => {
        const doc = JSON.parse((await reviewInProcess("--stack", "staging", "--json", "--preview")).stdout);
        assert.equal(doc.stacks[0].outputs.controlServiceUrl, "(known after apply)");
        const svc = doc.stacks[0].resources.find((x: any) => x.type === "gcp:cloudrunv2/service:Service" && x.name === "runtime");
        assert.equal(svc.inputs.template.serviceAccount, "(known after apply)");
    });

    it("refuses a legacy service name as a what-if with exit 2 and one line naming the key", () => {
        const r = review("--stack", "staging", "--set", "controlServiceName=openagents-web");
        assert.equal(r.code, 2);
        const lines = r.stderr.split("\n").filter((l) => l.startsWith("review:"));
        assert.equal(lines.length, 1);
        assert.match(lines[0], /^review: stack staging: openagents-rust-lanes:controlServiceName: expected a canonical Rust lane name/);
        assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
    });

    it("--out FILE: the import document goes to the file (stdout clean); a bad --out is a usage error", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-out-"));
        try {
            const file = path.join(dir, "import.json");
            const r = await reviewInProcess("--stack", "prod", "--import", "control", "--out", file, "--no-base");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout, "");
            assert.equal(r.stderr, `review: wrote ${file}\n`);
            const doc = JSON.parse(fs.readFileSync(file, "utf8"));
            assert.deepEqual(
                doc.resources.filter((x: any) => x.id).map((x: any) => x.id),
                ["projects/openagentsgemini/locations/us-central1/services/openagents-control-service"],
            );
            assert.equal((await reviewInProcess("--out", file, "--no-base")).code, 2, "--out without a document");
            const missing = await reviewInProcess("--stack", "prod", "--import", "control", "--out", path.join(dir, "no", "such", "dir", "x.json"), "--no-base");
            assert.equal(missing.code, 2);
            assert.match(missing.stderr, /^review: --out .*: cannot write \(ENOENT\)$/m);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("docs/review.md documents every option of --help and the same exit codes", async () => {
        const help = (await reviewInProcess("--help")).stdout;
        const doc = fs.readFileSync(path.join(__dirname, "../../docs/review.md"), "utf8");
        const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]).filter((f) => f !== "--help");
        assert.ok(flags.length >= 10, flags.join(" "));
        for (const flag of flags) assert.ok(doc.includes(flag), `docs/review.md does not mention ${flag}`);
        const codes = (text: string) => [...(/Exit codes:([\s\S]*?)(?:\n\n|$)/.exec(text)?.[1] ?? "").matchAll(/(?:^|[\s,(])([0-3]) /g)].map((m) => Number(m[1]));
        assert.deepEqual(codes(doc.replace(/\n/g, " ")), [0, 1, 2, 3]);
        assert.deepEqual(codes(help.replace(/\n/g, " ")), [0, 1, 2, 3]);
        assert.match(help, /1 a mandatory policy violation or a change that fails at up/);
        assert.match(doc, /1 a mandatory violation or a change that fails at `up`/);
    });

    it("exits 2 on a usage error", async () => {
        assert.equal(review("--stack", "qa").code, 2);
        assert.equal((await reviewInProcess("--bogus")).code, 2);
        assert.equal((await reviewInProcess("--set", "novalue")).code, 2);
    });
});

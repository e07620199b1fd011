// docs/gcp-setup.md against what the code needs: the project facts it uses are catalog/lanes.ts's
// GCP, it creates the registries the lanes' images come from, the secrets the stacks read, and
// enables the APIs the program, the gate and the canary analysis call.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CONTROL, GCP, KNOWN_SECRETS, RUNTIME } from "../../catalog";
import { recordStack } from "../../review/plan";
import { readStackConfig, stackNames } from "../../review/stack-files";

const ROOT = path.resolve(__dirname, "../..");
const doc = readFileSync(path.join(ROOT, "docs/gcp-setup.md"), "utf8");
const shell = [...doc.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]).join("\n");

describe("docs/gcp-setup.md walks a new project through what the code needs", () => {
    it("names catalog/lanes.ts GCP as the one place for the project's facts, and uses the same values", () => {
        assert.match(doc, /`catalog\/lanes\.ts`, `GCP`/);
        assert.match(shell, new RegExp(`PROJECT=${GCP.project}\\b`));
        assert.match(shell, new RegExp(`REGION=${GCP.region}\\b`));
        const number = /NUMBER=(\d+)/.exec(shell)?.[1];
        if (number !== undefined) assert.equal(number, GCP.projectNumber);
        for (const stack of stackNames()) {
            const { config } = readStackConfig(stack);
            assert.equal(config["gcp:project"], GCP.project, `Pulumi.${stack}.yaml gcp:project`);
            assert.equal(config["gcp:region"], GCP.region, `Pulumi.${stack}.yaml gcp:region`);
        }
    });

    it("creates each Artifact Registry repository a lane's image comes from, in the catalog's region", () => {
        for (const lane of [CONTROL, RUNTIME]) {
            const [host, , repository] = lane.imageRepository.split("/");
            assert.equal(host, `${GCP.region}-docker.pkg.dev`);
            assert.match(shell, new RegExp(`gcloud artifacts repositories create ${repository} --repository-format docker --location \\$REGION`), `registry ${repository}`);
        }
    });

    it("creates the secrets the stacks read by default (the catalog's, the runtime's database URL)", () => {
        const wanted = new Set<string>([...Object.values(KNOWN_SECRETS)]);
        for (const stack of stackNames()) {
            const { project, config } = readStackConfig(stack);
            if (stack === "prod") wanted.add(config[`${project}:runtimeDatabaseUrlSecret`]);
        }
        for (const name of wanted) assert.match(shell, new RegExp(`gcloud secrets create ${name} `), `secret ${name}`);
    });

    it("creates every secret each stack's plan grants access to (staging's too: staging deploys first)", async () => {
        for (const stack of stackNames()) {
            const plan = await recordStack(stack);
            const secrets = plan.resources.filter((r) => r.type === "gcp:secretmanager/secretIamMember:SecretIamMember").map((r) => String(r.inputs.secretId));
            assert.ok(secrets.length > 0, stack);
            for (const name of secrets) assert.match(shell, new RegExp(`gcloud secrets create ${name} `), `secret ${name} of ${stack}`);
        }
    });

    it("enables the APIs the program, the gate and the canary analysis call", () => {
        const enabled = /gcloud services enable ([^\n]+)/.exec(shell)?.[1] ?? "";
        for (const api of ["run", "secretmanager", "iam", "iamcredentials", "sts", "logging", "monitoring", "artifactregistry", "cloudkms"])
            assert.match(enabled, new RegExp(`\\b${api}\\.googleapis\\.com\\b`), api);
    });

    it("creates the accounts the stacks and the workflows name", () => {
        for (const stack of stackNames()) {
            const { project, config } = readStackConfig(stack);
            const invoker = /^serviceAccount:([\w-]+)@/.exec(config[`${project}:runtimeSmokeInvoker`] ?? "")?.[1];
            if (invoker) assert.match(shell, new RegExp(`for sa in [^\\n]*\\b${invoker}\\b`), `account ${invoker}`);
        }
        const workflows = readFileSync(path.join(ROOT, "docs/workflows.md"), "utf8");
        for (const [, account] of workflows.matchAll(/`(oa-[\w-]+)@/g)) assert.match(shell, new RegExp(`for sa in [^\\n]*\\b${account}\\b`), `account ${account}`);
    });

    it("no module but catalog/lanes.ts spells the project's facts in code (comments and one example in a message aside)", () => {
        const facts = [GCP.project, GCP.projectNumber, GCP.runAppUrlHash, GCP.defaultComputeServiceAccount];
        const files = spawnSync("git", ["-C", ROOT, "ls-files", "*.ts"], { encoding: "utf8" })
            .stdout.split("\n")
            .filter((f) => f && !f.startsWith("test/") && f !== "catalog/lanes.ts");
        const spelled: string[] = [];
        for (const file of files) {
            readFileSync(path.join(ROOT, file), "utf8")
                .split("\n")
                .forEach((line, i) => {
                    const code = line.replace(/\/\/.*$|^\s*\*.*$|\/\*.*?\*\//g, "");
                    if (facts.some((f) => code.includes(f))) spelled.push(`${file}:${i + 1}`);
                });
        }
        // services/config.ts names the project id as the example of the form gcp:project expects.
        assert.deepEqual(
            spelled.filter(
                (s) => !/^services\/config\.ts:\d+$/.test(s) || !/\(openagentsgemini\)/.test(readFileSync(path.join(ROOT, s.split(":")[0]), "utf8").split("\n")[Number(s.split(":")[1]) - 1]),
            ),
            [],
        );
    });
});

// Image identity has one owner (catalog/images.ts). The pack's runtime image lock and the gate's
// runtime-migration-drift and control-canary-status checks must give the same answer on every
// pair of this corpus: the pack judges a planned service and job, the gate what Cloud Run reports.
import { strict as assert } from "node:assert";
import { CONTROL, RUNTIME, executionToken, parseImageRef, sameImage } from "../../catalog";
import { runtimeImageLock } from "../../policies/runtime-image-lock";
import { judgeCanaryStatus } from "../../validation/checks/control-canary-status";
import { judgeMigrationDrift } from "../../validation/checks/runtime-migration-drift";
import { execution, job, revision, service } from "../validation/cloud/environments";
import { migrateJob, mutate, runtimeService } from "../policies/fixtures";
import { runOnStack } from "../policies/harness";

const REPO = RUNTIME.imageRepository;
const X = `sha256:${"a".repeat(64)}`;
const Y = `sha256:${"b".repeat(64)}`;

/** [a, b, same image]: digest forms, tags, case, other repositories, references that do not parse. */
const CORPUS: ReadonlyArray<[string, string, boolean]> = [
    [`${REPO}:abc1234`, `${REPO}:abc1234`, true],
    [`${REPO}:abc1234`, `${REPO}:def5678`, false],
    [`${REPO}@${X}`, `${REPO}@${X}`, true],
    [`${REPO}@${X}`, `${REPO}:abc1234@${X}`, true],
    [`${REPO}:abc1234@${X}`, `${REPO}:other@${X}`, true],
    [`${REPO}:abc1234@${X}`, `${REPO}:abc1234@${Y}`, false],
    [`${REPO}@${X}`, `${REPO}@${Y}`, false],
    [`${REPO}:abc1234`, `${REPO}:abc1234@${X}`, false],
    [`${REPO}:abc1234`, `${REPO}@${X}`, false],
    [`${REPO.toUpperCase()}:abc1234`, `${REPO}:abc1234`, true],
    [`${REPO}:ABC1234`, `${REPO}:abc1234`, false],
    [`${REPO}@${X.toUpperCase()}`, `${REPO}@${X}`, true],
    [`${REPO}:abc1234`, `${REPO}-other:abc1234`, false],
    [`${REPO}`, `${REPO}`, true],
    [`${REPO}`, `${REPO}:latest`, false],
    ["not an image", "not an image", true],
    ["Runtime", "runtime", false],
    [" runtime ", "runtime", true],
];

/** The pack's answer: does the runtime image lock pass a service on `a` with its job on `b`? */
async function packSays(a: string, b: string): Promise<boolean> {
    const svc = mutate(runtimeService(), (p) => (p.template.containers[0].image = a));
    // The job's execution follows the service's image (a token of another image is its own finding).
    const jb = mutate(migrateJob(), (p) => ((p.template.template.containers[0].image = b), (p.runExecutionToken = executionToken(p.name, a, 0))));
    return (await runOnStack(runtimeImageLock, [svc, jb])).verdicts.length === 0;
}

/** The gate's answer: does runtime-migration-drift find no image problem with the service on `a` and the job (and its execution) on `b`? */
function gateSays(a: string, b: string): boolean {
    const rev = `${RUNTIME.names.prod}-00001-abc`;
    const { problems } = judgeMigrationDrift({
        serviceName: RUNTIME.names.prod,
        jobName: "runtime-migrate",
        where: "the test",
        service: { ok: true, value: service(RUNTIME.names.prod, a, [{ revision: rev, percent: 100 }]) },
        serving: [{ revision: rev, percent: 100, image: { ok: true, value: revision(rev, a).containers?.[0]?.image } }],
        job: { ok: true, value: job("runtime-migrate", b, "runtime-migrate-x") },
        executions: { ok: true, value: [execution("runtime-migrate", "runtime-migrate-x", b, "succeeded")] },
    });
    return problems.filter((p) => / runs /.test(p)).length === 0;
}

/** The gate's other answer: does control-canary-status accept a new revision running `a` when `b` is the expected image? */
function canarySays(a: string, b: string): boolean {
    const rev = `${CONTROL.names.prod}-00001-abc`;
    const { problems } = judgeCanaryStatus({
        serviceName: CONTROL.names.prod,
        where: "the test",
        service: { ok: true, value: service(CONTROL.names.prod, a, [{ revision: rev, percent: 100 }]) },
        serving: [{ target: { revision: rev, percent: 100, tags: [], viaLatest: false }, revision: { ok: true, value: revision(rev, a) } }],
        expectedImage: b,
        newRevision: { name: rev, revision: { ok: true, value: revision(rev, a) } },
    });
    return problems.filter((p) => /not the expected control image/.test(p)).length === 0;
}

describe("catalog: image identity, one answer for the pack and the gate", () => {
    for (const [a, b, same] of CORPUS) {
        it(`${a} vs ${b}: ${same ? "same image" : "different images"}`, async () => {
            assert.equal(sameImage(a, b), same, "catalog");
            assert.equal(sameImage(b, a), same, "catalog, swapped");
            assert.equal(await packSays(a, b), same, "policy runtime-image-lock");
            assert.equal(gateSays(a, b), same, "gate runtime-migration-drift");
            assert.equal(canarySays(a, b), same, "gate control-canary-status");
        });
    }

    it("reads a tag and a digest together, the digest lowercased", () => {
        assert.deepEqual(parseImageRef(`${REPO}:abc1234@${X.toUpperCase()}`), {
            host: "us-central1-docker.pkg.dev",
            path: REPO.slice("us-central1-docker.pkg.dev/".length),
            repository: REPO,
            tag: "abc1234",
            digest: X,
        });
    });
});

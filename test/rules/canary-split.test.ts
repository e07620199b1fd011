// The canary split has one owner (catalog/canary.ts: canarySplit, canarySplitProblem, the ladder).
// On each case of this corpus, config validation, the program's declared traffic, the pack and
// the gate's control-canary-status must agree: what config accepts the program declares, the
// pack passes (the ladder policy only notes an off-ladder share), and the gate passes the service
// when Cloud Run serves exactly that split; what config refuses, the pack refuses built by hand.
import { strict as assert } from "node:assert";
import { CONTROL, canaryShare, canarySplit, isOnCanaryLadder } from "../../catalog";
import { canaryLadder } from "../../policies/canary-ladder";
import { servingContract } from "../../policies/serving-contract";
import { ConfigError, parseStackConfig } from "../../services";
import { controlTraffic } from "../../services/control-service";
import { controlTemplate } from "../../services/control-template";
import { readStackConfig } from "../../review/stack-files";
import { judgeCanaryStatus } from "../../validation/checks/control-canary-status";
import { revision, service } from "../validation/cloud/environments";
import { controlService, mutate } from "../policies/fixtures";
import { runOn } from "../policies/harness";

const NS = "openagents-rust-lanes:";
const NAME = CONTROL.names.prod;
const STABLE = `${NAME}-3f9c2ab-abc123`;
const IMAGE = `${CONTROL.imageRepository}:3f9c2ab`;

/** The prod stack with a stable revision and a canary percent: the program's settings, or the refusal. */
function configFor(stable: string, percent: number): { own: string; refusal?: string } {
    const { config } = readStackConfig("prod");
    const raw: Record<string, string> = { ...config, [`${NS}controlStableRevision`]: stable, [`${NS}controlCanaryPercent`]: String(percent) };
    const read = (key: string) => raw[NS + key];
    const own = (() => {
        const base = parseStackConfig((k) => (k === "controlStableRevision" ? "" : k === "controlCanaryPercent" ? "100" : read(k)), { project: raw["gcp:project"], region: raw["gcp:region"] });
        return controlTemplate(base.control, base.environment, base.secretVersion).revision;
    })();
    const resolved = stable === "OWN" ? own : stable;
    raw[`${NS}controlStableRevision`] = resolved;
    try {
        parseStackConfig(read, { project: raw["gcp:project"], region: raw["gcp:region"] });
        return { own };
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return { own, refusal: err.message };
    }
}

/** [stable revision ("OWN": this deploy's own), canary percent, config's refusal or undefined]. */
const CORPUS: ReadonlyArray<[string, number, RegExp | undefined]> = [
    ["", 100, undefined],
    [STABLE, 0, undefined],
    [STABLE, 5, undefined],
    [STABLE, 25, undefined],
    [STABLE, 50, undefined],
    [STABLE, 100, undefined],
    [STABLE, 30, undefined],
    ["", 25, /controlStableRevision: expected the revision serving now, required while controlCanaryPercent is below 100/],
    ["OWN", 25, /controlStableRevision: expected the revision serving now, not this deploy's \(the stable revision is this deploy's own revision/],
];

async function packMandatory(traffics: unknown[]): Promise<string[]> {
    const r = mutate(controlService(), (p) => (p.traffics = traffics));
    return (await runOn(servingContract, r)).verdicts.filter((v) => v.level === "mandatory").map((v) => v.message);
}

function gateProblems(own: string, stable: string, percent: number, serving: { revision: string; percent: number }[]): string[] {
    const { problems } = judgeCanaryStatus({
        serviceName: NAME,
        where: "the test",
        service: { ok: true, value: service(NAME, IMAGE, serving) },
        serving: serving.map((t) => ({ target: { ...t, tags: [], viaLatest: false }, revision: { ok: true, value: revision(t.revision, IMAGE) } })),
        intended: { revision: own, stableRevision: stable, canaryPercent: percent },
    });
    return problems;
}

describe("catalog: the canary split, one answer for config, the program, the pack and the gate", () => {
    for (const [stableCase, percent, refused] of CORPUS) {
        it(`stable ${stableCase || "(none)"} at ${percent}%: ${refused ? "refused" : "accepted"}`, async () => {
            const { own, refusal } = configFor(stableCase, percent);
            const stable = stableCase === "OWN" ? own : stableCase;
            if (refused) assert.match(refusal ?? "(accepted)", refused, "config");
            else assert.equal(refusal, undefined, "config");

            const split = canarySplit(own, stable, percent);
            const declared = controlTraffic(own, stable, percent);
            assert.deepEqual(
                declared.map((t) => [t.revision, t.percent]),
                split.map((t) => [t.revision, t.percent]),
                "the program declares the catalog's split",
            );
            assert.equal(
                split.reduce((sum, t) => sum + t.percent, 0),
                100,
                "the split sums to 100",
            );

            if (refused) {
                // The split config refuses, declared by hand (as a stack written by anyone could): two targets.
                if (stable !== "") {
                    const byHand = [
                        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: stable, percent: 100 - percent, tag: "stable" },
                        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: own, percent, tag: "canary" },
                    ];
                    assert.ok(
                        (await packMandatory(byHand)).some((m) => /routes traffic twice to one revision/.test(m)),
                        "pack refuses",
                    );
                }
                return;
            }
            assert.deepEqual(await packMandatory(declared), [], "pack passes what the program declares");
            const ladder = (
                await runOn(
                    canaryLadder,
                    mutate(controlService(), (p) => (p.traffics = declared)),
                )
            ).verdicts;
            assert.equal(ladder.length === 0, isOnCanaryLadder(percent), "the ladder policy notes exactly the off-ladder shares");

            const serving = split.filter((t) => t.percent > 0).map(({ revision: r, percent: p }) => ({ revision: r, percent: p }));
            const share = canaryShare(split);
            assert.deepEqual(gateProblems(own, stable, share, serving), [], "the gate passes the service serving that split");
            const wrong = [{ revision: stable || own, percent: 100 }];
            if (share !== 0 && stable !== "")
                assert.ok(
                    gateProblems(own, stable, share, wrong).some((p) => /is not the intended/.test(p)),
                    "the gate refuses another split",
                );
        });
    }
});

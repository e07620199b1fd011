// The rollout's plan as a table: what was observed and the last step's outcome in, the next step
// out. No stack, no stand-in, no clock: the plan is a function.
import { strict as assert } from "node:assert";
import { type Observed, type PlanSettings, type PlanState, type Step, type StepOutcome, nextStep, resumeAt } from "../../canary/rollout-plan";

const OLD = "control-00001-old";
const NEW = "control-00002-new";
const pair = { stable: OLD, canary: NEW };
const settings: PlanSettings = { ladder: [5, 50, 100], maxHolds: 2, resumeCommand: "RESUME", rollbackCommand: "ROLLBACK" };
const target = (revision: string, percent: number) => ({ revision, percent, tags: [], viaLatest: false });
const settled: Observed = { percent: 100, percentText: "100", stableConfig: "", traffic: [target(OLD, 100)], deployed: OLD };
const at = (percent: number, more: Partial<Observed> = {}): Observed => ({
    percent,
    percentText: String(percent),
    stableConfig: OLD,
    traffic: [target(OLD, 100 - percent), target(NEW, percent)].filter((t) => t.percent > 0),
    deployed: NEW,
    ...more,
});

interface Row {
    name: string;
    observed: Observed;
    last?: [Step, StepOutcome];
    interrupted?: boolean;
    settings?: Partial<PlanSettings>;
    /** The step's name, its fields that matter, and for a stop a piece of its message. */
    want: Partial<Step> & { step: Step["step"] };
    says?: RegExp;
}

const applied = (deployed: string): StepOutcome => ({ outcome: "applied", deployed });
const looked = (decision: "promote" | "hold" | "rollback", end: "decided" | "deadline" = "decided"): StepOutcome => ({ outcome: "looked", end, decision, reason: "why", looks: 3, elapsedMs: 180_000 });

const ROWS: Row[] = [
    { name: "a settled stack starts: the revision serving 100 % becomes the stable one", observed: settled, want: { step: "stage", stable: OLD } },
    { name: "a settled stack split two ways cannot start", observed: { ...settled, traffic: [target(OLD, 90), target(NEW, 10)] }, want: { step: "stop", outcome: "usage" }, says: /cannot start/ },
    { name: "the start's up made the new revision: the gate at 0 %", observed: settled, last: [{ step: "stage", stable: OLD }, applied(NEW)], want: { step: "gate", at: "start", pair } },
    {
        name: "the start's up made no new revision: the config goes back",
        observed: settled,
        last: [{ step: "stage", stable: OLD }, applied(OLD)],
        want: { step: "undo-stage", stableConfig: "", percentText: "100" },
    },
    {
        name: "after the undo: nothing to roll out",
        observed: settled,
        last: [{ step: "undo-stage", pair: { stable: OLD, canary: OLD }, stableConfig: "" }, { outcome: "done" }],
        want: { step: "stop", outcome: "nothing" },
    },
    {
        name: "after the undo of an up with no controlRevision: an error",
        observed: settled,
        last: [{ step: "undo-stage", pair: { stable: OLD, canary: "" }, stableConfig: "" }, { outcome: "done" }],
        want: { step: "stop", outcome: "error" },
        says: /no controlRevision/,
    },
    {
        name: "--stage stops once the new revision is up at 0 %",
        observed: settled,
        settings: { stage: true },
        last: [{ step: "stage", stable: OLD }, applied(NEW)],
        want: { step: "stop", outcome: "staged", finishRung: true },
    },
    {
        name: "a signal during the start's up stops before the gate",
        observed: settled,
        interrupted: true,
        last: [{ step: "stage", stable: OLD }, applied(NEW)],
        want: { step: "stop", outcome: "interrupted" },
        says: /after the 0 % up/,
    },
    {
        name: "a failed rollback up stops with what it was rolling back and the command that finishes it",
        observed: at(50),
        last: [
            { step: "roll-back", pair, percent: 50, why: "the analysis at 50 %: a clear regression" },
            { outcome: "up-failed", message: "provider said no" },
        ],
        want: { step: "stop", outcome: "up-failed" },
        says: /the rollback's up failed \(the analysis at 50 %: a clear regression\): provider said no; control-00002-new still takes 50 %: roll back with `ROLLBACK`$/,
    },
    {
        name: "any failed up stops with its message",
        observed: settled,
        last: [
            { step: "stage", stable: OLD },
            { outcome: "up-failed", message: "policy said no" },
        ],
        want: { step: "stop", outcome: "up-failed", message: "policy said no" },
    },
    {
        name: "GO at 0 %: the first rung",
        observed: settled,
        last: [
            { step: "gate", pair, at: "start" },
            { outcome: "gate", go: true, summary: "GO" },
        ],
        want: { step: "apply-rung", index: 0, percent: 5, applied: false },
    },
    {
        name: "NO-GO at 0 %: stop, the stable revision still serves",
        observed: settled,
        last: [
            { step: "gate", pair, at: "start" },
            { outcome: "gate", go: false, summary: "NO-GO: 2 blockers" },
        ],
        want: { step: "stop", outcome: "no-go" },
        says: /NO-GO: 2 blockers; control-00001-old still serves 100 % \(controlStableRevision/,
    },
    {
        name: "a signal before a rung stops there",
        observed: settled,
        interrupted: true,
        last: [
            { step: "gate", pair, at: "start" },
            { outcome: "gate", go: true, summary: "GO" },
        ],
        want: { step: "stop", outcome: "interrupted" },
        says: /before 5 %/,
    },
    {
        name: "a rung's up deployed another revision: roll back",
        observed: settled,
        last: [{ step: "apply-rung", pair, index: 0, percent: 5, applied: false }, applied("control-00003-other")],
        want: { step: "roll-back", pair },
        says: undefined,
    },
    {
        name: "a rung's up deployed the judged revision: look",
        observed: settled,
        last: [{ step: "apply-rung", pair, index: 0, percent: 5, applied: false }, applied(NEW)],
        want: { step: "look", index: 0, percent: 5 },
    },
    { name: "promote at 5 %: the next rung", observed: settled, last: [{ step: "look", pair, index: 0, percent: 5 }, looked("promote")], want: { step: "apply-rung", index: 1, percent: 50 } },
    { name: "promote at the last rung below 100: the promotion", observed: settled, last: [{ step: "look", pair, index: 1, percent: 50 }, looked("promote")], want: { step: "promote", pair } },
    {
        name: "rollback at 50 %: roll back",
        observed: settled,
        last: [{ step: "look", pair, index: 1, percent: 50 }, looked("rollback")],
        want: { step: "roll-back", why: "the analysis at 50 %: why" },
    },
    {
        name: "hold past the deadline: held",
        observed: settled,
        last: [{ step: "look", pair, index: 1, percent: 50 }, looked("hold", "deadline")],
        want: { step: "stop", outcome: "held" },
        says: /held at 50 % for 3 min and 3 looks \(the window plus --max-holds 2\)/,
    },
    {
        name: "a signal during the looks",
        observed: settled,
        last: [
            { step: "look", pair, index: 0, percent: 5 },
            { outcome: "look-interrupted", while: "holding" },
        ],
        want: { step: "stop", outcome: "interrupted" },
        says: /while holding at 5 %/,
    },
    { name: "after the promotion's up: confirm what serves", observed: settled, last: [{ step: "promote", pair }, applied(NEW)], want: { step: "confirm", pair } },
    {
        name: "the new revision serves alone: commit",
        observed: settled,
        last: [
            { step: "confirm", pair },
            { outcome: "serving", traffic: [target(NEW, 100)] },
        ],
        want: { step: "commit", kind: "promote" },
    },
    {
        name: "anything else serves after the promotion: an error",
        observed: settled,
        last: [
            { step: "confirm", pair },
            { outcome: "serving", traffic: [target(NEW, 90), target(OLD, 10)] },
        ],
        want: { step: "stop", outcome: "error" },
        says: /serves control-00002-new 90 %, control-00001-old 10 %/,
    },
    {
        name: "the split after the promotion cannot be read: the stack file is committed all the same (the up deployed it)",
        observed: settled,
        last: [
            { step: "confirm", pair },
            { outcome: "serving", traffic: [], unreadable: "Cloud Run answered 403" },
        ],
        want: { step: "commit", kind: "promote", unconfirmed: "Cloud Run answered 403" },
    },
    {
        name: "committed after an unconfirmed promotion: an error that says to check the service",
        observed: settled,
        last: [
            { step: "commit", pair, kind: "promote", unconfirmed: "Cloud Run answered 403" },
            { outcome: "committed", commit: "committed abc" },
        ],
        want: { step: "stop", outcome: "error" },
        says: /the promotion's up succeeded and the stack file is committed, but Cloud Run's split could not be read \(Cloud Run answered 403\): check that control-00002-new serves 100 % alone; committed abc/,
    },
    {
        name: "committed after the promotion: promoted",
        observed: settled,
        last: [
            { step: "commit", pair, kind: "promote" },
            { outcome: "committed", commit: "committed abc" },
        ],
        want: { step: "stop", outcome: "promoted" },
        says: /serves 100 % and is the stable revision; committed abc/,
    },
    { name: "rolled back: the gate after it", observed: settled, last: [{ step: "roll-back", pair, why: "W" }, applied(OLD)], want: { step: "gate", at: "rollback", why: "W" } },
    {
        name: "the gate after a rollback, GO or not: commit",
        observed: settled,
        last: [
            { step: "gate", pair, at: "rollback", why: "W" },
            { outcome: "gate", go: false, summary: "NO-GO" },
        ],
        want: { step: "commit", kind: "roll-back", why: "W", gateSummary: "NO-GO" },
    },
    {
        name: "committed after a rollback: rolled back",
        observed: settled,
        last: [
            { step: "commit", pair, kind: "roll-back", why: "W", gateSummary: "GO" },
            { outcome: "committed", commit: "c" },
        ],
        want: { step: "stop", outcome: "rolled-back" },
        says: /rolled back to control-00001-old \(100 %\): W; gate after the rollback: GO; c/,
    },
    { name: "mid-ladder and consistent: resume", observed: at(50), want: { step: "resume", pair, percent: 50 } },
    { name: "mid-ladder but Cloud Run serves otherwise: refuse", observed: at(50, { traffic: [target(OLD, 100)] }), want: { step: "stop", outcome: "usage", revisions: pair }, says: /cannot resume/ },
    {
        name: "mid-ladder with a third revision serving: refuse",
        observed: at(5, { traffic: [target(OLD, 90), target(NEW, 5), target("control-00000-x", 5)] }),
        want: { step: "stop", outcome: "usage" },
    },
    {
        name: "mid-ladder with another image in the stack file: refuse",
        observed: at(5, { imageTag: "aaaaaaa", deployedImage: "us-docker.pkg.dev/x/y/z:bbbbbbb" }),
        want: { step: "stop", outcome: "usage" },
        says: /control image is aaaaaaa/,
    },
    { name: "--stage mid-ladder above 0 %: refuse", observed: at(5), settings: { stage: true }, want: { step: "stop", outcome: "usage" }, says: /in progress at 5 %/ },
    { name: "--stage at 0 %: up again at 0 %", observed: at(0), settings: { stage: true }, want: { step: "restage", pair } },
    {
        name: "resumed at 50 %: the rung is applied, look at it",
        observed: at(50),
        last: [{ step: "resume", pair, percent: 50 }, { outcome: "done" }],
        want: { step: "apply-rung", index: 1, percent: 50, applied: true },
    },
    {
        name: "resumed between rungs: the next rung up",
        observed: at(20),
        last: [{ step: "resume", pair, percent: 20 }, { outcome: "done" }],
        want: { step: "apply-rung", index: 1, percent: 50, applied: false },
    },
    { name: "resumed at 0 %: the gate first", observed: at(0), last: [{ step: "resume", pair, percent: 0 }, { outcome: "done" }], want: { step: "gate", at: "resume" } },
    {
        name: "resumed at 0 %, already gated: the first rung",
        observed: at(0),
        settings: { gated: true },
        last: [{ step: "resume", pair, percent: 0 }, { outcome: "done" }],
        want: { step: "apply-rung", index: 0, percent: 5, applied: false },
    },
    {
        name: "restaged at 0 %: staged, naming the revision the up made",
        observed: at(0),
        settings: { stage: true },
        last: [{ step: "restage", pair }, applied("control-00003-newer")],
        want: { step: "stop", outcome: "staged", revisions: { canary: "control-00003-newer" } },
        says: /^control-00003-newer is up at 0 %, control-00001-old serves 100 %; gate it, then `RESUME`$/,
    },
    {
        name: "GO on a resume at 0 %: the first rung",
        observed: at(0),
        last: [
            { step: "gate", pair, at: "resume" },
            { outcome: "gate", go: true, summary: "GO" },
        ],
        want: { step: "apply-rung", index: 0, percent: 5, applied: false },
    },
    {
        name: "a signal before the promotion stops there: 100 % is a rung like the others",
        observed: settled,
        interrupted: true,
        last: [{ step: "look", pair, index: 1, percent: 50 }, looked("promote")],
        want: { step: "stop", outcome: "interrupted" },
        says: /before 100 %/,
    },
    {
        name: "a ladder that ends below 100 %: an error, never a silent stop",
        observed: settled,
        settings: { ladder: [5, 50] },
        last: [{ step: "look", pair, index: 1, percent: 50 }, looked("promote")],
        want: { step: "stop", outcome: "error" },
        says: /ended without reaching 100 %/,
    },
    {
        name: "a look that ends decided on a hold: an error, never a step up",
        observed: settled,
        last: [{ step: "look", pair, index: 0, percent: 5 }, looked("hold")],
        want: { step: "stop", outcome: "error" },
        says: /ended on hold, not a decision/,
    },
    {
        name: "a look that answers something else: an error, never a step up",
        observed: settled,
        last: [{ step: "look", pair, index: 0, percent: 5 }, { outcome: "done" }],
        want: { step: "stop", outcome: "error" },
        says: /gave no judgement/,
    },
    {
        name: "NO-GO on a resume at 0 %",
        observed: at(0),
        last: [
            { step: "gate", pair, at: "resume" },
            { outcome: "gate", go: false, summary: "NO-GO" },
        ],
        want: { step: "stop", outcome: "no-go" },
        says: /still serves 100 %$/,
    },
];

describe("the rollout's plan (where are we, what next)", () => {
    for (const row of ROWS) {
        it(row.name, () => {
            const state: PlanState = {
                settings: { ...settings, ...row.settings },
                observed: row.observed,
                interrupted: row.interrupted ?? false,
                ...(row.last ? { last: { step: row.last[0], outcome: row.last[1] } } : {}),
            };
            const next = nextStep(state) as unknown as Record<string, unknown>;
            for (const [key, value] of Object.entries(row.want)) assert.deepEqual(next[key], value, `${key} of ${JSON.stringify(next)}`);
            if (row.says) assert.match(String(next.message), row.says);
        });
    }

    it("every step the plan names but stop has a row that leads out of it", () => {
        const led = new Set(ROWS.map((r) => r.last?.[0].step).filter(Boolean));
        for (const step of ["stage", "undo-stage", "restage", "resume", "gate", "apply-rung", "look", "promote", "confirm", "roll-back", "commit"]) assert.ok(led.has(step as Step["step"]), step);
    });

    it("walks a whole rollout when each step answers as a healthy one does: stage, gate, each rung looked at, promote, confirm, commit", () => {
        const answer = (step: Step): StepOutcome => {
            switch (step.step) {
                case "stage":
                case "apply-rung":
                case "promote":
                    return applied(NEW);
                case "gate":
                    return { outcome: "gate", go: true, summary: "GO" };
                case "look":
                    return looked("promote");
                case "confirm":
                    return { outcome: "serving", traffic: [target(NEW, 100)] };
                case "commit":
                    return { outcome: "committed", commit: "committed" };
                default:
                    return { outcome: "done" };
            }
        };
        const state: PlanState = { settings, observed: settled, interrupted: false };
        const walked: string[] = [];
        for (let step = nextStep(state); step.step !== "stop"; step = nextStep(state)) {
            walked.push("percent" in step && step.step !== "resume" ? `${step.step} ${step.percent}` : step.step);
            state.last = { step, outcome: answer(step) };
            assert.ok(walked.length < 50, "the plan ends");
        }
        assert.deepEqual(walked, ["stage", "gate", "apply-rung 5", "look 5", "apply-rung 50", "look 50", "promote", "confirm", "commit"]);
        assert.equal((nextStep(state) as { outcome?: string }).outcome, "promoted");
    });

    it("resumes at the first rung at or above the current percent, applied only when it is that rung", () => {
        assert.deepEqual(resumeAt([5, 50, 100], 0), { index: 0, applied: false });
        assert.deepEqual(resumeAt([5, 50, 100], 5), { index: 0, applied: true });
        assert.deepEqual(resumeAt([5, 50, 100], 6), { index: 1, applied: false });
        assert.deepEqual(resumeAt([5, 50, 100], 100), { index: 2, applied: true });
    });
});

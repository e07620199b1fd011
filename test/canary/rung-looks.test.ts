// The looks at one rung on a fake clock: the first only once a whole minute is past the lag, one
// a minute on the rung so far, the deadline, a decision, a signal.
import { strict as assert } from "node:assert";
import type { AnalyzeRun } from "../../canary/analyze";
import type { Decision } from "../../canary/judge";
import { type LookWindow, lookUntilDecided } from "../../canary/rung-looks";

const MINUTE = 60_000;

function fake(decisions: Decision[], opts: { startMs?: number; stopAtWait?: number; signal?: () => boolean } = {}) {
    let clock = opts.startMs ?? Date.UTC(2026, 11, 5, 0, 0, 20);
    const looks: Array<{ at: number; window: LookWindow }> = [];
    let waits = 0;
    return {
        looks,
        deps: {
            wait: (ms: number) => {
                waits++;
                clock += ms;
                return Promise.resolve(waits !== opts.stopAtWait);
            },
            now: () => new Date(clock),
            interrupted: opts.signal ?? (() => false),
            look: (window: LookWindow, index: number) => {
                looks.push({ at: clock, window });
                return Promise.resolve({ judgement: { decision: decisions[Math.min(index, decisions.length - 1)] } } as AnalyzeRun);
            },
        },
    };
}

describe("the looks at a rung", () => {
    it("looks first once a whole minute of the rung is past the lag, then a minute apart, each on the rung so far, never on younger data", async () => {
        const upAt = Date.UTC(2026, 11, 5, 0, 0, 20);
        const f = fake(["hold", "hold", "promote"], { startMs: upAt });
        const end = await lookUntilDecided({ everyMs: MINUTE, lagMs: 3 * MINUTE, deadlineMs: 52 * MINUTE }, f.deps);
        assert.equal(end.end, "decided");
        assert.equal(f.looks.length, 3);
        const from = Date.UTC(2026, 11, 5, 0, 1, 0);
        for (const [i, l] of f.looks.entries()) {
            assert.equal(l.window.start.getTime(), from, "from the rung's first whole minute");
            assert.equal(l.window.end.getTime(), from + (i + 1) * MINUTE, "a minute more each look");
            assert.ok(l.at - l.window.end.getTime() >= 3 * MINUTE, "no data younger than the lag");
        }
        assert.equal(f.looks[0].at, from + 4 * MINUTE);
    });

    it("holds to the deadline and ends there, with the last look at it", async () => {
        const f = fake(["hold"], { startMs: Date.UTC(2026, 11, 5, 0, 0, 0) });
        const end = await lookUntilDecided({ everyMs: MINUTE, lagMs: 3 * MINUTE, deadlineMs: 52 * MINUTE }, f.deps);
        assert.equal(end.end, "deadline");
        assert.equal(f.looks.length, 52 - 4 + 1);
        assert.equal(f.looks[f.looks.length - 1].at, Date.UTC(2026, 11, 5, 0, 52, 0));
    });

    it("still waits out the lag and one minute when the deadline is shorter (a 1-minute window, no holds)", async () => {
        const f = fake(["hold"], { startMs: Date.UTC(2026, 11, 5, 0, 0, 30) });
        const end = await lookUntilDecided({ everyMs: MINUTE, lagMs: 3 * MINUTE, deadlineMs: 4 * MINUTE }, f.deps);
        assert.equal(end.end, "deadline");
        assert.equal(f.looks.length, 1);
        assert.equal(f.looks[0].window.end.getTime() - f.looks[0].window.start.getTime(), MINUTE);
    });

    it("stops on a signal during a wait or after a hold, and never turns either into a decision", async () => {
        const waiting = fake(["promote"], { stopAtWait: 1 });
        assert.deepEqual(await lookUntilDecided({ everyMs: MINUTE, lagMs: 0, deadlineMs: 10 * MINUTE }, waiting.deps), { end: "interrupted", while: "waiting", looks: 0 });
        const holding = fake(["hold", "promote"], { signal: () => true });
        assert.deepEqual(await lookUntilDecided({ everyMs: MINUTE, lagMs: 0, deadlineMs: 10 * MINUTE }, holding.deps), { end: "interrupted", while: "holding", looks: 1 });
    });
});

// The runner: bounded concurrency, per-check and overall deadlines, crashes contained, nothing
// aborted early, interrupts fail only what is unfinished, and secrets redacted from logs.

import * as assert from "node:assert/strict";
import type { Check, CheckVerdict } from "../../validation/check";
import { sleep } from "../../io/http";
import { Redactor } from "../../io/redact";
import { runChecks } from "../../validation/runner";

function check(id: string, run: Check["run"], extra: Partial<Check> = {}): Check {
    return { id, required: true, description: `check ${id}`, command: `do ${id}`, run, ...extra };
}

const pass =
    (ms: number): Check["run"] =>
    async (ctx) => {
        await sleep(ms, ctx.signal);
        return { status: "passed" };
    };

const base = { concurrency: 4, checkTimeoutMs: 5000, overallTimeoutMs: 10_000, redactor: new Redactor() };

describe("validation/runner", () => {
    it("runs at most `concurrency` checks at once and keeps the matrix order in results", async () => {
        let active = 0;
        let peak = 0;
        const tracked =
            (ms: number): Check["run"] =>
            async () => {
                active++;
                peak = Math.max(peak, active);
                await sleep(ms);
                active--;
                return { status: "passed" };
            };
        const checks = ["a", "b", "c", "d", "e", "f", "g"].map((id, i) => check(id, tracked(30 + ((i * 17) % 40))));
        const out = await runChecks(checks, { ...base, concurrency: 3 });
        assert.equal(peak, 3);
        assert.deepEqual(
            out.results.map((r) => r.id),
            ["a", "b", "c", "d", "e", "f", "g"],
        );
        assert.ok(out.results.every((r) => r.status === "passed"));
    });

    it("fails a check past its deadline, aborts its signal, and goes on with the others", async () => {
        let aborted = false;
        const hang: Check["run"] = (ctx) =>
            new Promise<CheckVerdict>(() => {
                ctx.signal.addEventListener("abort", () => {
                    aborted = true;
                });
            });
        const out = await runChecks([check("slow", hang), check("fast", pass(10))], { ...base, checkTimeoutMs: 150 });
        assert.equal(out.results[0].status, "failed");
        assert.match(out.results[0].cause!, /check deadline of 150 ms passed/);
        assert.ok(aborted);
        assert.equal(out.results[1].status, "passed");
    });

    it("the overall deadline fails what is running and what has not started", async () => {
        const hang: Check["run"] = () => new Promise<CheckVerdict>(() => undefined);
        const out = await runChecks([check("a", hang), check("b", hang), check("c", pass(1))], { ...base, concurrency: 2, overallTimeoutMs: 200 });
        assert.match(out.results[0].cause!, /overall deadline of 200 ms passed/);
        assert.match(out.results[1].cause!, /overall deadline/);
        assert.equal(out.results[2].cause, "not started: the overall deadline had passed");
    });

    it("a crashing check is one failed result, not a crashed run", async () => {
        const out = await runChecks(
            [
                check("boom", () => {
                    throw new Error("kaboom");
                }),
                check("ok", pass(1)),
            ],
            base,
        );
        assert.equal(out.results[0].cause, "check crashed: kaboom");
        assert.equal(out.results[1].status, "passed");
    });

    it("records skips without running them, with the skip reason in the log", async () => {
        let ran = false;
        const out = await runChecks(
            [
                check(
                    "s",
                    () => {
                        ran = true;
                        return Promise.resolve({ status: "passed" });
                    },
                    { skipReason: "URL unset", skipAction: "set it" },
                ),
            ],
            base,
        );
        assert.equal(ran, false);
        assert.equal(out.results[0].status, "skipped");
        assert.equal(out.results[0].cause, "URL unset");
        assert.equal(out.results[0].action, "set it");
        assert.deepEqual(out.logs.get("s"), ["skipped: URL unset", "result: skipped: URL unset"]);
    });

    it("on interrupt, finished checks keep their result and the rest fail 'interrupted' at once", async () => {
        const controller = new AbortController();
        const hang: Check["run"] = () => new Promise<CheckVerdict>(() => undefined);
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        const out = await runChecks([check("done", pass(1)), check("hung", hang), check("queued", pass(1))], { ...base, concurrency: 2, interrupt: controller.signal });
        assert.ok(Date.now() - started < 2000);
        assert.ok(out.interrupted);
        assert.equal(out.results[0].status, "passed");
        assert.equal(out.results[1].cause, "interrupted");
        // "queued" may have run in the freed slot before the interrupt; either way it has a result.
        assert.ok(out.results[2].status === "passed" || out.results[2].cause === "interrupted");
    });

    it("redacts secrets in log lines, causes and warnings", async () => {
        const redactor = new Redactor(["s3cret-token-value"]);
        const out = await runChecks(
            [
                check("leaky", (ctx) => {
                    ctx.log("sending Authorization: Bearer s3cret-token-value");
                    ctx.log("GET https://x/?maintenance_bypass=abc123def");
                    return Promise.resolve({ status: "failed", cause: "token s3cret-token-value refused", warnings: ["saw s3cret-token-value"] });
                }),
            ],
            { ...base, redactor },
        );
        const text = JSON.stringify(out);
        assert.ok(!text.includes("s3cret-token-value"));
        assert.ok(!text.includes("abc123def"));
        assert.equal(out.results[0].cause, "token *** refused");
    });
});

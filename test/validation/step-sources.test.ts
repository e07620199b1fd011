// Every step the HTTP checks send cites the source it comes from, in every shape a table takes.

import * as assert from "node:assert/strict";
import { controlHealthSteps, controlSmokeSteps } from "../../validation/checks/control-steps";
import { runtimeSteps } from "../../validation/checks/runtime-smoke";
import { CONTRACT_COMMIT } from "../../validation/checks/sources";
import { Redactor } from "../../io/redact";
import type { Step } from "../../validation/steps";

const CITATION = new RegExp(`^(service|web-shell|runtime|client-core|app-state)/[\\w./-]+:\\d+(-\\d+)?(,\\d+(-\\d+)?)*@${CONTRACT_COMMIT}$`);

function everyTable(): Array<[string, Step[]]> {
    const tables: Array<[string, Step[]]> = [];
    for (const environment of ["staging", "prod"] as const) {
        for (const waitForReady of [false, true]) {
            tables.push([`control-health ${environment}`, controlHealthSteps({ environment, waitForReady })]);
            tables.push([`runtime-smoke ${environment}`, runtimeSteps(environment, "runtime", "smoke-x", waitForReady)]);
            for (const accessToken of [undefined, "a"]) {
                for (const bypassToken of [undefined, "b"]) {
                    tables.push([`control-smoke ${environment}`, controlSmokeSteps({ environment, base: "https://example.test", accessToken, bypassToken, redactor: new Redactor(), waitForReady })]);
                }
            }
        }
    }
    return tables;
}

describe("validation: the step tables cite the services' source", () => {
    it(`every step of every table cites file:lines@${CONTRACT_COMMIT}`, () => {
        for (const [name, steps] of everyTable()) {
            for (const step of steps) {
                assert.ok(step.source.length > 0, `${name} ${step.id} cites nothing`);
                for (const c of step.source) assert.match(c, CITATION, `${name} ${step.id}`);
            }
        }
    });

    it("a step's needs name steps of its own table", () => {
        for (const [name, steps] of everyTable()) {
            const ids = new Set(steps.map((s) => s.id));
            for (const s of steps) for (const n of s.needs ?? []) assert.ok(ids.has(n), `${name}: ${s.id} needs ${n}`);
        }
    });
});

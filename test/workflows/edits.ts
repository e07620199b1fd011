// What the workflow tests share: the workflows as committed, one text edit of them, and the
// assertion that an invariant caught a breaking edit.

import { strict as assert } from "node:assert";
import { type Workflow, loadWorkflows, parseWorkflow } from "./invariants";

export const WORKFLOWS: Workflow[] = loadWorkflows();

/** The workflows with one text edit in one file; fails if the edit does not apply. */
export function edit(name: string, from: string | RegExp, to: string): Workflow[] {
    return WORKFLOWS.map((wf) => {
        if (wf.file !== name) return wf;
        const text = wf.text.replace(from, to);
        assert.notEqual(text, wf.text, `the edit of ${name} applies (${String(from)})`);
        return parseWorkflow(wf.file, text);
    });
}

/** Asserts some problem matches the pattern, listing them all when none does. */
export function caught(problems: string[], pattern: RegExp): void {
    assert.ok(
        problems.some((p) => pattern.test(p)),
        `expected a problem matching ${pattern}, got:\n  ${problems.join("\n  ") || "<none>"}`,
    );
}

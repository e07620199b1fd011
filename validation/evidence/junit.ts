// junit.xml for CI test views: one testcase per check; failures carry the cause and the log.

import type { CheckResult } from "../check";

export function xmlEscape(text: string): string {
    return (
        text
            // Characters XML 1.0 forbids even escaped.
            .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
            .replace(/&/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;")
            .replace(/'/g, "&apos;")
    );
}

function seconds(ms: number): string {
    return (ms / 1000).toFixed(3);
}

/** `decision`: the run's GO/NO-GO, as a suite property (the same word as stdout, SUMMARY.md and results.json). */
export function renderJunit(results: readonly CheckResult[], logs: ReadonlyMap<string, string[]>, startedAt: string, durationMs: number, decision?: "GO" | "NO-GO"): string {
    const failures = results.filter((r) => r.status === "failed").length;
    const skipped = results.filter((r) => r.status === "skipped").length;
    const head = `tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(durationMs)}"`;
    const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="post-deploy-gate" ${head}>`, `  <testsuite name="post-deploy-gate" ${head} timestamp="${xmlEscape(startedAt)}">`];
    if (decision) lines.push(`    <properties>`, `      <property name="decision" value="${decision}"/>`, `    </properties>`);
    for (const r of results) {
        const classname = r.required ? "gate.required" : "gate.optional";
        lines.push(`    <testcase classname="${classname}" name="${xmlEscape(r.id)}" time="${seconds(r.durationMs)}">`);
        const log = (logs.get(r.id) ?? []).join("\n");
        if (r.status === "failed") {
            lines.push(`      <failure message="${xmlEscape(r.cause ?? "failed")}" type="${r.required ? "required" : "optional"}">${xmlEscape(log)}</failure>`);
        } else if (r.status === "skipped") {
            lines.push(`      <skipped message="${xmlEscape(r.cause ?? "skipped")}"/>`);
        } else if (log) {
            lines.push(`      <system-out>${xmlEscape(log)}</system-out>`);
        }
        lines.push(`    </testcase>`);
    }
    lines.push(`  </testsuite>`, `</testsuites>`);
    return `${lines.join("\n")}\n`;
}

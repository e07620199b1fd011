// results.tsv: the old gate's six columns first, in order, then ours. A skipped check's
// command column holds the skip reason, as before.

import type { CheckResult } from "../check";

export const TSV_COLUMNS = ["check_id", "required", "status", "description", "log_path", "command", "duration_ms", "cause"] as const;

/** Tabs and newlines would break the row: they become spaces. */
function cell(value: string): string {
    return value.replace(/[\t\r\n]+/g, " ");
}

export function renderTsv(results: readonly CheckResult[]): string {
    const rows = [TSV_COLUMNS.join("\t")];
    for (const r of results) {
        rows.push(
            [r.id, r.required ? "required" : "optional", r.status, r.description, r.logPath, r.status === "skipped" ? (r.cause ?? "") : r.command, String(r.durationMs), r.cause ?? ""]
                .map(cell)
                .join("\t"),
        );
    }
    return `${rows.join("\n")}\n`;
}

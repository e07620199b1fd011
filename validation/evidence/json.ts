// results.json: everything the other artifacts show, for machines.

import type { CheckResult } from "../check";
import type { Decision } from "../decision";
import type { EnvironmentEntry } from "./environment";

export const RESULTS_SCHEMA_VERSION = 1;

export interface ResultsJson {
    schemaVersion: number;
    generatedAt: string;
    /** false only in the placeholder a run writes before its decision (see run-dir.ts). */
    final: boolean;
    startedAt: string;
    durationMs: number;
    overall: "passed" | "failed";
    decision: "GO" | "NO-GO";
    interrupted: boolean;
    failOnRequiredFailure: boolean;
    counts: Decision["counts"];
    environment: EnvironmentEntry[];
    checks: CheckResult[];
}

export function renderJson(r: Omit<ResultsJson, "schemaVersion">): string {
    return `${JSON.stringify({ schemaVersion: RESULTS_SCHEMA_VERSION, ...r }, null, 2)}\n`;
}

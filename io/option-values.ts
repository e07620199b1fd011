// The parsers of option values: each takes the text and the name to blame (a flag or an env
// var) and returns the value or throws a one-line UsageError naming both.

import { type Environment, isEnvironment } from "../catalog";
import { displayUrl, endpointProblem } from "./endpoints";
import { UsageError } from "./usage-error";

export type Parser<T> = (text: string, what: string) => T;

/** The longest delay a Node timer holds (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses "500ms", "10s", "2m", "1h" or a bare number of seconds into ms (at most MAX_TIMER_MS). */
export function parseDuration(text: string, what: string): number {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (!m) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a duration (e.g. 500ms, 30s, 5m)`);
    const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? "s") as keyof typeof UNIT_MS]);
    if (!Number.isFinite(ms) || ms > MAX_TIMER_MS) throw new UsageError(`${what}: '${text.slice(0, 40)}' is longer than a timer can hold (at most 596h, about 24.8 days)`);
    return ms;
}

/** A duration as parseDuration reads it back, in the largest unit that divides it ("10s", "10m"). */
export function formatDuration(ms: number): string {
    if (ms === 0) return "0";
    for (const unit of ["h", "m", "s"] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
    return `${ms}ms`;
}

export function parseFlag01(text: string, what: string): boolean {
    const t = text.trim().toLowerCase();
    if (t === "1" || t === "true" || t === "yes") return true;
    if (t === "0" || t === "false" || t === "no") return false;
    throw new UsageError(`${what}: '${text}' is not 0 or 1`);
}

export function parsePositiveInt(text: string, what: string): number {
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${what}: '${text}' is not a positive integer`);
    return Number(text);
}

export function parseNonNegativeInt(text: string, what: string): number {
    if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a whole number`);
    return Number(text);
}

export function parsePercent(text: string, what: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`${what}: '${text.slice(0, 40)}' is not a percent 0-100`);
    return n;
}

export function parseEnvironment(text: string, what: string): Environment {
    if (!isEnvironment(text)) throw new UsageError(`${what}: expected staging or prod, got '${text}'`);
    return text;
}

export function parseText(text: string): string {
    return text;
}

/** A target or API URL the gate may send credentials to (see endpoints.ts), else a usage error. */
export function checkEndpoint(url: string, what: string): void {
    const problem = endpointProblem(url);
    if (problem) throw new UsageError(`${what}: ${displayUrl(url)} ${problem}`);
}

export function utcStamp(date: Date): string {
    return date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}Z$/, "Z");
}

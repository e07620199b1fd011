// Log levels in every form Cloud Logging stores them. An entry's `severity` is a LogSeverity, which
// the JSON API gives as its name or (on input, and in some exports) its number; a service that
// logs JSON lines with a `level` field (tracing-subscriber's `.json()`, what both Rust services
// use) keeps that level in jsonPayload, with `severity` left DEFAULT, because Cloud Run's agent
// maps only the special field `severity` (cloud.google.com/logging/docs/structured-logging); a
// plain text line keeps its level in textPayload.
//
// google/logging/type/log_severity.proto:43-70@f8291d2b89f0017ab078a4c7378069bae5686f6f (googleapis/googleapis):
// DEFAULT 0, DEBUG 100, INFO 200, NOTICE 300, WARNING 400, ERROR 500, CRITICAL 600, ALERT 700, EMERGENCY 800.
// The services: apps/runtime/src/main.rs:8-15 and apps/openagents.com/service/src/main.rs:40-47
// @c41c3629 (OpenAgentsInc/openagents) log `tracing_subscriber::fmt().json()`: `"level":"ERROR"`.

import type { LogEntry } from "./types";

export const LOG_SEVERITY = { DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800 } as const;
export const ERROR_SEVERITY = LOG_SEVERITY.ERROR;

/** Level words other loggers use, as the LogSeverity they mean (tracing: TRACE/DEBUG/INFO/WARN/ERROR). */
const ALIASES: Record<string, number> = {
    TRACE: LOG_SEVERITY.DEBUG,
    WARN: LOG_SEVERITY.WARNING,
    ERR: LOG_SEVERITY.ERROR,
    FATAL: LOG_SEVERITY.CRITICAL,
    PANIC: LOG_SEVERITY.CRITICAL,
    CRIT: LOG_SEVERITY.CRITICAL,
    EMERG: LOG_SEVERITY.EMERGENCY,
};

/** The LogSeverity number of a level given as a name (any case), an alias or a number; undefined when it is none. */
export function severityNumber(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
    if (typeof value !== "string") return undefined;
    const text = value.trim();
    if (/^\d{1,4}$/.test(text)) return Number(text);
    const name = text.toUpperCase();
    return (LOG_SEVERITY as Record<string, number>)[name] ?? ALIASES[name];
}

/** The level words a text line may start with (after a timestamp), as a Logging regular expression. */
const TEXT_LEVEL = "^(\\S+\\s+)?\\[?(ERROR|CRITICAL|ALERT|EMERGENCY|FATAL|PANIC)\\]?[\\s:]";
const TEXT_LEVEL_RE = new RegExp(TEXT_LEVEL, "i");
/** A Rust panic's line (std's default hook): an error whatever its severity says. */
const PANIC_RE = /\bpanicked at\b/;

/**
 * The entry's level: its severity when that says anything (not DEFAULT), else the highest its
 * jsonPayload severity/level field or its text's leading level word or a panic says.
 */
export function entrySeverity(entry: LogEntry): number {
    const own = severityNumber(entry.severity) ?? 0;
    if (own > LOG_SEVERITY.DEFAULT) return own;
    const levels: number[] = [own];
    const json = entry.jsonPayload;
    if (json && typeof json === "object") {
        for (const key of ["severity", "level", "levelname", "log.level"]) {
            const n = severityNumber(json[key]);
            if (n !== undefined) levels.push(n);
        }
    }
    if (typeof entry.textPayload === "string") {
        const m = TEXT_LEVEL_RE.exec(entry.textPayload);
        if (m) levels.push(severityNumber(m[2]) ?? 0);
        if (PANIC_RE.test(entry.textPayload)) levels.push(LOG_SEVERITY.ERROR);
    }
    return Math.max(...levels);
}

/** The names and aliases at or above ERROR, as a JSON level field may spell them. */
function errorWords(): string[] {
    const words = [
        ...Object.entries(LOG_SEVERITY)
            .filter(([, n]) => n >= ERROR_SEVERITY)
            .map(([w]) => w),
        ...Object.entries(ALIASES)
            .filter(([, n]) => n >= ERROR_SEVERITY)
            .map(([w]) => w),
    ];
    return [...new Set(words.flatMap((w) => [w, w.toLowerCase(), w[0] + w.slice(1).toLowerCase()]))];
}

/**
 * The Logging query clause for "an error or worse" in every stored form: the severity field, a
 * JSON level or severity field, a text line's leading level word, a panic.
 */
export function errorLevelClause(): string {
    const json = errorWords().flatMap((w) => [`jsonPayload.level=${JSON.stringify(w)}`, `jsonPayload.severity=${JSON.stringify(w)}`]);
    return `(severity>=ERROR OR ${json.join(" OR ")} OR textPayload=~${JSON.stringify(TEXT_LEVEL)} OR textPayload:"panicked at")`;
}

// Server text made safe to show: every byte a server (or a child process) sent is escaped before
// it reaches a terminal, a log or an artifact, so a newline cannot forge a line and an ANSI
// escape cannot repaint the screen; and it is redacted before it is cut, so a cut never leaves
// a piece of a secret behind.

import type { Redactor } from "./redact";

// C0 controls, DEL, C1 controls, the Unicode line/paragraph separators and the bidi overrides.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Control characters shown as escapes (\n, \x1b, \u2028), never interpreted. Idempotent. */
export function escapeControl(text: string): string {
    return text.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** The mark a cut leaves at the end of an excerpt. */
export const CUT_MARK = "…";

/**
 * One line of at most `max` characters from server text: redacted whole first, then runs of
 * spaces and tabs folded to one space, control characters (newlines too) escaped, and only then cut.
 */
export function excerpt(text: string, max: number, redactor: Redactor): string {
    const flat = escapeControl(
        redactor
            .redact(text)
            .replace(/[ \t]+/g, " ")
            .trim(),
    );
    if (flat.length <= max) return flat;
    let cut = flat.slice(0, Math.max(0, max - CUT_MARK.length));
    // Never end inside an escape sequence such as \x1b (it would read as something else).
    cut = cut.replace(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/, "");
    return `${cut}${CUT_MARK}`;
}

/** An excerpt of a response body (decoded as UTF-8; a cut multi-byte character is dropped). */
export function bodyExcerpt(body: Buffer, max: number, redactor: Redactor): string {
    return excerpt(body.toString("utf8"), max, redactor);
}

/** Server text as Markdown (a table cell, a list item): escaped, and no pipe can split the row. */
export function markdownText(text: string): string {
    return escapeControl(text).replace(/\|/g, "\\|");
}

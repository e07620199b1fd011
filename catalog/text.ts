// How a value appears inside a one-line error: escaped (no newline or control character can
// break the line) and cut, so a 5 MB value gives a message of a few hundred bytes at most.

export const EXCERPT_CHARS = 60;

/** JSON-escaped excerpt of any value: strings quoted, long ones cut with their full length noted. */
export function excerpt(value: unknown, max = EXCERPT_CHARS): string {
    let text: string;
    if (typeof value === "string") text = value;
    else if (value === undefined) return "undefined";
    else if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
    else if (Array.isArray(value)) return `a list of ${value.length}`;
    else if (typeof value === "object") return "an object";
    else return typeof value;
    if (text.length <= max) return JSON.stringify(text);
    return `${JSON.stringify(text.slice(0, max))}... (${text.length} characters)`;
}

/** At most `max` problems spelled out, then how many more. */
export function joinProblems(problems: readonly string[], max = 3): string {
    const shown = problems.slice(0, max).join("; ");
    return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}

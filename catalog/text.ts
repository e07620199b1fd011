// How a value appears inside a one-line error: escaped (no newline or control character can
// break the line) and cut, so a 5 MB value gives a message of a few hundred bytes at most.

export const QUOTED_CHARS = 100;

/** Any value quoted for a one-line error: strings JSON-escaped and quoted, long ones cut with their full length noted. */
export function quoted(value: unknown, max = QUOTED_CHARS): string {
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

/** Longest line a list of problems makes: a few hundred bytes, however many problems there are. */
export const MAX_LINE_CHARS = 480;

/** As many problems as fit on one line of MAX_LINE_CHARS (the first always, cut if need be), then how many more. */
export function joinProblems(problems: readonly string[], maxChars = MAX_LINE_CHARS): string {
    if (problems.length === 0) return "";
    const first = problems[0].length > maxChars ? `${problems[0].slice(0, maxChars)}...` : problems[0];
    let line = first;
    let shown = 1;
    for (; shown < problems.length; shown++) {
        const next = `${line}; ${problems[shown]}`;
        if (next.length > maxChars) break;
        line = next;
    }
    return shown < problems.length ? `${line}; and ${problems.length - shown} more` : line;
}

/** Edit distance of two short strings (case-insensitive), for "did you mean". */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[y.length];
}

/** The candidate closest to `word`, when it is close enough to be the one meant (a typo, not another word). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    if (word.length > 200) return undefined;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = distance(word, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4)) ? best : undefined;
}

/** Text as one cell of a generated Markdown table: no pipe, tag or line break escapes it. */
export function markdownCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");
}

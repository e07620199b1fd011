// Cache-Control judged as a list of directives (RFC 9111 §5.2: `#( token [ "=" ( token /
// quoted-string ) ] )`, names case-insensitive), never by searching the header's text: "no-cache"
// is in "x-no-cache-ever", and "max-age=" says nothing of its value. The control service writes
// one fixed header value per kind of answer (its static-file rules), so an answer is judged by
// the exact set of directives that rule produces.

/** Directive name (lowercased) -> its argument, or true when it has none. */
export type Directives = ReadonlyMap<string, string | true>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The directives of a Cache-Control value, or why it is not one (a malformed member). */
export function parseCacheControl(value: string): { ok: true; directives: Directives } | { ok: false; problem: string } {
    const directives = new Map<string, string | true>();
    let i = 0;
    const n = value.length;
    const skipSpace = (): void => {
        while (i < n && (value[i] === " " || value[i] === "\t")) i++;
    };
    while (i < n) {
        skipSpace();
        if (value[i] === ",") {
            // Empty list members are allowed (RFC 9110 §5.6.1).
            i++;
            continue;
        }
        if (i >= n) break;
        let name = "";
        while (i < n && value[i] !== "=" && value[i] !== "," && value[i] !== " " && value[i] !== "\t") name += value[i++];
        if (!TOKEN.test(name)) return { ok: false, problem: `'${name}' is not a directive name` };
        skipSpace();
        let arg: string | true = true;
        if (value[i] === "=") {
            i++;
            skipSpace();
            if (value[i] === '"') {
                i++;
                let text = "";
                let closed = false;
                while (i < n) {
                    const c = value[i++];
                    if (c === "\\" && i < n) text += value[i++];
                    else if (c === '"') {
                        closed = true;
                        break;
                    } else text += c;
                }
                if (!closed) return { ok: false, problem: `the argument of ${name} has no closing quote` };
                arg = text;
            } else {
                let text = "";
                while (i < n && value[i] !== "," && value[i] !== " " && value[i] !== "\t") text += value[i++];
                if (!TOKEN.test(text)) return { ok: false, problem: `'${name}=' has no argument` };
                arg = text;
            }
            skipSpace();
        }
        if (i < n && value[i] !== ",") return { ok: false, problem: `unexpected '${value[i]}' after ${name}` };
        const key = name.toLowerCase();
        // A repeated directive is ambiguous (RFC 9111 §4.2.1 lets a cache treat it as stale): name it.
        if (directives.has(key)) return { ok: false, problem: `${key} appears twice` };
        directives.set(key, arg);
    }
    return { ok: true, directives };
}

/** The directives a fixed header value carries (for the expected side). */
export function directivesOf(value: string): Directives {
    const parsed = parseCacheControl(value);
    if (!parsed.ok) throw new Error(`not a Cache-Control value: ${value} (${parsed.problem})`);
    return parsed.directives;
}

function shown(directives: Directives): string {
    return [...directives].map(([k, v]) => (v === true ? k : `${k}=${v}`)).join(", ");
}

/**
 * Why an answer's Cache-Control is not the one the service's rule produces (`expected`, the
 * service's own header value), or undefined when it carries exactly those directives, in any
 * order and case. A missing directive and one the rule never writes are both wrong: a `public,
 * max-age` on the manifest lets a cache keep the old web shell after a deploy.
 */
export function cacheControlProblem(header: string | undefined, expected: string): string | undefined {
    if (header === undefined || header.trim() === "") return `without cache-control (expected ${expected})`;
    const parsed = parseCacheControl(header);
    if (!parsed.ok) return `with a cache-control that does not parse (${parsed.problem}): '${header.slice(0, 80)}'`;
    const want = directivesOf(expected);
    const missing = [...want].filter(([k, v]) => parsed.directives.get(k) !== v).map(([k, v]) => (v === true ? k : `${k}=${v}`));
    const extra = [...parsed.directives].filter(([k]) => !want.has(k)).map(([k, v]) => (v === true ? k : `${k}=${v}`));
    if (missing.length === 0 && extra.length === 0) return undefined;
    const parts = [missing.length > 0 ? `lacks ${missing.join(", ")}` : "", extra.length > 0 ? `adds ${extra.join(", ")}` : ""].filter(Boolean).join(" and ");
    return `with cache-control '${shown(parsed.directives).slice(0, 100)}', which ${parts} (the service writes '${expected}')`;
}

// Masks every credential the gate was given or obtained before any text reaches a log, stdout
// or an artifact. Two layers: exact values registered at startup (access tokens, bypass
// tokens, API tokens) or when obtained (ID tokens), and patterns that catch credential shapes
// whatever their value (Authorization/Cookie headers, secret query parameters, JWTs).

export const MASK = "***";

/** Query parameters whose value is a secret wherever they appear in a URL. */
export const SECRET_QUERY_PARAMS = [
    "maintenance_bypass",
    "access_token",
    "id_token",
    "token",
    "key",
    "api_key",
    "apikey",
    "sig",
    "signature",
    "password",
    "secret",
    "code",
];

/** Header names whose value is a credential. */
export const SECRET_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-goog-iap-jwt-assertion", "x-serverless-authorization"];

const HEADER_LINE = new RegExp(`\\b(${SECRET_HEADERS.join("|")})(["']?\\s*[:=]\\s*["']?)([^\\r\\n"']+)`, "gi");
const QUERY_SECRET = new RegExp(`([?&;](?:${SECRET_QUERY_PARAMS.join("|")})=)([^&#\\s"'<>]+)`, "gi");
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
// Three base64url segments starting with a JSON header: a JWT (Google ID tokens are JWTs).
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Google OAuth access tokens.
const GOOGLE_ACCESS_TOKEN = /\bya29\.[A-Za-z0-9._-]+/g;

/** The shortest piece of a secret found anywhere once a cut has split it. */
const PIECE = 8;
/**
 * The last 4 to 7 characters before a cut mark ("…", "...") or the end of a line. Bounded: an
 * unbounded run would make every start in a long unbroken text rescan it (quadratic time).
 */
const CUT_EDGE = /(\S{4,7})(…|\.\.\.|\r?\n|$)/g;

/** Replaces every run of the text that is a head (or a tail) of the secret, PIECE or longer. */
function maskRuns(text: string, secret: string, end: "head" | "tail"): string {
    const probe = end === "head" ? secret.slice(0, PIECE) : secret.slice(-PIECE);
    let from = 0;
    let out = "";
    for (;;) {
        const at = text.indexOf(probe, from);
        if (at < 0) return out + text.slice(from);
        let start = at;
        let stop = at + PIECE;
        if (end === "head") {
            while (stop < text.length && stop - at < secret.length && text[stop] === secret[stop - at]) stop++;
        } else {
            let k = secret.length - PIECE - 1;
            while (start > from && k >= 0 && text[start - 1] === secret[k]) {
                start--;
                k--;
            }
        }
        out += text.slice(from, start) + MASK;
        from = stop;
    }
}

/** The text with its end masked when that end is a head of the secret of 4 or more characters. */
function maskShortHead(text: string, secret: string): string {
    for (let k = Math.min(PIECE - 1, secret.length - 1, text.length); k >= 4; k--) {
        if (text.endsWith(secret.slice(0, k))) return `${text.slice(0, text.length - k)}${MASK}`;
    }
    return text;
}

export class Redactor {
    private secrets: string[] = [];

    constructor(secrets: Iterable<string | undefined> = []) {
        for (const s of secrets) this.add(s);
    }

    /** Registers a secret value (ignored when empty or too short to mask safely). */
    add(secret: string | undefined): void {
        if (!secret) return;
        const value = secret.trim();
        // A one- or two-character "secret" would mask every occurrence of those characters.
        if (value.length < 4) return;
        const forms = new Set([value, encodeURIComponent(value), Buffer.from(value).toString("base64")]);
        for (const form of forms) if (!this.secrets.includes(form)) this.secrets.push(form);
        // Longest first, so a secret containing another is masked whole.
        this.secrets.sort((a, b) => b.length - a.length);
    }

    get size(): number {
        return this.secrets.length;
    }

    redact(text: string): string {
        let out = text;
        for (const secret of this.secrets) {
            if (out.includes(secret)) out = out.split(secret).join(MASK);
        }
        out = this.maskPieces(out);
        out = out.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${MASK}`);
        out = out.replace(QUERY_SECRET, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(BEARER, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(JWT, MASK);
        out = out.replace(GOOGLE_ACCESS_TOKEN, MASK);
        return out;
    }

    /**
     * Masks what a cut left of a secret: a run of 8 or more characters that starts like a secret
     * (its head survived the cut) or ends like one (its tail did), and a shorter head of 4 or more
     * just before a cut mark or at the end of a line.
     */
    private maskPieces(text: string): string {
        if (this.secrets.length === 0) return text;
        let out = text;
        for (const secret of this.secrets) {
            if (secret.length >= PIECE) {
                out = maskRuns(out, secret, "head");
                out = maskRuns(out, secret, "tail");
            }
        }
        // One pass over the cut edges for every secret (the text may be a whole log).
        return out.replace(CUT_EDGE, (match: string, before: string, mark: string) => {
            for (const secret of this.secrets) {
                const masked = maskShortHead(before, secret);
                if (masked !== before) return `${masked}${mark}`;
            }
            return match;
        });
    }

    /** A copy of headers with credential headers masked. */
    redactHeaders(headers: Record<string, string>): Record<string, string> {
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(headers)) {
            out[name] = SECRET_HEADERS.includes(name.toLowerCase()) ? MASK : this.redact(value);
        }
        return out;
    }
}

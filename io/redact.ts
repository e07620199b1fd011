// Masks every credential the gate was given or obtained before any text reaches a log, stdout
// or an artifact. Two layers: exact values registered at startup (access tokens, bypass
// tokens, API tokens) or when obtained (ID tokens), and patterns that catch credential shapes
// whatever their value (Authorization/Cookie headers, secret query parameters, JWTs).

export const MASK = "***";

/** Query parameters whose value is a secret wherever they appear in a URL. */
export const SECRET_QUERY_PARAMS = ["maintenance_bypass", "access_token", "id_token", "token", "key", "api_key", "apikey", "sig", "signature", "password", "secret", "code"];

/** Header names whose value is a credential. */
export const SECRET_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-goog-iap-jwt-assertion", "x-serverless-authorization"];

const HEADER_LINE = new RegExp(`\\b(${SECRET_HEADERS.join("|")})(["']?\\s*[:=]\\s*["']?)([^\\r\\n"']+)`, "gi");
const QUERY_SECRET = new RegExp(`([?&;](?:${SECRET_QUERY_PARAMS.join("|")})=)([^&#\\s"'<>]+)`, "gi");
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
// Three base64url segments starting with a JSON header: a JWT (Google ID tokens are JWTs).
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Google OAuth access tokens.
const GOOGLE_ACCESS_TOKEN = /\bya29\.[A-Za-z0-9._-]+/g;

/**
 * The shortest piece of a secret found anywhere, from its head, its middle or its tail: 6, the
 * piece the evidence is held to (a 7-character run from a token's middle is a leak too).
 */
const PIECE = 6;
/** The shortest secret the gate is given that it can mask without masking ordinary text. */
export const MIN_SECRET_LENGTH = 8;
/**
 * The last 4 to 7 characters before a cut mark ("…", "...") or the end of a line. Bounded: an
 * unbounded run would make every start in a long unbroken text rescan it (quadratic time).
 */
const CUT_EDGE = /(\S{4,7})(…|\.\.\.|\r?\n|$)/g;
/**
 * A password in a URL's user info (`postgres://app:PASSWORD@host/db`): a credential whatever
 * its value, as a service prints it in its own logs.
 */
// Bounded parts: an unbounded user and password would backtrack quadratically over a long run
// of text with no "@" after a "://".
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@"'<>]{0,256}:)([^\s@/"'<>]{1,256})(@)/gi;
/** `password=...` / `"password": "..."` in free text (a config dump, a connection string). */
const PASSWORD_FIELD = /\b((?:password|passwd|pwd|db_password)["']?\s*[=:]\s*["']?)([^\s"',;&]+)/gi;

/** A secret form longer than this is matched whole only (its pieces would cost memory by the megabyte). */
const MAX_PIECED = 4096;

export class Redactor {
    /** Every registered form, for dedup and size. */
    private forms = new Set<string>();
    /** Forms matched whole: the short ones (no PIECE-long run to find) and the very long ones; longest first. */
    private whole: string[] = [];
    private wholeSorted = true;
    /** Every PIECE-long run of every form: a text run found here is a piece of a secret. */
    private pieces = new Set<string>();
    /** The heads of 4 to PIECE-1 characters of every form: what a cut may leave at its edge. */
    private heads = new Set<string>();

    constructor(secrets: Iterable<string | undefined> = []) {
        for (const s of secrets) this.add(s);
    }

    /**
     * Registers a secret value (ignored when empty or too short to mask safely). Linear in the
     * value's length, whatever the number already registered: a service may hand out many.
     */
    add(secret: string | undefined): void {
        if (!secret) return;
        const value = secret.trim();
        // A one- or two-character "secret" would mask every occurrence of those characters.
        if (value.length < 4) return;
        // As given, URL-encoded, base64, and as it reads inside a JSON string.
        const forms = new Set([value, encodeURIComponent(value), Buffer.from(value).toString("base64"), JSON.stringify(value).slice(1, -1)]);
        for (const form of forms) {
            if (this.forms.has(form)) continue;
            this.forms.add(form);
            if (form.length < PIECE || form.length > MAX_PIECED) {
                this.whole.push(form);
                this.wholeSorted = false;
            }
            if (form.length <= MAX_PIECED) for (let i = 0; i + PIECE <= form.length; i++) this.pieces.add(form.slice(i, i + PIECE));
            for (let k = 4; k < Math.min(PIECE, form.length); k++) this.heads.add(form.slice(0, k));
        }
    }

    get size(): number {
        return this.forms.size;
    }

    /**
     * Masks secrets in a value: a log line, a cause, a field. Never pass it a whole rendered file:
     * a secret the service chose ("true", "NO-GO", the head of a check id) would rewrite keys,
     * ids and the decision. Credentials it finds by shape (a password in a URL) are learned, so
     * they are masked from then on wherever they appear.
     */
    redact(text: string): string {
        this.learnFrom(text);
        let out = text;
        if (!this.wholeSorted) {
            // Longest first, so a secret containing another is masked whole.
            this.whole.sort((a, b) => b.length - a.length);
            this.wholeSorted = true;
        }
        for (const secret of this.whole) {
            if (out.includes(secret)) out = out.split(secret).join(MASK);
        }
        out = this.maskPieces(out);
        out = out.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${MASK}`);
        out = out.replace(QUERY_SECRET, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(BEARER, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(JWT, MASK);
        out = out.replace(GOOGLE_ACCESS_TOKEN, MASK);
        out = out.replace(URL_PASSWORD, (_m, head: string, _pw: string, at: string) => `${head}${MASK}${at}`);
        out = out.replace(PASSWORD_FIELD, (_m, head: string) => `${head}${MASK}`);
        return out;
    }

    /** Registers the credentials a text carries by their shape (URL passwords, password fields). */
    learnFrom(text: string): void {
        if (!text.includes("://") && !/pass|pwd/i.test(text)) return;
        for (const m of text.matchAll(URL_PASSWORD)) this.add(safeDecode(m[2]));
        for (const m of text.matchAll(PASSWORD_FIELD)) this.add(m[2]);
    }

    /**
     * Masks what a cut or a copy left of a secret: every run of the text made of PIECE-long runs
     * of a secret (its head, its middle, its tail), and a shorter head of 4 or more just before a
     * cut mark or at the end of a line. One linear pass each, whatever the number of secrets.
     */
    private maskPieces(text: string): string {
        if (this.forms.size === 0) return text;
        let out = text;
        if (this.pieces.size > 0 && out.length >= PIECE) {
            let masked = "";
            let from = 0;
            let runEnd = -1;
            let runStart = -1;
            for (let i = 0; i + PIECE <= out.length; i++) {
                if (!this.pieces.has(out.slice(i, i + PIECE))) continue;
                if (i > runEnd) {
                    if (runStart >= 0) {
                        masked += out.slice(from, runStart) + MASK;
                        from = runEnd;
                    }
                    runStart = i;
                }
                runEnd = i + PIECE;
            }
            if (runStart >= 0) {
                masked += out.slice(from, runStart) + MASK;
                from = runEnd;
            }
            out = masked + out.slice(from);
        }
        return out.replace(CUT_EDGE, (match: string, before: string, mark: string) => {
            for (let k = Math.min(PIECE - 1, before.length); k >= 4; k--) {
                if (this.heads.has(before.slice(-k))) return `${before.slice(0, before.length - k)}${MASK}${mark}`;
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

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

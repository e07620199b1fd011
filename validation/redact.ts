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
        out = out.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${MASK}`);
        out = out.replace(QUERY_SECRET, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(BEARER, (_m, prefix: string) => `${prefix}${MASK}`);
        out = out.replace(JWT, MASK);
        out = out.replace(GOOGLE_ACCESS_TOKEN, MASK);
        return out;
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

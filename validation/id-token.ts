// Google ID tokens for the private runtime. An explicit token (from options) always wins; only
// without one, and only when a check asks, are ambient credentials looked for: that lookup can
// make google-auth-library probe the GCE metadata server, which must never happen off Google
// Cloud or in tests (METADATA_SERVER_DETECTION=none turns the probe off).

export interface IdTokenResult {
    /** The token, or undefined when none could be had (then no Authorization header is sent). */
    token?: string;
    /** What happened, for the check's log (never the token). */
    note: string;
}

/** Gets an ID token whose audience is the given URL. Never throws. */
export type IdTokenSource = (audience: string) => Promise<IdTokenResult>;

/** Mints tokens from Application Default Credentials, lazily, once per audience. */
export function ambientIdTokenSource(): IdTokenSource {
    const cache = new Map<string, Promise<IdTokenResult>>();
    return (audience) => {
        let pending = cache.get(audience);
        if (!pending) {
            pending = fetchAmbient(audience);
            cache.set(audience, pending);
        }
        return pending;
    };
}

async function fetchAmbient(audience: string): Promise<IdTokenResult> {
    try {
        // Loaded here, not at the top: the gate never touches google-auth-library unless a check needs a token.
        const { GoogleAuth } = await import("google-auth-library");
        const auth = new GoogleAuth();
        const client = await auth.getIdTokenClient(audience);
        const token = await client.idTokenProvider.fetchIdToken(audience);
        if (!token) return { note: "ambient credentials gave no ID token; sending no token" };
        return { token, note: "sending a Google ID token minted from ambient credentials" };
    } catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        return { note: `no usable Google credentials (${message}); sending no token` };
    }
}

/** A source that never finds credentials (for runs that must not look). */
export const noIdTokenSource: IdTokenSource = () => Promise.resolve({ note: "credential lookup disabled; sending no token" });

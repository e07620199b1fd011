// The OAuth access token the Cloud Run Admin, Logging and Monitoring calls carry, for as long as
// a run lasts. An explicit token (CLOUDSDK_AUTH_ACCESS_TOKEN, the variable gcloud itself honours)
// wins; it cannot be refreshed, so it is taken to expire an hour after it was given and that is
// said before it bites. Otherwise Application Default Credentials through google-auth-library:
// its client is built lazily (only when a check actually calls an API, because that lookup may
// probe the GCE metadata server; tests and CI set METADATA_SERVER_DETECTION=none), once, and
// asked for the token on every request, so it refreshes a token near its expiry on its own; a
// token the API refuses (401) is replaced once by a token from a new client.

import { GcpApiError } from "./errors";

export const ACCESS_TOKEN_ENV = "CLOUDSDK_AUTH_ACCESS_TOKEN";
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * How long an explicit token is taken to live from when it was given: Google's OAuth 2.0 access
 * tokens are issued for at most an hour (`expires_in` 3599 from the token endpoint;
 * `gcloud auth print-access-token` prints the cached one, possibly already part-used).
 */
export const EXPLICIT_TOKEN_LIFETIME_MS = 60 * 60_000;
/** An explicit token this close to its assumed expiry is warned about once. */
export const EXPLICIT_TOKEN_WARNING_MS = 10 * 60_000;

export interface AccessTokenSource {
    /** Where the token comes from, for the logs (never the token). */
    readonly origin: string;
    /** The token for the next request (`log` gets a warning about it); throws GcpApiError("credentials") when there is none. */
    token(log?: (line: string) => void): Promise<string>;
    /** After the API refused `rejected` (401): a different token, or undefined when none can be had. */
    renew(rejected: string): Promise<string | undefined>;
    /** Why a refused token stays refused, for the 401 cause (undefined: the generic hint). */
    refusal?(): string | undefined;
    /** When the token is taken to expire (explicit tokens only; ADC refreshes). */
    readonly expiresAt?: Date;
}

/** What an ADC client is asked for: google-auth-library's AuthClient.getAccessToken. */
export interface TokenClient {
    getAccessToken(): Promise<{ token?: string | null }>;
}

/** Builds an ADC client (a new one gives a newly minted token). */
export type AdcLoader = () => Promise<TokenClient>;

export interface ExplicitTokenOptions {
    /** The clock (ms); Date.now by default. */
    now?: () => number;
    /** When the token was given (ms); when the source was made by default. */
    givenAt?: number;
    /** Assumed lifetime from givenAt; EXPLICIT_TOKEN_LIFETIME_MS by default. */
    lifetimeMs?: number;
    /** Gets the one warning before the assumed expiry. */
    warn?: (line: string) => void;
}

function clockTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A fixed token (from the environment or a flag): never refreshed, its expiry named before it bites. */
export function explicitTokenSource(token: string, origin: string, options: ExplicitTokenOptions = {}): AccessTokenSource {
    const now = options.now ?? Date.now;
    // A token from the environment was given when this process started.
    const givenAt = options.givenAt ?? (options.now ? now() : performance.timeOrigin);
    const expires = givenAt + (options.lifetimeMs ?? EXPLICIT_TOKEN_LIFETIME_MS);
    let warned = false;
    return {
        origin,
        expiresAt: new Date(expires),
        token(log) {
            const left = expires - now();
            if (!warned && left <= EXPLICIT_TOKEN_WARNING_MS) {
                warned = true;
                const when = left > 0 ? `in ${Math.ceil(left / 60_000)} min (${clockTime(expires)})` : `since ${clockTime(expires)}`;
                (options.warn ?? log)?.(
                    `${origin} was given at ${clockTime(givenAt)} and access tokens live at most an hour: it is taken to expire ${when}; unset it so application default credentials refresh, or give a fresh one`,
                );
            }
            return Promise.resolve(token);
        },
        renew: () => Promise.resolve(undefined),
        refusal() {
            const state = now() >= expires ? "has expired" : "was refused before its assumed expiry (revoked, or minted earlier than it was given)";
            return `the explicit ${origin} given at ${clockTime(givenAt)}, taken to expire by ${clockTime(expires)}, ${state}: it cannot be refreshed; unset it so application default credentials refresh, or give a fresh one`;
        },
    };
}

/** Application Default Credentials through google-auth-library for these scopes: a new client per call. */
export function adcLoader(scopes: readonly string[]): AdcLoader {
    return async () => {
        const { GoogleAuth } = await import("google-auth-library");
        return new GoogleAuth({ scopes: [...scopes] }).getClient();
    };
}

/** ADC with the cloud-platform scope (what the gate's Cloud Run and Logging reads use). */
export const loadAdcAccessToken: AdcLoader = adcLoader([CLOUD_PLATFORM_SCOPE]);

function firstLine(err: unknown): string {
    return err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
}

/**
 * ADC: the client is built on the first call and shared by every check after it; each call asks
 * it for the token (the library refreshes one near expiry). onToken gets every token as soon as
 * it is obtained (the run's redactor: none was among the options' secrets).
 */
export function adcTokenSource(load: AdcLoader = loadAdcAccessToken, onToken?: (token: string) => void): AccessTokenSource {
    let client: Promise<TokenClient> | undefined;
    let latest: string | undefined;
    let renewing: Promise<string | undefined> | undefined;
    const seen = new Set<string>();
    const build = (): Promise<TokenClient> =>
        load().catch((err: unknown) => {
            throw new GcpApiError(
                "credentials",
                `no Google credentials: set ${ACCESS_TOKEN_ENV} (e.g. $(gcloud auth print-access-token)) or configure application default credentials (${firstLine(err)})`,
            );
        });
    const mint = async (from: Promise<TokenClient>): Promise<string> => {
        const c = await from;
        let token: string | null | undefined;
        try {
            token = (await c.getAccessToken()).token;
        } catch (err) {
            throw new GcpApiError("credentials", `application default credentials could not give an access token: ${firstLine(err)}`);
        }
        if (!token) throw new GcpApiError("credentials", "application default credentials gave no access token");
        latest = token;
        if (!seen.has(token)) {
            seen.add(token);
            onToken?.(token);
        }
        return token;
    };
    return {
        origin: "application default credentials",
        token() {
            client ??= build();
            return mint(client);
        },
        renew(rejected) {
            // Requests refused together share one renewal; a later token is already the answer.
            if (latest !== undefined && latest !== rejected) return Promise.resolve(latest);
            renewing ??= (async () => {
                client = build();
                const token = await mint(client);
                return token === rejected ? undefined : token;
            })().finally(() => (renewing = undefined));
            return renewing;
        },
    };
}

export interface TokenSourceOptions extends Omit<ExplicitTokenOptions, "givenAt" | "lifetimeMs"> {
    load?: AdcLoader;
    /** Every ADC token as it is obtained (see adcTokenSource). */
    onToken?: (token: string) => void;
}

/** The token source for a run: the explicit token when given, else ADC. */
export function accessTokenSource(explicitToken: string | undefined, options: TokenSourceOptions = {}): AccessTokenSource {
    const token = explicitToken?.trim();
    return token ? explicitTokenSource(token, ACCESS_TOKEN_ENV, { now: options.now, warn: options.warn }) : adcTokenSource(options.load ?? loadAdcAccessToken, options.onToken);
}

/** Said before a run starts: a token that is taken to expire before the run's planned end. */
export function tokenShortfall(source: AccessTokenSource, plannedMs: number, now = Date.now()): string | undefined {
    const expires = source.expiresAt?.getTime();
    if (expires === undefined || now + plannedMs <= expires) return undefined;
    return `${source.origin} is taken to expire at ${clockTime(expires)} but this run is planned to last until about ${clockTime(now + plannedMs)}: reads after that are refused (401) and it cannot be refreshed; unset it so application default credentials refresh`;
}

// The OAuth access token the Cloud Run Admin and Logging calls carry. An explicit token
// (CLOUDSDK_AUTH_ACCESS_TOKEN, the variable gcloud itself honours) wins; otherwise the ambient
// Application Default Credentials are looked up through google-auth-library, lazily: only when
// a check actually calls an API, because that lookup may probe the GCE metadata server (tests
// and CI set METADATA_SERVER_DETECTION=none so it never does).

import { GcpApiError } from "./errors";

export const ACCESS_TOKEN_ENV = "CLOUDSDK_AUTH_ACCESS_TOKEN";
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export interface AccessTokenSource {
    /** Where the token comes from, for the logs (never the token). */
    readonly origin: string;
    /** The token; throws GcpApiError("credentials") when there is none. */
    token(): Promise<string>;
}

/** A fixed token (from the environment or a flag). */
export function staticTokenSource(token: string, origin: string): AccessTokenSource {
    return { origin, token: () => Promise.resolve(token) };
}

export type AdcLoader = () => Promise<string | null | undefined>;

/** Application Default Credentials through google-auth-library for these scopes, loaded on first use only. */
export function adcLoader(scopes: readonly string[]): AdcLoader {
    return async () => {
        const { GoogleAuth } = await import("google-auth-library");
        const auth = new GoogleAuth({ scopes: [...scopes] });
        return auth.getAccessToken();
    };
}

/** ADC with the cloud-platform scope (what the gate's Cloud Run and Logging reads use). */
export const loadAdcAccessToken: AdcLoader = adcLoader([CLOUD_PLATFORM_SCOPE]);

/**
 * ADC, resolved once on the first call and shared by every check after it. onToken gets the
 * token as soon as it is obtained (the run's redactor: it was not among the options' secrets).
 */
export function adcTokenSource(load: AdcLoader = loadAdcAccessToken, onToken?: (token: string) => void): AccessTokenSource {
    let pending: Promise<string> | undefined;
    return {
        origin: "application default credentials",
        token() {
            pending ??= load().then(
                (token) => {
                    if (!token) throw new GcpApiError("credentials", "application default credentials gave no access token");
                    onToken?.(token);
                    return token;
                },
                (err: unknown) => {
                    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
                    throw new GcpApiError(
                        "credentials",
                        `no Google credentials: set ${ACCESS_TOKEN_ENV} (e.g. $(gcloud auth print-access-token)) or configure application default credentials (${why})`,
                    );
                },
            );
            return pending;
        },
    };
}

/** The token source for a run: the explicit token when given, else ADC (onToken: see adcTokenSource). */
export function accessTokenSource(explicitToken: string | undefined, load: AdcLoader = loadAdcAccessToken, onToken?: (token: string) => void): AccessTokenSource {
    const token = explicitToken?.trim();
    return token ? staticTokenSource(token, ACCESS_TOKEN_ENV) : adcTokenSource(load, onToken);
}

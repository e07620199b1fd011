// Which settings of the gcp provider a stack may carry. The provider sends every request of an
// API to its `<api>CustomEndpoint` (or to `universeDomain`) with the caller's OAuth token, and
// acts as whatever `credentials`, `accessToken`, `externalCredentials` or
// `impersonateServiceAccount[Delegates]` say instead of the identity the workflow federated
// (@pulumi/gcp 9.37 config/vars.d.ts; terraform-provider-google-beta v7.45.0
// website/docs/guides/provider_reference.html.markdown: "Custom endpoints", "credentials",
// "access_token", "impersonate_service_account", "universe_domain"). Neither shows in the plan:
// a stack that sets one deploys as reviewed but not where or as whom. Config (services/config.ts)
// and the pack (policies/identity-and-access.ts, on the provider resource) refuse the same keys.

/** The gcp settings a stack file is expected to carry; anything else is judged by providerSettingProblem. */
export const PROVIDER_SETTINGS_ALLOWED = ["project", "region", "zone"] as const;

const IDENTITY_SETTINGS = ["credentials", "accessToken", "externalCredentials", "impersonateServiceAccount", "impersonateServiceAccountDelegates"];

/** Why a gcp provider setting (bare name, e.g. "cloudRunV2CustomEndpoint") may not be set, or undefined. A blank value sets nothing. */
export function providerSettingProblem(name: string, value: unknown): string | undefined {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return undefined;
    if (/CustomEndpoint$/i.test(name) || name === "universeDomain") return "it sends the deployer's token to another endpoint";
    if (IDENTITY_SETTINGS.includes(name)) return "the deploy acts as another identity than the one its workflow grants";
    return undefined;
}

// Formats of the Google Cloud identifiers a stack names: project ids, domains, IAM members.
// Each rule returns why a value is refused, or undefined; config and the pack both call it.
// The checks split and compare instead of backtracking regexes, so any length runs in linear time.

import { isDefaultComputeAccount } from "./legacy";

export const IDENTIFIER_SOURCES = {
    projectId: "https://cloud.google.com/resource-manager/docs/creating-managing-projects (6-30 characters, lowercase letters, digits, hyphens, starts with a letter, no trailing hyphen)",
    domain: "RFC 1035 (labels of 1-63 letters, digits and hyphens; at most 253 characters)",
    serviceAccount: "https://cloud.google.com/iam/docs/service-accounts-create (account id: 6-30 characters, lowercase letters, digits, hyphens)",
    iamMember: "https://cloud.google.com/iam/docs/principal-identifiers",
} as const;

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export function projectIdProblem(id: string): string | undefined {
    return PROJECT_ID.test(id) ? undefined : "a project id is 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen";
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_DOMAIN = 253;

/** Why a custom domain cannot be mapped, or undefined: its form, or a Google-owned run.app host. */
export function domainProblem(domain: string): string | undefined {
    if (domain.length > MAX_DOMAIN) return `a domain name has at most ${MAX_DOMAIN} characters`;
    const labels = domain.split(".");
    if (labels.length < 2) return "a domain name has at least two labels";
    const bad = labels.find((l) => !LABEL.test(l));
    if (bad !== undefined) return bad.length > 63 ? "each domain label has at most 63 characters" : "domain labels are lowercase letters, digits and inner hyphens";
    if (!/^[a-z]{2,}$/.test(labels[labels.length - 1])) return "a domain name ends in a top-level domain of letters";
    if (domain === "run.app" || domain.endsWith(".run.app")) return "a run.app host is Google's own URL of a service, not a domain to map";
    return undefined;
}

const ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const EMAIL_LOCAL = /^[A-Za-z0-9._%+-]{1,64}$/;
const MEMBER_KINDS = ["serviceAccount", "user", "group"] as const;

/** Why an IAM member (`serviceAccount:`, `user:` or `group:` and an email) is refused, or undefined. */
export function iamMemberProblem(member: string): string | undefined {
    const colon = member.indexOf(":");
    const kind = member.slice(0, Math.max(colon, 0));
    if (!(MEMBER_KINDS as readonly string[]).includes(kind)) return `an IAM member is ${MEMBER_KINDS.join(":, ")}: and an email`;
    const email = member.slice(colon + 1);
    const at = email.indexOf("@");
    const local = email.slice(0, Math.max(at, 0));
    const domain = email.slice(at + 1);
    if (at <= 0 || !EMAIL_LOCAL.test(local) || domainProblem(domain.toLowerCase()) !== undefined) return "an IAM member's email is local-part@domain";
    if (kind === "serviceAccount") {
        if (isDefaultComputeAccount(email)) return "the default compute account is shared by every default workload, never a named caller";
        if (domain.endsWith(".iam.gserviceaccount.com") && !ACCOUNT_ID.test(local)) return "a service account id is 6-30 lowercase letters, digits and hyphens, starting with a letter";
    }
    return undefined;
}

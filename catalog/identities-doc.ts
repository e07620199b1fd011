// The identities section of docs/gcp-setup.md, rendered from catalog/identities.ts between its
// markers (`npm run docs`); the rest of that file is written by hand.

import { type AccountName, type GoogleCall, GOOGLE_CALLS, IDENTITIES, type Identity, SERVICE_ACCOUNTS, apiHosts, rolesOf } from "./identities";

export const IDENTITIES_BEGIN = "<!-- identities: generated from catalog/identities.ts by `npm run docs`; edit there -->";
export const IDENTITIES_END = "<!-- identities: end -->";

const TARGET: Record<GoogleCall["on"], string> = {
    project: "gcloud projects add-iam-policy-binding $PROJECT",
    bucket: "gcloud storage buckets add-iam-policy-binding $BUCKET",
    key: "gcloud kms keys add-iam-policy-binding $KEY",
};

export function identitiesSection(): string {
    const rows = (Object.entries(IDENTITIES) as Array<[string, Identity]>).map(([name, id]) => {
        const calls = id.calls.map((c) => {
            const g: GoogleCall = GOOGLE_CALLS[c];
            return `\`${g.host.replace(".googleapis.com", "")} ${g.http.split(" ")[0]}\` ${g.permission}`;
        });
        return `| ${name} | \`${SERVICE_ACCOUNTS[id.account].id}\` (\`vars.${SERVICE_ACCOUNTS[id.account].variable}\`) | ${id.runs} | ${calls.join("<br>")} |`;
    });
    const grants = (Object.keys(SERVICE_ACCOUNTS) as AccountName[]).flatMap((account) => {
        const member = `serviceAccount:${SERVICE_ACCOUNTS[account].id}@$PROJECT.$SA`;
        return [`# ${SERVICE_ACCOUNTS[account].id}`, ...rolesOf(account).map((r) => `${TARGET[r.on]} --member ${member} --role ${r.role}`)];
    });
    return [
        IDENTITIES_BEGIN,
        "## Identities and their roles",
        "",
        "Each workload runs as the identity that makes its Google calls, and each account gets the roles",
        "those calls need, nothing else. The gate and the canary analysis read as the gate's account",
        "(its own credentials file), never as the deployer; the deployer's file reaches the Pulumi CLI alone.",
        "",
        "| identity | account | what runs as it | Google calls (host, method, permission) |",
        "|---|---|---|---|",
        ...rows,
        "",
        "```sh",
        "# The APIs these identities call.",
        `gcloud services enable ${apiHosts().join(" ")} --project $PROJECT`,
        "# The roles, per account (an admin role already holds its viewer's permissions).",
        ...grants,
        "```",
        IDENTITIES_END,
    ].join("\n");
}

/** The file with its identities section replaced (or appended when the markers are missing). */
export function withIdentitiesSection(text: string): string {
    const begin = text.indexOf(IDENTITIES_BEGIN);
    const end = text.indexOf(IDENTITIES_END);
    if (begin < 0 || end < begin) return `${text.replace(/\n*$/, "\n\n")}${identitiesSection()}\n`;
    return `${text.slice(0, begin)}${identitiesSection()}${text.slice(end + IDENTITIES_END.length)}`;
}

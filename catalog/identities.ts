// Who calls which Google API, hence which roles: one table. The workflows' auth steps, the
// set-up's role grants (docs/gcp-setup.md, generated from here) and the API calls the gate and
// canary clients make are each held to it by a test (test/workflows/identities.test.ts).
//
// Sources: the REST paths are those of the APIs' own definitions (googleapis/googleapis:
// google/cloud/run/v2/{service,revision,job,execution}.proto, google/logging/v2/logging.proto
// ListLogEntries `post: "/v2/entries:list"`, google/monitoring/v3/metric_service.proto
// ListTimeSeries `get: "/v3/{name=projects/*}/timeSeries"`, google/iam/credentials/v1
// GenerateIdToken); the permission each needs and the predefined role that grants it are from
// Google's IAM reference (cloud.google.com/iam/docs/understanding-roles), which only a live run
// can confirm for this project (docs/operations.md).

import { GCP } from "./lanes";

/** One Google API call a workload makes: the host, the REST method and path, the permission it needs, the narrowest predefined role with it. */
export interface GoogleCall {
    host: string;
    /** "GET /v2/projects/{project}/locations/{location}/services/{service}": {x} is one path segment. */
    http: string;
    permission: string;
    role: string;
    /** The resource the role is granted on: the project, the state bucket or the KMS key. */
    on: "project" | "bucket" | "key";
}

const RUN = "run.googleapis.com";
const RUN_V2 = "/v2/projects/{project}/locations/{location}";
const call = (host: string, http: string, permission: string, role: string, on: GoogleCall["on"] = "project"): GoogleCall => ({ host, http, permission, role, on });

/** Every call, by a short name. */
export const GOOGLE_CALLS = {
    // What the gate, the canary analysis and the rollout's traffic reads send (io/gcp, canary/monitoring.ts).
    runServiceGet: call(RUN, `GET ${RUN_V2}/services/{service}`, "run.services.get", "roles/run.viewer"),
    runRevisionGet: call(RUN, `GET ${RUN_V2}/services/{service}/revisions/{revision}`, "run.revisions.get", "roles/run.viewer"),
    runJobGet: call(RUN, `GET ${RUN_V2}/jobs/{job}`, "run.jobs.get", "roles/run.viewer"),
    runExecutionsList: call(RUN, `GET ${RUN_V2}/jobs/{job}/executions`, "run.executions.list", "roles/run.viewer"),
    runDomainMappingGet: call(RUN, "GET /apis/domains.cloudrun.com/v1/namespaces/{project}/domainmappings/{domain}", "run.domainmappings.get", "roles/run.viewer"),
    loggingEntriesList: call("logging.googleapis.com", "POST /v2/entries:list", "logging.logEntries.list", "roles/logging.viewer"),
    monitoringTimeSeriesList: call("monitoring.googleapis.com", "GET /v3/projects/{project}/timeSeries", "monitoring.timeSeries.list", "roles/monitoring.viewer"),
    idToken: call("iamcredentials.googleapis.com", "POST /v1/projects/-/serviceAccounts/{account}:generateIdToken", "iam.serviceAccounts.getOpenIdToken", "roles/iam.serviceAccountOpenIdTokenCreator"),
    // What the Pulumi CLI and the Google provider send for a preview (reads) or an up (writes).
    stateRead: call("storage.googleapis.com", "GET /storage/v1/b/{bucket}/o/{object}", "storage.objects.get", "roles/storage.objectViewer", "bucket"),
    stateWrite: call("storage.googleapis.com", "POST /upload/storage/v1/b/{bucket}/o", "storage.objects.create", "roles/storage.objectAdmin", "bucket"),
    kmsDecrypt: call(
        "cloudkms.googleapis.com",
        "POST /v1/projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}:decrypt",
        "cloudkms.cryptoKeyVersions.useToDecrypt",
        "roles/cloudkms.cryptoKeyDecrypter",
        "key",
    ),
    kmsEncrypt: call(
        "cloudkms.googleapis.com",
        "POST /v1/projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}:encrypt",
        "cloudkms.cryptoKeyVersions.useToEncrypt",
        "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "key",
    ),
    runRead: call(RUN, `GET ${RUN_V2}/{collection}/{name}`, "run.services.get", "roles/run.viewer"),
    runWrite: call(RUN, `PATCH ${RUN_V2}/{collection}/{name}`, "run.services.update", "roles/run.admin"),
    accountRead: call("iam.googleapis.com", "GET /v1/projects/{project}/serviceAccounts/{account}", "iam.serviceAccounts.get", "roles/iam.serviceAccountViewer"),
    accountWrite: call("iam.googleapis.com", "POST /v1/projects/{project}/serviceAccounts", "iam.serviceAccounts.create", "roles/iam.serviceAccountAdmin"),
    actAs: call(RUN, `PATCH ${RUN_V2}/services/{service}`, "iam.serviceAccounts.actAs", "roles/iam.serviceAccountUser"),
    secretRead: call("secretmanager.googleapis.com", "GET /v1/projects/{project}/secrets/{secret}:getIamPolicy", "secretmanager.secrets.getIamPolicy", "roles/secretmanager.viewer"),
    secretGrant: call("secretmanager.googleapis.com", "POST /v1/projects/{project}/secrets/{secret}:setIamPolicy", "secretmanager.secrets.setIamPolicy", "roles/secretmanager.admin"),
} as const satisfies Record<string, GoogleCall>;

export type GoogleCallName = keyof typeof GOOGLE_CALLS;

/** A Google service account of the set-up, and the repository variable the workflows name it by. */
export interface ServiceAccount {
    id: string;
    variable: string;
    /** Who may impersonate it: any run of the repository, or only jobs in the staging/production environments. */
    federated: "repository" | "environments";
}

export const SERVICE_ACCOUNTS = {
    preview: { id: "oa-pulumi-preview", variable: "GCP_PREVIEW_SERVICE_ACCOUNT", federated: "repository" },
    deploy: { id: "oa-pulumi-deploy", variable: "GCP_DEPLOY_SERVICE_ACCOUNT", federated: "environments" },
    reader: { id: "oa-release-gate", variable: "GCP_GATE_SERVICE_ACCOUNT", federated: "environments" },
} as const satisfies Record<string, ServiceAccount>;

export type AccountName = keyof typeof SERVICE_ACCOUNTS;

export function accountEmail(account: AccountName): string {
    return `${SERVICE_ACCOUNTS[account].id}@${GCP.project}.iam.gserviceaccount.com`;
}

/** One identity: what runs as it, the account it is, the calls it makes. */
export interface Identity {
    account: AccountName;
    runs: string;
    calls: readonly GoogleCallName[];
}

const PULUMI_READ: readonly GoogleCallName[] = ["stateRead", "kmsDecrypt", "runRead", "runJobGet", "accountRead", "secretRead"];
const PULUMI_WRITE: readonly GoogleCallName[] = [
    "stateRead",
    "stateWrite",
    "kmsDecrypt",
    "kmsEncrypt",
    "runRead",
    "runJobGet",
    "runWrite",
    "accountRead",
    "accountWrite",
    "actAs",
    "secretRead",
    "secretGrant",
];

export const IDENTITIES = {
    preview: { account: "preview", runs: "`pulumi preview` of a pull request (the provider's reads, the migrate job's last execution)", calls: PULUMI_READ },
    deploy: { account: "deploy", runs: "`pulumi up` of a deploy, a staged rollout, every canary rung, the migration rerun", calls: PULUMI_WRITE },
    gate: {
        account: "reader",
        runs: "the post-deploy gate (Cloud Run state, error logs, the runtime's ID token), the certificate wait, the rollout's traffic reads",
        calls: ["runServiceGet", "runRevisionGet", "runJobGet", "runExecutionsList", "runDomainMappingGet", "loggingEntriesList", "idToken"],
    },
    canary: { account: "reader", runs: "the canary analysis of each stage (Cloud Monitoring) and the traffic it judges", calls: ["monitoringTimeSeriesList", "runServiceGet"] },
    drift: { account: "preview", runs: "the daily `pulumi preview --refresh` and the refreshed state's policy check", calls: PULUMI_READ },
    rollback: { account: "deploy", runs: "the rollback's `pulumi up` (its traffic reads and gate run as the gate identity)", calls: PULUMI_WRITE },
} as const satisfies Record<string, Identity>;

export type IdentityName = keyof typeof IDENTITIES;

/** The roles an account needs: every call of every identity that runs as it, by the resource the role is granted on. */
export function rolesOf(account: AccountName): Array<{ role: string; on: GoogleCall["on"] }> {
    const seen = new Map<string, { role: string; on: GoogleCall["on"] }>();
    for (const identity of Object.values(IDENTITIES) as Identity[]) {
        if (identity.account !== account) continue;
        for (const name of identity.calls) {
            const c: GoogleCall = GOOGLE_CALLS[name];
            // The ID token is minted for the account itself through the federated identity: a binding on the account, not a project role.
            if (name === "idToken") continue;
            seen.set(`${c.on} ${c.role}`, { role: c.role, on: c.on });
        }
    }
    // An admin role already holds its viewer's permissions: grant the narrower set only once.
    const roles = [...seen.values()];
    const covered = (r: { role: string; on: string }): boolean =>
        (r.role === "roles/run.viewer" && roles.some((o) => o.role === "roles/run.admin")) ||
        (r.role === "roles/storage.objectViewer" && roles.some((o) => o.role === "roles/storage.objectAdmin")) ||
        (r.role === "roles/cloudkms.cryptoKeyDecrypter" && roles.some((o) => o.role === "roles/cloudkms.cryptoKeyEncrypterDecrypter")) ||
        (r.role === "roles/iam.serviceAccountViewer" && roles.some((o) => o.role === "roles/iam.serviceAccountAdmin")) ||
        (r.role === "roles/secretmanager.viewer" && roles.some((o) => o.role === "roles/secretmanager.admin"));
    return roles.filter((r) => !covered(r)).sort((a, b) => a.on.localeCompare(b.on) || a.role.localeCompare(b.role));
}

/** Every API host the identities call, for the `gcloud services enable` line. */
export function apiHosts(): string[] {
    const calls: GoogleCall[] = Object.values(GOOGLE_CALLS);
    return [...new Set(calls.map((c) => c.host))].sort();
}

/** Which identity's calls a path on a host matches ({x}: one segment; a query string is ignored). */
export function matchCall(identity: IdentityName, method: string, host: string, pathname: string): GoogleCallName | undefined {
    const calls = IDENTITIES[identity].calls as readonly GoogleCallName[];
    return calls.find((name) => {
        const c: GoogleCall = GOOGLE_CALLS[name];
        const [verb, template] = c.http.split(" ");
        if (c.host !== host || verb !== method) return false;
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[a-z]+\}/g, "[^/]+")}$`);
        return pattern.test(pathname.split("?")[0]);
    });
}

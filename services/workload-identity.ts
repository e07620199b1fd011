import * as pulumi from "@pulumi/pulumi";
import { Account } from "@pulumi/gcp/serviceaccount";
import { SecretIamMember } from "@pulumi/gcp/secretmanager";

export interface WorkloadIdentityArgs {
    /** GCP project the account and the secrets live in. */
    project: string;
    /** Service account id (6-30 characters). */
    accountId: string;
    /** Human-readable name shown in the console. */
    displayName: string;
    /** Secret Manager secrets this workload reads; each gets its own secretAccessor grant. */
    secrets: string[];
}

/**
 * A dedicated service account for one workload and read access to exactly the secrets it
 * uses: never the default compute account, never a project-wide role.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
    public readonly account: Account;
    public readonly email: pulumi.Output<string>;
    public readonly member: pulumi.Output<string>;
    public readonly secretGrants: SecretIamMember[];

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openagents:lanes:WorkloadIdentity", name, {}, opts);

        this.account = new Account(name, { project: args.project, accountId: args.accountId, displayName: args.displayName }, { parent: this });
        this.email = this.account.email;
        this.member = pulumi.interpolate`serviceAccount:${this.account.email}`;

        const unique = [...new Set(args.secrets)].sort();
        this.secretGrants = unique.map(
            (secret) => new SecretIamMember(`${name}-reads-${secret}`, { project: args.project, secretId: secret, role: "roles/secretmanager.secretAccessor", member: this.member }, { parent: this }),
        );

        this.registerOutputs({ email: this.email, secrets: unique });
    }
}

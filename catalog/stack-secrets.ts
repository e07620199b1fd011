// How the stacks' secrets are decrypted in CI: a Cloud KMS key (gcpkms://), named in each stack
// file with the data key it wrapped (`encryptedkey`), both written once by
// `pulumi stack init <stack> --secrets-provider gcpkms://...` and committed.
//
// Why it matters (pulumi/pulumi @1b59498): a stack file's `secretsprovider`, `encryptedkey` and
// `encryptionsalt` are its ProjectStack fields (sdk/go/common/workspace/project.go:1228-1237). With
// a cloud provider the CLI unwraps `encryptedkey` with the key (pkg/cmd/pulumi/stack/secrets.go:237-242,
// pkg/secrets/cloud/manager.go:188-238); with no key committed it generates a new data key, which
// needs KMS Encrypt (the preview account may only decrypt) and must be saved back to the file
// (manager.go:210-225). With no provider at all a DIY backend (gs://) uses the passphrase provider
// (pkg/backend/diy/backend.go:1713-1717), and a non-interactive run without
// PULUMI_CONFIG_PASSPHRASE(_FILE) fails before touching the cloud (pkg/secrets/passphrase/manager.go:378-397).
// No workflow carries a passphrase: KMS and the identities' roles decide who decrypts.

import { parseDocument } from "yaml";
import { GCP } from "./lanes";

/** The Cloud KMS key the stacks' data keys are wrapped with (docs/gcp-setup.md creates it). */
export const STACK_SECRETS_KEY = `projects/${GCP.project}/locations/${GCP.region}/keyRings/pulumi/cryptoKeys/stack-secrets`;

/** The `secretsprovider` line every stack file carries. */
export const STACK_SECRETS_PROVIDER = `gcpkms://${STACK_SECRETS_KEY}`;

/** The one-time command that writes a stack's secretsprovider and encryptedkey lines. */
export function stackInitCommand(stack: string): string {
    return `pulumi stack init ${stack} --secrets-provider ${STACK_SECRETS_PROVIDER}`;
}

/** One line naming what a stack file lacks for CI to decrypt it, or undefined when it has all of it. */
export function stackSecretsProblem(file: string, stack: string, text: string): string | undefined {
    let doc: unknown;
    try {
        doc = parseDocument(text, { uniqueKeys: false }).toJS();
    } catch {
        return `${file}: not readable YAML, so its secrets provider cannot be read`;
    }
    const top = (doc && typeof doc === "object" ? doc : {}) as Record<string, unknown>;
    const provider = typeof top.secretsprovider === "string" ? top.secretsprovider.trim() : "";
    const key = typeof top.encryptedkey === "string" ? top.encryptedkey.trim() : "";
    if (top.encryptionsalt !== undefined || provider === "passphrase") {
        return `${file}: uses the passphrase secrets provider (encryptionsalt), which CI has no passphrase for: change it with \`pulumi stack change-secrets-provider --stack ${stack} ${STACK_SECRETS_PROVIDER}\` and commit the file`;
    }
    if (provider === "" || provider === "default") {
        return `${file}: no secretsprovider, so every non-interactive pulumi command on the gs:// backend asks for PULUMI_CONFIG_PASSPHRASE and fails: add \`secretsprovider: ${STACK_SECRETS_PROVIDER}\` and its encryptedkey (\`${stackInitCommand(stack)}\` writes both)`;
    }
    if (provider !== STACK_SECRETS_PROVIDER) {
        return `${file}: secretsprovider is ${provider}, not the stacks' key ${STACK_SECRETS_PROVIDER} (the one the identities may use, docs/gcp-setup.md)`;
    }
    if (key === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
        return `${file}: secretsprovider ${STACK_SECRETS_PROVIDER} has ${key === "" ? "no" : "a malformed"} encryptedkey: run \`${stackInitCommand(stack)}\` once with the deployer's access and commit the encryptedkey line it writes (else each run makes a new data key, which the read-only preview cannot)`;
    }
    return undefined;
}

// The inputs and outputs of each action the workflows use, as its action.yml at the pinned commit
// defines them (read from each repository at that SHA; names, defaults, required, and the line
// that defines each, not the action's code). The workflow tests read the workflows' `with:` keys
// and the defaults they rely on from here. A new pin needs a new row (a test says so).

export interface ActionInput {
    /** Line of action.yml that defines the input. */
    line: number;
    default?: string;
    required?: boolean;
}

export interface ActionSpec {
    /** owner/repo@sha:action.yml, the source of the row. */
    source: string;
    inputs: Record<string, ActionInput>;
    outputs: readonly string[];
}

export const ACTION_INPUTS: Record<string, ActionSpec> = {
    // v7.0.1
    "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": {
        source: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1:action.yml",
        inputs: {
            repository: { line: 4, default: "${{ github.repository }}" },
            ref: { line: 7 },
            token: { line: 12, default: "${{ github.token }}" },
            "ssh-key": { line: 25 },
            "ssh-known-hosts": { line: 37 },
            "ssh-strict": { line: 42, default: "true" },
            "ssh-user": { line: 48, default: "git" },
            "persist-credentials": { line: 52, default: "true" },
            path: { line: 55 },
            clean: { line: 57, default: "true" },
            filter: { line: 60 },
            "sparse-checkout": { line: 65 },
            "sparse-checkout-cone-mode": { line: 70, default: "true" },
            "fetch-depth": { line: 74, default: "1" },
            "fetch-tags": { line: 77, default: "false" },
            "show-progress": { line: 80, default: "true" },
            lfs: { line: 83, default: "false" },
            submodules: { line: 86, default: "false" },
            "set-safe-directory": { line: 95, default: "true" },
            "github-server-url": { line: 98 },
            "allow-unsafe-pr-checkout": { line: 101, default: "false" },
        },
        outputs: ["ref", "commit"],
    },
    // v7.0.0
    "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020": {
        source: "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020:action.yml",
        inputs: {
            "node-version": { line: 5 },
            "node-version-file": { line: 7 },
            architecture: { line: 9 },
            "check-latest": { line: 11, default: "false" },
            "registry-url": { line: 14 },
            scope: { line: 16 },
            token: { line: 18, default: "${{ github.server_url == 'https://github.com' && github.token || '' }}" },
            cache: { line: 21 },
            "package-manager-cache": { line: 23, default: "true" },
            "cache-dependency-path": { line: 26 },
            mirror: { line: 28 },
            "mirror-token": { line: 30 },
        },
        outputs: ["cache-hit", "cache-primary-key", "cache-matched-key", "node-version"],
    },
    // v3.0.0
    "google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093": {
        source: "google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093:action.yml",
        inputs: {
            project_id: { line: 22 },
            workload_identity_provider: { line: 28 },
            service_account: { line: 36 },
            audience: { line: 42, default: "" },
            credentials_json: { line: 50 },
            create_credentials_file: { line: 55, default: "true" },
            export_environment_variables: { line: 61, default: "true" },
            token_format: { line: 84, default: "" },
            delegates: { line: 91, default: "" },
            universe: { line: 97, default: "googleapis.com" },
            request_reason: { line: 105 },
            cleanup_credentials: { line: 111, default: "true" },
            access_token_lifetime: { line: 120, default: "3600s" },
            access_token_scopes: { line: 127, default: "https://www.googleapis.com/auth/cloud-platform" },
            access_token_subject: { line: 133, default: "" },
            id_token_audience: { line: 142, default: "" },
            id_token_include_email: { line: 148, default: "false" },
        },
        outputs: ["project_id", "credentials_file_path", "auth_token", "access_token", "id_token"],
    },
    // v3.0.1
    "google-github-actions/setup-gcloud@aa5489c8933f4cc7a4f7d45035b3b1440c9c10db": {
        source: "google-github-actions/setup-gcloud@aa5489c8933f4cc7a4f7d45035b3b1440c9c10db:action.yml",
        inputs: {
            version: { line: 22, default: "latest" },
            project_id: { line: 51 },
            install_components: { line: 60 },
            skip_install: { line: 69, default: "false" },
            cache: { line: 80, default: "false" },
        },
        outputs: ["version"],
    },
    // v7.0.0
    "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": {
        source: "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d:action.yml",
        inputs: {
            command: { line: 8 },
            "stack-name": { line: 11 },
            "pulumi-version": { line: 14 },
            "pulumi-version-file": { line: 17 },
            "work-dir": { line: 20, default: "./" },
            "comment-on-pr": { line: 24, default: "false" },
            "comment-on-pr-number": { line: 28 },
            "comment-on-summary": { line: 31, default: "false" },
            "github-token": { line: 35, default: "${{ github.token }}" },
            "cloud-url": { line: 39 },
            "secrets-provider": { line: 42 },
            parallel: { line: 45 },
            message: { line: 48 },
            "config-map": { line: 51 },
            "expect-no-changes": { line: 54, default: "false" },
            diff: { line: 58, default: "false" },
            replace: { line: 62 },
            exclude: { line: 65 },
            "exclude-dependents": { line: 68, default: "false" },
            target: { line: 72 },
            "target-dependents": { line: 75, default: "false" },
            policyPacks: { line: 79 },
            policyPackConfigs: { line: 82 },
            refresh: { line: 85, default: "false" },
            upsert: { line: 89, default: "false" },
            remove: { line: 93, default: "false" },
            "edit-pr-comment": { line: 97, default: "true" },
            color: { line: 101, default: "auto" },
            "exclude-protected": { line: 105, default: "false" },
            plan: { line: 109 },
            "suppress-outputs": { line: 112, default: "false" },
            "suppress-progress": { line: 116, default: "false" },
            "always-include-summary": { line: 120, default: "false" },
            "continue-on-error": { line: 124, default: "false" },
            "log-verbosity": { line: 128 },
            "log-flow": { line: 131, default: "false" },
            debug: { line: 135, default: "false" },
        },
        outputs: ["output"],
    },
    // v7.0.0
    "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": {
        source: "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f:action.yml",
        inputs: {
            name: { line: 5, default: "artifact" },
            path: { line: 8, required: true },
            "if-no-files-found": { line: 11, default: "warn" },
            "retention-days": { line: 20 },
            "compression-level": { line: 26, default: "6" },
            overwrite: { line: 37, default: "false" },
            "include-hidden-files": { line: 43, default: "false" },
            archive: { line: 48, default: "true" },
        },
        outputs: ["artifact-id", "artifact-url", "artifact-digest"],
    },
};

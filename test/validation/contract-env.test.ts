// The contract tests run another repository's code: whatever credentials the gate's process
// carries (a deployer's credentials file, GitHub Actions' OIDC request token, a push token) never
// reach it, only what cargo needs.
import { strict as assert } from "node:assert";
import { AMBIENT_CREDENTIAL_VARS, withoutSecrets } from "../../validation/checks/contract-tests";
import { SECRET_ENV_VARS } from "../../validation/options";

describe("contract tests: the child's environment", () => {
    it("drops the gate's secrets and every ambient credential, keeps what a build needs", () => {
        const env: NodeJS.ProcessEnv = { PATH: "/usr/bin", HOME: "/home/runner", CARGO_HOME: "/c", RUSTFLAGS: "-D warnings", CI: "true" };
        for (const name of [...SECRET_ENV_VARS, ...AMBIENT_CREDENTIAL_VARS]) env[name] = `value-of-${name}`;
        env.REMOTE = "https://x-access-token:ghs_abc@github.com/o/r.git";
        const child = withoutSecrets(env);
        assert.deepEqual(child, { PATH: "/usr/bin", HOME: "/home/runner", CARGO_HOME: "/c", RUSTFLAGS: "-D warnings", CI: "true" });
        for (const name of ["GOOGLE_APPLICATION_CREDENTIALS", "DEPLOY_GOOGLE_APPLICATION_CREDENTIALS", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "GITHUB_TOKEN", "REMOTE"]) {
            assert.ok(AMBIENT_CREDENTIAL_VARS.includes(name as (typeof AMBIENT_CREDENTIAL_VARS)[number]), name);
        }
    });
});

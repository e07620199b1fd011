import * as assert from "node:assert/strict";
import { identityAndAccess } from "../../policies/identity-and-access";
import { controlService, iamMember, migrateJob, mutate, runtimeService, serviceAccount } from "./fixtures";
import { UNKNOWN, messages, runOn } from "./harness";

describe("policy identity-and-access", () => {
    it("passes dedicated accounts, a public control service and a private runtime", async () => {
        for (const r of [
            controlService(),
            runtimeService(),
            migrateJob(),
            iamMember("openagents-control-service", "allUsers"),
            iamMember("runtime", "serviceAccount:oa-control-prod@openagentsgemini.iam.gserviceaccount.com"),
        ]) {
            assert.deepEqual(messages(await runOn(identityAndAccess, r)), [], r.name);
        }
    });

    it("rejects the default compute account and a missing account, with the exact messages", async () => {
        const onDefault = mutate(migrateJob(), (p) => (p.template.template.serviceAccount = "157437760789-compute@developer.gserviceaccount.com"));
        assert.deepEqual(messages(await runOn(identityAndAccess, onDefault)), ["job 'runtime-migrate' runs as the default compute account '157437760789-compute@developer.gserviceaccount.com'"]);
        const none = mutate(controlService(), (p) => delete p.template.serviceAccount);
        assert.deepEqual(messages(await runOn(identityAndAccess, none)), ["service 'openagents-control-service' sets no service account, so it runs as the default compute account"]);
    });

    it("rejects a public runtime, its invoker check disabled, and primitive roles", async () => {
        assert.deepEqual(messages(await runOn(identityAndAccess, iamMember("projects/openagentsgemini/locations/us-central1/services/runtime-staging", "allAuthenticatedUsers"))), [
            "runtime service 'runtime-staging' is opened by grant 'projects/openagentsgemini/locations/us-central1/services/runtime-staging-invoker-allAuthenticatedUsers': roles/run.invoker for 'allAuthenticatedUsers' (anyone with a Google account) lets them call the runtime's unauthenticated internal API",
        ]);
        const disabled = mutate(runtimeService(), (p) => (p.invokerIamDisabled = true));
        assert.deepEqual(messages(await runOn(identityAndAccess, disabled)), ["runtime service 'runtime' has its invoker IAM check disabled: anyone could call its internal API"]);
        const editor = {
            type: "gcp:projects/iAMMember:IAMMember",
            name: "ci-editor",
            props: { project: "openagentsgemini", role: "roles/editor", member: "serviceAccount:ci@x.iam.gserviceaccount.com" },
        };
        assert.deepEqual(messages(await runOn(identityAndAccess, editor)), ["IAM grant 'ci-editor' gives the primitive role 'roles/editor' to serviceAccount:ci@x.iam.gserviceaccount.com"]);
        const policy = {
            type: "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
            name: "rt-policy",
            props: { name: "runtime", policyData: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] }) },
        };
        assert.deepEqual(messages(await runOn(identityAndAccess, policy)), [
            "runtime service 'runtime' is opened by grant 'rt-policy': roles/run.invoker for 'allUsers' (anyone on the internet) lets them call the runtime's unauthenticated internal API",
        ]);
    });

    it("rejects policyData it cannot parse: grants it cannot read are not grants it can pass", async () => {
        const broken = { type: "gcp:projects/iAMPolicy:IAMPolicy", name: "project-policy", props: { project: "openagentsgemini", policyData: "{bindings: [" } };
        assert.deepEqual(messages(await runOn(identityAndAccess, broken)), [
            "IAM grant 'project-policy' has policyData that is not a JSON IAM policy (an object with a list of bindings), so its grants cannot be checked",
        ]);
        for (const policyData of ["null", '"text"', '{"bindings": {"role": "roles/owner"}}', "[]"]) {
            const odd = { ...broken, props: { ...broken.props, policyData } };
            assert.deepEqual(
                messages(await runOn(identityAndAccess, odd)),
                ["IAM grant 'project-policy' has policyData that is not a JSON IAM policy (an object with a list of bindings), so its grants cannot be checked"],
                policyData,
            );
        }
        const withNull = { ...broken, props: { ...broken.props, policyData: JSON.stringify({ bindings: [null, { role: "roles/owner", members: [null, "user:a@b.com"] }] }) } };
        assert.deepEqual(messages(await runOn(identityAndAccess, withNull)), ["IAM grant 'project-policy' gives the primitive role 'roles/owner' to user:a@b.com"]);
    });

    it("rejects a gcp provider that sends the deploy's requests elsewhere or acts as another identity, and passes the plain one", async () => {
        const provider = (props: Record<string, unknown>) => ({
            type: "pulumi:providers:gcp",
            name: "default_9_37_0",
            props: { project: "openagentsgemini", region: "us-central1", version: "9.37.0", ...props },
        });
        assert.deepEqual(messages(await runOn(identityAndAccess, provider({ zone: "us-central1-a" }))), []);
        assert.deepEqual(messages(await runOn(identityAndAccess, provider({ cloudRunV2CustomEndpoint: "https://run.example.net/v2/" }))), [
            "gcp provider 'default_9_37_0' sets cloudRunV2CustomEndpoint: it sends the deployer's token to another endpoint",
        ]);
        assert.deepEqual(messages(await runOn(identityAndAccess, provider({ impersonateServiceAccount: "oa-admin@openagentsgemini.iam.gserviceaccount.com", accessToken: UNKNOWN }))), [
            "gcp provider 'default_9_37_0' sets impersonateServiceAccount: the deploy acts as another identity than the one its workflow grants",
            "gcp provider 'default_9_37_0' sets accessToken: the deploy acts as another identity than the one its workflow grants",
        ]);
        assert.deepEqual(messages(await runOn(identityAndAccess, provider({ cloudRunV2CustomEndpoint: "" }))), []);
    });

    it("rejects a custom role for everyone on the runtime, its job or the project: the pack cannot read what it carries", async () => {
        for (const role of ["projects/openagentsgemini/roles/callRuntime", "organizations/123456789/roles/invokeAll"]) {
            const onRuntime = { type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", name: "x", props: { name: "runtime", location: "us-central1", role, member: "allUsers" } };
            assert.deepEqual(messages(await runOn(identityAndAccess, onRuntime)), [
                `runtime service 'runtime' is opened by grant 'x': ${role} for 'allUsers' (anyone on the internet) may carry run.routes.invoke (a custom role: its permissions are not in the plan) and lets them call the runtime's unauthenticated internal API`,
            ]);
            const onJob = { type: "gcp:cloudrunv2/jobIamMember:JobIamMember", name: "j", props: { name: "runtime-migrate", location: "us-central1", role, member: "allAuthenticatedUsers" } };
            assert.equal(messages(await runOn(identityAndAccess, onJob)).length, 1, role);
            const onProject = { type: "gcp:projects/iAMMember:IAMMember", name: "p", props: { project: "openagentsgemini", role, member: "domain:example.com" } };
            assert.equal(messages(await runOn(identityAndAccess, onProject)).length, 1, role);
            // A named caller with a custom role stays the reviewer's call, as with roles/run.invoker.
            const named = { ...onRuntime, props: { ...onRuntime.props, member: "serviceAccount:oa-control-prod@openagentsgemini.iam.gserviceaccount.com" } };
            assert.deepEqual(messages(await runOn(identityAndAccess, named)), []);
        }
        // A predefined role without run.routes.invoke is not an opening.
        const viewer = { type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", name: "v", props: { name: "runtime", location: "us-central1", role: "roles/run.viewer", member: "allUsers" } };
        assert.deepEqual(messages(await runOn(identityAndAccess, viewer)), []);
    });

    it("rejects a grant on a secret or a service account to everyone, whichever resource type spells it; named grants pass", async () => {
        const cases: [Record<string, unknown>, string][] = [
            [
                { type: "gcp:secretmanager/secretIamMember:SecretIamMember", name: "s", props: { secretId: "runtime-database-url", role: "roles/secretmanager.secretAccessor", member: "allUsers" } },
                "secret 'runtime-database-url' is opened by grant 's': roles/secretmanager.secretAccessor for 'allUsers' (anyone on the internet): a secret is read by the named account that needs it, no one at large",
            ],
            [
                {
                    type: "gcp:secretmanager/secretIamPolicy:SecretIamPolicy",
                    name: "sp",
                    props: {
                        secretId: "projects/openagentsgemini/secrets/openagents-runtime-signing-key",
                        policyData: JSON.stringify({ bindings: [{ role: "roles/secretmanager.secretAccessor", members: ["allAuthenticatedUsers"] }] }),
                    },
                },
                "secret 'openagents-runtime-signing-key' is opened by grant 'sp': roles/secretmanager.secretAccessor for 'allAuthenticatedUsers' (anyone with a Google account): a secret is read by the named account that needs it, no one at large",
            ],
            [
                {
                    type: "gcp:serviceaccount/iAMMember:IAMMember",
                    name: "sa",
                    props: {
                        serviceAccountId: "projects/openagentsgemini/serviceAccounts/oa-control-prod@openagentsgemini.iam.gserviceaccount.com",
                        role: "roles/iam.serviceAccountTokenCreator",
                        member: "domain:example.com",
                    },
                },
                "service account 'oa-control-prod@openagentsgemini.iam.gserviceaccount.com' is opened by grant 'sa': roles/iam.serviceAccountTokenCreator for 'domain:example.com' (everyone in a domain): they could act as the workload",
            ],
        ];
        for (const [resource, message] of cases) assert.deepEqual(messages(await runOn(identityAndAccess, resource as never)), [message]);
        const named = {
            type: "gcp:secretmanager/secretIamBinding:SecretIamBinding",
            name: "n",
            props: { secretId: "runtime-database-url", role: "roles/secretmanager.secretAccessor", members: ["serviceAccount:oa-runtime-prod@openagentsgemini.iam.gserviceaccount.com"] },
        };
        assert.deepEqual(messages(await runOn(identityAndAccess, named)), []);
    });

    it("is not applicable to a service account resource", async () => {
        assert.deepEqual(
            (await runOn(identityAndAccess, serviceAccount())).notApplicable.map((n) => n.reason),
            ["neither a Cloud Run workload nor an IAM grant"],
        );
    });

    it("treats an account unknown during preview as one this deployment creates, but cannot judge an unknown role", async () => {
        const created = mutate(controlService(), (p) => (p.template.serviceAccount = UNKNOWN));
        assert.deepEqual((await runOn(identityAndAccess, created)).verdicts, []);
        const unknownRole = mutate(iamMember("runtime", "allUsers"), (p) => (p.role = UNKNOWN));
        assert.deepEqual(
            (await runOn(identityAndAccess, unknownRole)).verdicts.map((v) => [v.level, v.message]),
            [["advisory", "can't run policy 'identity-and-access' from policy pack 'openagents-rust-lanes@v0.0.0' during preview: string value at .role can't be known during preview"]],
        );
    });
});

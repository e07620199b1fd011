// The real stack files run through the real program under Pulumi's mock runtime: what a
// reviewer checks before approving a `pulumi up`.
import { strict as assert } from "node:assert";
import { CONTROL, GCP, RUNTIME, RUNTIME_MIGRATE, isDefaultComputeAccount } from "../../catalog";
import { findResource, recordStack, resourcesOfType, RecordedResource, StackPlan } from "../../review/plan";

const SERVICE = "gcp:cloudrunv2/service:Service";
const JOB = "gcp:cloudrunv2/job:Job";
const ACCOUNT = "gcp:serviceaccount/account:Account";
const SECRET_IAM = "gcp:secretmanager/secretIamMember:SecretIamMember";
const RUN_IAM = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";

type Obj = Record<string, any>;
const container = (r: RecordedResource): Obj => (r.inputs as Obj).template.containers[0];
const jobContainer = (r: RecordedResource): Obj => (r.inputs as Obj).template.template.containers[0];
const envMap = (c: Obj): Record<string, string> => Object.fromEntries(c.envs.filter((e: Obj) => e.value !== undefined).map((e: Obj) => [e.name, e.value]));
const secretMap = (c: Obj): Record<string, string> =>
    Object.fromEntries(c.envs.filter((e: Obj) => e.valueSource).map((e: Obj) => [e.name, `${e.valueSource.secretKeyRef.secret}:${e.valueSource.secretKeyRef.version}`]));

const plans: Record<string, StackPlan> = {};
before(async () => {
    plans.staging = await recordStack("staging");
    plans.prod = await recordStack("prod");
});

for (const env of ["staging", "prod"] as const) {
    describe(`stack ${env} (Pulumi.${env}.yaml)`, () => {
        const plan = () => plans[env];
        const control = () => findResource(plan(), SERVICE, "control");
        const runtime = () => findResource(plan(), SERVICE, "runtime");
        const job = () => findResource(plan(), JOB, "runtime-migrate");

        it("declares exactly the canonical control service, runtime service and migrate job", () => {
            assert.deepEqual(
                resourcesOfType(plan(), SERVICE)
                    .map((r) => r.inputs.name)
                    .sort(),
                [CONTROL.names[env], RUNTIME.names[env]].sort(),
            );
            assert.deepEqual(
                resourcesOfType(plan(), JOB).map((r) => r.inputs.name),
                [RUNTIME_MIGRATE.names[env]],
            );
            for (const r of [...resourcesOfType(plan(), SERVICE), ...resourcesOfType(plan(), JOB)]) {
                assert.equal(r.inputs.project, GCP.project);
                assert.equal(r.inputs.location, GCP.region);
            }
        });

        it("runs the control image from its repository, bound to 0.0.0.0:8080 with the static dir", () => {
            const c = container(control());
            assert.equal(c.image, `${CONTROL.imageRepository}:3f9c2ab`);
            assert.deepEqual(c.ports, { name: "http1", containerPort: 8080 });
            const env_ = envMap(c);
            assert.equal(env_.OA_CONTROL_BIND_ADDR, "0.0.0.0:8080");
            assert.equal(env_.OA_CONTROL_STATIC_DIR, "/app/web-shell/dist");
            assert.equal(env_.OA_AUTH_PROVIDER_MODE, "workos");
        });

        it("binds the runtime to its container port (it ignores $PORT) and names its build", () => {
            const c = container(runtime());
            assert.equal(c.image, `${RUNTIME.imageRepository}:3f9c2ab`);
            assert.deepEqual(c.ports, { containerPort: RUNTIME.containerPort });
            const e = envMap(c);
            assert.equal(e.RUNTIME_BIND_ADDR, `0.0.0.0:${RUNTIME.containerPort}`);
            assert.equal(e.RUNTIME_SERVICE_NAME, RUNTIME.names[env]);
            assert.equal(e.RUNTIME_BUILD_SHA, "3f9c2ab");
        });

        it("probes startup on /readyz and liveness on /healthz at the container port", () => {
            for (const svc of [control(), runtime()]) {
                const c = container(svc);
                assert.equal(c.startupProbe.httpGet.path, "/readyz");
                assert.equal(c.livenessProbe.httpGet.path, "/healthz");
                assert.equal(c.startupProbe.httpGet.port, c.ports.containerPort);
                assert.equal(c.livenessProbe.httpGet.port, c.ports.containerPort);
            }
        });

        it("runs the migrate job on the runtime's exact image with runtime-migrate and no args", () => {
            const c = jobContainer(job());
            assert.equal(c.image, container(runtime()).image);
            assert.deepEqual(c.commands, ["runtime-migrate"]);
            assert.deepEqual(c.args, []);
            assert.deepEqual(secretMap(c), { DB_URL: `${plan().config["openagents-rust-lanes:runtimeDatabaseUrlSecret"]}:latest` });
            const t = (job().inputs as Obj).template.template;
            assert.equal(t.maxRetries, 1);
            assert.equal(t.timeout, "600s");
        });

        it("migrates before the runtime rolls: an execution token from the image, and the service depends on the job", () => {
            const token = String(job().inputs.runExecutionToken);
            assert.match(token, /^3f9c2ab-[0-9a-f]{8}$/);
            assert.ok(String(job().inputs.name).length + token.length < 63, "Cloud Run limit on job name + token");
            assert.ok(runtime().dependencies.includes(job().urn), "runtime service must depend on the migrate job");
        });

        it("gives every workload its own service account, never the default compute account", () => {
            const accounts = resourcesOfType(plan(), ACCOUNT)
                .map((r) => r.inputs.accountId)
                .sort();
            assert.deepEqual(accounts, [`oa-control-${env}`, `oa-runtime-${env}`, `oa-runtime-migrate-${env}`].sort());
            const used = [control(), runtime()].map((r) => (r.inputs as Obj).template.serviceAccount).concat((job().inputs as Obj).template.template.serviceAccount);
            assert.deepEqual(
                used,
                [`oa-control-${env}`, `oa-runtime-${env}`, `oa-runtime-migrate-${env}`].map((a) => `${a}@${GCP.project}.iam.gserviceaccount.com`),
            );
            for (const email of used) assert.ok(!isDefaultComputeAccount(email));
        });

        it("references secrets by name and grants secretAccessor per secret to the account that reads it", () => {
            const grants = resourcesOfType(plan(), SECRET_IAM)
                .map((r) => `${String(r.inputs.secretId)} -> ${String(r.inputs.member)}`)
                .sort();
            const sa = (a: string) => `serviceAccount:oa-${a}-${env}@${GCP.project}.iam.gserviceaccount.com`;
            const db = plan().config["openagents-rust-lanes:runtimeDatabaseUrlSecret"];
            const suffix = env === "prod" ? "" : "-staging";
            assert.deepEqual(
                grants,
                [
                    `openagents-control-maintenance-bypass-token -> ${sa("control")}`,
                    `openagents-control-workos-api-key${suffix} -> ${sa("control")}`,
                    `openagents-control-workos-client-id${suffix} -> ${sa("control")}`,
                    `openagents-runtime-signing-key -> ${sa("control")}`,
                    `${db} -> ${sa("runtime")}`,
                    `${db} -> ${sa("runtime-migrate")}`,
                ].sort(),
            );
            for (const g of resourcesOfType(plan(), SECRET_IAM)) assert.equal(g.inputs.role, "roles/secretmanager.secretAccessor");
            assert.deepEqual(secretMap(container(control())), {
                OA_SYNC_TOKEN_SIGNING_KEY: "openagents-runtime-signing-key:latest",
                OA_MAINTENANCE_BYPASS_TOKEN: "openagents-control-maintenance-bypass-token:latest",
                WORKOS_CLIENT_ID: `openagents-control-workos-client-id${suffix}:latest`,
                WORKOS_API_KEY: `openagents-control-workos-api-key${suffix}:latest`,
            });
            // A revision must not start before its account may read the secrets.
            const controlGrants = resourcesOfType(plan(), SECRET_IAM).filter((g) => g.name.startsWith("control-identity"));
            for (const g of controlGrants) assert.ok(control().dependencies.includes(g.urn));
        });

        it("keeps the runtime private: only the control account and the gate identity may invoke it", () => {
            const onRuntime = resourcesOfType(plan(), RUN_IAM).filter((r) => r.inputs.name === RUNTIME.names[env]);
            assert.deepEqual(onRuntime.map((r) => r.inputs.member).sort(), [
                `serviceAccount:oa-control-${env}@${GCP.project}.iam.gserviceaccount.com`,
                "serviceAccount:oa-release-gate@openagentsgemini.iam.gserviceaccount.com",
            ]);
            for (const r of onRuntime) assert.equal(r.inputs.role, "roles/run.invoker");
            assert.notEqual(runtime().inputs.invokerIamDisabled, true);
            const onControl = resourcesOfType(plan(), RUN_IAM).filter((r) => r.inputs.name === CONTROL.names[env]);
            assert.deepEqual(
                onControl.map((r) => [r.inputs.role, r.inputs.member]),
                [["roles/run.invoker", "allUsers"]],
            );
        });

        it("grants no primitive role anywhere", () => {
            for (const r of plan().resources) assert.ok(!["roles/owner", "roles/editor", "roles/viewer"].includes(String(r.inputs.role)), r.name);
        });

        it("writes every scaling and sizing setting of both services and the job explicitly, from the stack file", () => {
            const cfg = (k: string) => plan().config[`openagents-rust-lanes:${k}`];
            for (const [lane, svc] of [
                ["control", control()],
                ["runtime", runtime()],
            ] as const) {
                const t = (svc.inputs as Obj).template;
                const c = container(svc);
                assert.deepEqual(t.scaling, { minInstanceCount: Number(cfg(`${lane}MinInstances`)), maxInstanceCount: Number(cfg(`${lane}MaxInstances`)) }, lane);
                assert.equal(t.maxInstanceRequestConcurrency, Number(cfg(`${lane}Concurrency`)), lane);
                assert.equal(t.timeout, `${cfg(`${lane}TimeoutSeconds`)}s`, lane);
                assert.deepEqual(
                    c.resources,
                    { limits: { cpu: cfg(`${lane}Cpu`), memory: cfg(`${lane}Memory`) }, startupCpuBoost: cfg(`${lane}StartupCpuBoost`) === "true", cpuIdle: lane === "control" },
                    lane,
                );
                assert.equal(svc.inputs.ingress, cfg(`${lane}Ingress`), lane);
            }
            const jt = (job().inputs as Obj).template;
            assert.deepEqual(jobContainer(job()).resources, { limits: { cpu: cfg("migrateCpu"), memory: cfg("migrateMemory") } });
            assert.deepEqual([jt.taskCount, jt.parallelism], [1, 1]);
            assert.equal(jt.template.maxRetries, Number(cfg("migrateMaxRetries")));
            assert.equal(jt.template.timeout, `${cfg("migrateTimeoutSeconds")}s`);
        });

        it("labels every Cloud Run resource with environment, lane and managed-by", () => {
            assert.deepEqual(control().inputs.labels, { environment: env, lane: "control", "managed-by": "pulumi" });
            assert.deepEqual(runtime().inputs.labels, { environment: env, lane: "runtime", "managed-by": "pulumi" });
            assert.deepEqual(job().inputs.labels, { environment: env, lane: "runtime-migrate", "managed-by": "pulumi" });
        });

        it("sends all control traffic to this deploy's deterministic revision when no stable revision is set", () => {
            const rev = String((control().inputs as Obj).template.revision);
            assert.match(rev, new RegExp(`^${CONTROL.names[env]}-3f9c2ab-[0-9a-f]{6}$`));
            assert.ok(rev.length <= 63);
            assert.deepEqual(control().inputs.traffics, [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: rev, percent: 100, tag: "current" }]);
        });

        it("exports what the post-deploy gate reads", () => {
            const o = plan().outputs;
            assert.equal(o.environment, env);
            assert.equal(o.project, GCP.project);
            assert.equal(o.region, GCP.region);
            assert.equal(o.controlServiceName, CONTROL.names[env]);
            assert.equal(o.controlServiceUrl, `https://${CONTROL.names[env]}-ezxz4mgdsq-uc.a.run.app`);
            assert.equal(o.controlBaseUrl, env === "prod" ? "https://openagents.com" : "https://staging.openagents.com");
            assert.equal(o.runtimeServiceName, RUNTIME.names[env]);
            assert.equal(o.runtimeServiceUrl, `https://${RUNTIME.names[env]}-ezxz4mgdsq-uc.a.run.app`);
            assert.equal(o.migrateJobName, RUNTIME_MIGRATE.names[env]);
            assert.equal(o.controlImage, container(control()).image);
            assert.equal(o.runtimeImage, container(runtime()).image);
            assert.equal(o.migrateJobImage, o.runtimeImage);
            assert.equal(o.controlRevision, (control().inputs as Obj).template.revision);
            assert.equal(o.controlCanaryPercent, 100);
        });
    });
}

describe("environment differences", () => {
    it("turns deletion protection on in prod only", () => {
        for (const r of [...resourcesOfType(plans.prod, SERVICE), ...resourcesOfType(plans.prod, JOB)]) assert.equal(r.inputs.deletionProtection, true);
        for (const r of [...resourcesOfType(plans.staging, SERVICE), ...resourcesOfType(plans.staging, JOB)]) assert.equal(r.inputs.deletionProtection, false);
    });

    it("keeps a warm control instance in prod", () => {
        const t = (findResource(plans.prod, SERVICE, "control").inputs as Obj).template;
        assert.ok(t.scaling.minInstanceCount >= 1);
    });

    it("maps each environment's own domain to its own control service", () => {
        const s = findResource(plans.staging, "gcp:cloudrun/domainMapping:DomainMapping", "control-domain").inputs as Obj;
        assert.equal(s.name, "staging.openagents.com");
        assert.equal(s.spec.routeName, CONTROL.names.staging);
        assert.equal(s.metadata.namespace, GCP.project);
    });
});

describe("component tree", () => {
    it("parents every resource under the environment component with stable type tokens", () => {
        const plan = plans.staging;
        const components = plan.resources
            .filter((r) => !r.custom)
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepEqual(components, [
            "openagents:lanes:ControlService control",
            "openagents:lanes:Environment openagents-staging",
            "openagents:lanes:RuntimeLane runtime",
            "openagents:lanes:WorkloadIdentity control-identity",
            "openagents:lanes:WorkloadIdentity runtime-identity",
            "openagents:lanes:WorkloadIdentity runtime-migrate-identity",
        ]);
        const roots = plan.resources.filter((r) => !r.parent);
        assert.deepEqual(
            roots.map((r) => r.name),
            ["openagents-staging"],
        );
    });
});

// The corpus of deploy-invalid values: for each rule the catalog shares between config
// validation and the policy pack, its source, a refused config value and resource, and a
// valid neighbour of each. Read by the shared-rules spec and the fuzz suite.
import { ACCESS_SOURCES, CONTROL, GCP, RUNS_SOURCES, SECRET_NAME_SOURCE, SERVICE_NEEDS_SOURCES, SERVING_SOURCES, SOURCES, IDENTIFIER_SOURCES } from "../../catalog";
import type { EngineResource } from "../../policies/offline/engine";
import { controlService, domainMapping, iamMember, migrateJob, mutate, runtimeService, Json } from "../policies/fixtures";

export type Stack = "staging" | "prod";

const env = (resource: EngineResource, ...vars: Json[]) => mutate(resource, (p) => p.template.containers[0].envs.push(...vars));
const setEnv = (resource: EngineResource, name: string, value: string) =>
    mutate(resource, (p) => {
        const envs = p.template.containers[0].envs as Json[];
        const found = envs.find((e) => e.name === name);
        if (found) found.value = value;
        else envs.push({ name, value });
    });
const dropEnv = (resource: EngineResource, name: string) => mutate(resource, (p) => (p.template.containers[0].envs = (p.template.containers[0].envs as Json[]).filter((e) => e.name !== name)));
const limits = (resource: EngineResource, cpu: string, memory: string, job = false) =>
    mutate(resource, (p) => ((job ? p.template.template : p.template).containers[0].resources = { limits: { cpu, memory } }));

export interface SharedRule {
    rule: string;
    source: string;
    stack: Stack;
    refused: { config: Record<string, string>; configMessage: RegExp; policy: string; resource: () => EngineResource; packMessage: RegExp };
    valid: { config: Record<string, string>; resource: () => EngineResource };
}

const ACCOUNT = (id: string) => `serviceAccount:${id}@${GCP.project}.iam.gserviceaccount.com`;
const LONG_LABEL = `${"a".repeat(64)}.openagents.com`;

export const RULES: SharedRule[] = [
    {
        rule: "4 vCPU need at least 2Gi",
        source: SOURCES.cpu,
        stack: "staging",
        refused: {
            config: { runtimeCpu: "4", runtimeMemory: "1Gi" },
            configMessage: /runtimeCpu: expected a CPU limit that fits .*4 vCPU takes 2Gi to 16Gi of memory, not 1Gi/,
            policy: "cloud-run-limits",
            resource: () => limits(runtimeService(), "4", "1Gi"),
            packMessage: /4 vCPU takes 2Gi to 16Gi of memory, not 1Gi/,
        },
        valid: { config: { runtimeCpu: "4", runtimeMemory: "2Gi" }, resource: () => limits(runtimeService(), "4", "2Gi") },
    },
    {
        rule: "whole vCPUs on the v2 API",
        source: SOURCES.wholeCpu,
        stack: "staging",
        refused: {
            config: { migrateCpu: "500m" },
            configMessage: /migrateCpu: expected a whole vCPU limit of the v2 API/,
            policy: "cloud-run-limits",
            resource: () => limits(migrateJob(), "500m", "512Mi", true),
            packMessage: /CPU limit "500m" is not one Cloud Run offers on the v2 API \(whole vCPUs/,
        },
        valid: { config: { migrateCpu: "1000m" }, resource: () => limits(migrateJob(), "1000m", "512Mi", true) },
    },
    {
        rule: "a job takes at least 512Mi",
        source: SOURCES.jobMemory,
        stack: "staging",
        refused: {
            config: { migrateMemory: "256Mi" },
            configMessage: /migrateMemory: expected a job's memory \(a job takes at least 512Mi/,
            policy: "cloud-run-limits",
            resource: () => limits(migrateJob(), "1", "256Mi", true),
            packMessage: /a job takes at least 512Mi of memory, not 256Mi/,
        },
        valid: { config: { migrateMemory: "512Mi" }, resource: () => limits(migrateJob(), "1", "512Mi", true) },
    },
    {
        rule: "env Cloud Run sets itself",
        source: SOURCES.containerContract,
        stack: "staging",
        refused: {
            config: { runtimeEnv: '["K_SERVICE=x"]' },
            configMessage: /runtimeEnv: expected K_SERVICE is set by Cloud Run itself/,
            policy: "cloud-run-limits",
            resource: () => env(runtimeService(), { name: "K_SERVICE", value: "x" }),
            packMessage: /env "K_SERVICE" is refused by Cloud Run: K_SERVICE is set by Cloud Run itself/,
        },
        valid: { config: { runtimeEnv: '["K_SERVICE_NAME=x"]' }, resource: () => env(runtimeService(), { name: "K_SERVICE_NAME", value: "x" }) },
    },
    {
        rule: "at most 1000 env vars per container",
        source: SOURCES.env,
        stack: "staging",
        refused: {
            config: { runtimeEnv: JSON.stringify(Array.from({ length: 1001 }, (_, i) => `V${i}=x`)) },
            configMessage: /runtimeEnv: expected an env Cloud Run takes \(1001 env vars, Cloud Run takes at most 1000/,
            policy: "cloud-run-limits",
            resource: () => env(runtimeService(), ...Array.from({ length: 1000 }, (_, i) => ({ name: `V${i}`, value: "x" }))),
            packMessage: /env vars, Cloud Run takes at most 1000 per container/,
        },
        valid: {
            config: { runtimeEnv: JSON.stringify(Array.from({ length: 900 }, (_, i) => `V${i}=x`)) },
            resource: () => env(runtimeService(), ...Array.from({ length: 900 }, (_, i) => ({ name: `V${i}`, value: "x" }))),
        },
    },
    {
        rule: "at most 32 KiB of env per container",
        source: SOURCES.env,
        stack: "staging",
        refused: {
            config: { controlEnv: JSON.stringify([`BIG=${"x".repeat(33_000)}`]) },
            configMessage: /controlEnv: expected an env Cloud Run takes \(env names and values take \d+ bytes, Cloud Run takes at most 32768/,
            policy: "cloud-run-limits",
            resource: () => env(controlService(), { name: "BIG", value: "x".repeat(33_000) }),
            packMessage: /Cloud Run takes at most 32768 per container/,
        },
        valid: { config: { controlEnv: JSON.stringify([`BIG=${"x".repeat(20_000)}`]) }, resource: () => env(controlService(), { name: "BIG", value: "x".repeat(20_000) }) },
    },
    {
        rule: "a project id",
        source: IDENTIFIER_SOURCES.projectId,
        stack: "staging",
        refused: {
            config: { "gcp:project": "NOT_A_PROJECT" },
            configMessage: /gcp:project: expected a GCP project id \(a project id is 6-30 lowercase/,
            policy: "cloud-run-limits",
            resource: () => mutate(runtimeService(), (p) => (p.project = "NOT_A_PROJECT")),
            packMessage: /project "NOT_A_PROJECT" is not a project id/,
        },
        valid: { config: { "gcp:project": "openagents-other" }, resource: () => mutate(runtimeService(), (p) => (p.project = "openagents-other")) },
    },
    {
        rule: "domain labels of at most 63 characters",
        source: IDENTIFIER_SOURCES.domain,
        stack: "prod",
        refused: {
            config: { controlDomain: LONG_LABEL },
            configMessage: /controlDomain: expected a domain name .*each domain label has at most 63 characters/,
            policy: "cloud-run-limits",
            resource: () => mutate(domainMapping(CONTROL.names.prod), (p) => (p.name = LONG_LABEL)),
            packMessage: /each domain label has at most 63 characters/,
        },
        valid: { config: { controlDomain: "www.openagents.com" }, resource: () => mutate(domainMapping(CONTROL.names.prod), (p) => (p.name = "www.openagents.com")) },
    },
    {
        rule: "no run.app host as a custom domain",
        source: IDENTIFIER_SOURCES.domain,
        stack: "prod",
        refused: {
            config: { controlDomain: "openagents-web-ezxz4mgdsq-uc.a.run.app" },
            configMessage: /controlDomain: .*a run.app host is Google's own URL/,
            policy: "cloud-run-limits",
            resource: () => mutate(domainMapping(CONTROL.names.prod), (p) => (p.name = "openagents-web-ezxz4mgdsq-uc.a.run.app")),
            packMessage: /a run.app host is Google's own URL/,
        },
        valid: { config: { controlDomain: "app.openagents.com" }, resource: () => mutate(domainMapping(CONTROL.names.prod), (p) => (p.name = "app.openagents.com")) },
    },
    {
        rule: "a service account id of 6-30 characters",
        source: IDENTIFIER_SOURCES.serviceAccount,
        stack: "staging",
        refused: {
            config: { runtimeSmokeInvoker: ACCOUNT("gate") },
            configMessage: /runtimeSmokeInvoker: .*a service account id is 6-30/,
            policy: "identity-and-access",
            resource: () => iamMember("runtime", ACCOUNT("gate")),
            packMessage: /which IAM refuses: a service account id is 6-30/,
        },
        valid: { config: { runtimeSmokeInvoker: ACCOUNT("gate-01") }, resource: () => iamMember("runtime", ACCOUNT("gate-01")) },
    },
    {
        rule: "never the default compute account as an invoker",
        source: IDENTIFIER_SOURCES.iamMember,
        stack: "prod",
        refused: {
            config: { runtimeSmokeInvoker: `serviceAccount:${GCP.defaultComputeServiceAccount}` },
            configMessage: /runtimeSmokeInvoker: .*the default compute account/,
            policy: "identity-and-access",
            resource: () => iamMember("runtime", `serviceAccount:${GCP.defaultComputeServiceAccount}`),
            packMessage: /lets the default compute account .* invoke 'runtime'/,
        },
        valid: { config: { runtimeSmokeInvoker: ACCOUNT("oa-release-gate") }, resource: () => iamMember("runtime", ACCOUNT("oa-release-gate")) },
    },
    {
        rule: "job name plus execution token under 63 characters",
        source: SOURCES.executionToken,
        stack: "staging",
        refused: {
            config: { migrateJobName: `runtime-migrate-${"x".repeat(33)}`, migrateRerun: "9999" },
            configMessage: /migrateJobName: expected a name that leaves room for the execution token/,
            policy: "cloud-run-limits",
            resource: () => mutate(migrateJob(), (p) => (p.runExecutionToken = "t".repeat(48))),
            packMessage: /job name and execution token take 63 characters, Cloud Run allows 62/,
        },
        valid: { config: { migrateJobName: `runtime-migrate-${"x".repeat(33)}`, migrateRerun: "99" }, resource: () => mutate(migrateJob(), (p) => (p.runExecutionToken = "t".repeat(40))) },
    },
    {
        rule: "service name plus traffic tag of at most 46 characters",
        source: SOURCES.tags,
        stack: "staging",
        refused: {
            config: { controlServiceName: "openagents-control-service-staging-aaaaaa" },
            configMessage: /controlServiceName: expected a name that leaves room for the revision tags \(traffic tag 'current'/,
            policy: "cloud-run-limits",
            resource: () => mutate(controlService(), (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100, tag: "t".repeat(21) }])),
            packMessage: /traffic tag 't{21}' and service name together take 47 characters/,
        },
        valid: {
            config: { controlServiceName: "openagents-control-svc" },
            resource: () => mutate(controlService(), (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100, tag: "t".repeat(20) }])),
        },
    },
    {
        rule: "a stable revision of this very service",
        source: SERVING_SOURCES.revision,
        stack: "prod",
        refused: {
            config: { controlCanaryPercent: "25", controlStableRevision: "openagents-control-service-staging-3f9c2ab-abc123" },
            configMessage: /controlStableRevision: expected a revision of openagents-control-service \(revision .* belongs to service 'openagents-control-service-staging'/,
            policy: "serving-contract",
            resource: () =>
                mutate(controlService(), (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-staging-3f9c2ab-abc123", percent: 100 }])),
            packMessage: /routes traffic: revision .* belongs to service 'openagents-control-service-staging', not 'openagents-control-service'/,
        },
        valid: {
            config: { controlCanaryPercent: "25", controlStableRevision: "openagents-control-service-3f9c2ab-abc123" },
            resource: () => mutate(controlService(), (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-3f9c2ab-abc123", percent: 100 }])),
        },
    },
    {
        rule: "maintenance mode keeps the probe paths",
        source: SERVING_SOURCES.maintenance,
        stack: "staging",
        refused: {
            config: { controlMaintenanceEnabled: "true", controlMaintenanceAllowedPaths: '["/status"]' },
            configMessage: /controlMaintenanceAllowedPaths: expected paths that keep the probes answering \(maintenance mode answers 503 on \/readyz and \/healthz/,
            policy: "serving-contract",
            resource: () => env(controlService(), { name: "OA_MAINTENANCE_MODE_ENABLED", value: "true" }, { name: "OA_MAINTENANCE_ALLOWED_PATHS", value: "/status" }),
            packMessage: /maintenance mode answers 503 on \/readyz and \/healthz/,
        },
        valid: {
            config: { controlMaintenanceEnabled: "true", controlMaintenanceAllowedPaths: '["/healthz","/readyz","/status"]' },
            resource: () => env(controlService(), { name: "OA_MAINTENANCE_MODE_ENABLED", value: "true" }, { name: "OA_MAINTENANCE_ALLOWED_PATHS", value: "/healthz,/readyz,/status" }),
        },
    },
    {
        rule: "a bind address Cloud Run reaches",
        source: SERVING_SOURCES.bindAddress,
        stack: "staging",
        refused: {
            config: { controlEnv: '["OA_CONTROL_BIND_ADDR=127.0.0.1:8080"]' },
            configMessage: /controlEnv: expected no env the program sets itself \(OA_CONTROL_BIND_ADDR\)/,
            policy: "serving-contract",
            resource: () => setEnv(controlService(), "OA_CONTROL_BIND_ADDR", "127.0.0.1:8080"),
            packMessage: /OA_CONTROL_BIND_ADDR binds 127.0.0.1, which Cloud Run cannot reach/,
        },
        valid: { config: {}, resource: () => setEnv(controlService(), "OA_CONTROL_BIND_ADDR", "[::]:8080") },
    },
    {
        rule: "workos auth in prod",
        source: SERVING_SOURCES.authProvider,
        stack: "prod",
        refused: {
            config: { controlAuthProviderMode: "mock" },
            configMessage: /controlAuthProviderMode: expected workos in prod \(production runs OA_AUTH_PROVIDER_MODE=workos, not mock/,
            policy: "serving-contract",
            resource: () => setEnv(controlService(), "OA_AUTH_PROVIDER_MODE", "mock"),
            packMessage: /production runs OA_AUTH_PROVIDER_MODE=workos, not mock/,
        },
        valid: { config: { controlAuthProviderMode: "workos" }, resource: () => setEnv(controlService(), "OA_AUTH_PROVIDER_MODE", "workos") },
    },
    {
        rule: "a secret-looking name never in plain env",
        source: SECRET_NAME_SOURCE,
        stack: "staging",
        refused: {
            config: { controlEnv: '["SOMETHING_TOKEN=abc"]' },
            configMessage: /controlEnv: expected no secret-looking name in plain env \(move SOMETHING_TOKEN to the matching \*SecretEnv key\)/,
            policy: "secrets-from-secret-manager",
            resource: () => env(controlService(), { name: "SOMETHING_TOKEN", value: "abc" }),
            packMessage: /sets env SOMETHING_TOKEN to a literal value/,
        },
        valid: { config: { controlEnv: '["SOMETHING_TOKEN_TTL_SECONDS=900"]' }, resource: () => env(controlService(), { name: "SOMETHING_TOKEN_TTL_SECONDS", value: "900" }) },
    },
    {
        rule: "the bare word TOKEN looks secret too",
        source: SECRET_NAME_SOURCE,
        stack: "staging",
        refused: {
            config: { runtimeEnv: '["token=abc"]' },
            configMessage: /runtimeEnv: expected no secret-looking name in plain env \(move token/,
            policy: "secrets-from-secret-manager",
            resource: () => env(runtimeService(), { name: "token", value: "abc" }),
            packMessage: /sets env token to a literal value/,
        },
        valid: { config: { runtimeEnv: '["TOKENS_PER_MINUTE=60"]' }, resource: () => env(runtimeService(), { name: "TOKENS_PER_MINUTE", value: "60" }) },
    },
    {
        rule: "both WorkOS keys while auth is workos",
        source: SERVICE_NEEDS_SOURCES.workos,
        stack: "prod",
        refused: {
            config: { controlSecretEnv: '["WORKOS_API_KEY=openagents-control-workos-api-key"]' },
            configMessage: /controlSecretEnv: expected WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager \(auth mode workos without WORKOS_CLIENT_ID/,
            policy: "service-needs",
            resource: () => dropEnv(controlService(), "WORKOS_CLIENT_ID"),
            packMessage: /auth mode workos without WORKOS_CLIENT_ID: every sign-in answers 503/,
        },
        valid: {
            config: { controlSecretEnv: '["WORKOS_API_KEY=openagents-control-workos-api-key","WORKOS_CLIENT_ID=openagents-control-workos-client-id:3"]' },
            resource: () => setEnv(controlService(), "WORKOS_CLIENT_ID", "client_01H"),
        },
    },
    {
        rule: "no WorkOS keys needed by mock auth",
        source: SERVICE_NEEDS_SOURCES.workos,
        stack: "staging",
        refused: {
            config: { controlAuthProviderMode: "workos", controlSecretEnv: "[]" },
            configMessage: /controlSecretEnv: expected WORKOS_CLIENT_ID and WORKOS_API_KEY from Secret Manager \(auth mode workos without WORKOS_CLIENT_ID and WORKOS_API_KEY/,
            policy: "service-needs",
            resource: () => dropEnv(dropEnv(controlService("staging"), "WORKOS_CLIENT_ID"), "WORKOS_API_KEY"),
            packMessage: /without WORKOS_CLIENT_ID and WORKOS_API_KEY/,
        },
        valid: {
            config: { controlAuthProviderMode: "mock", controlSecretEnv: "[]" },
            resource: () => setEnv(dropEnv(dropEnv(controlService("staging"), "WORKOS_CLIENT_ID"), "WORKOS_API_KEY"), "OA_AUTH_PROVIDER_MODE", "mock"),
        },
    },
    {
        rule: "a route split that serves every page",
        source: SERVICE_NEEDS_SOURCES.routeSplit,
        stack: "prod",
        refused: {
            config: { controlEnv: '["OA_ROUTE_SPLIT_ENABLED=false"]' },
            configMessage: /controlEnv: expected a route split that serves every page \(OA_ROUTE_SPLIT_ENABLED=false sends pages to the legacy target/,
            policy: "service-needs",
            resource: () => setEnv(controlService(), "OA_ROUTE_SPLIT_ENABLED", "false"),
            packMessage: /every page but \/ and \/chat answers 503/,
        },
        valid: {
            config: { controlEnv: '["OA_ROUTE_SPLIT_ENABLED=false","OA_ROUTE_SPLIT_LEGACY_BASE_URL=https://archive.example.com"]' },
            resource: () => setEnv(setEnv(controlService(), "OA_ROUTE_SPLIT_ENABLED", "false"), "OA_ROUTE_SPLIT_LEGACY_BASE_URL", "https://archive.example.com"),
        },
    },
    {
        rule: "the runtime on the network its callers use",
        source: SERVICE_NEEDS_SOURCES.ingress,
        stack: "staging",
        refused: {
            config: { runtimeIngress: "INGRESS_TRAFFIC_INTERNAL_ONLY" },
            configMessage: /runtimeIngress: expected INGRESS_TRAFFIC_ALL \(ingress INGRESS_TRAFFIC_INTERNAL_ONLY cuts the runtime off/,
            policy: "service-needs",
            resource: () => mutate(runtimeService(), (p) => (p.ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY")),
            packMessage: /cuts the runtime off from the control service/,
        },
        valid: { config: { runtimeIngress: "INGRESS_TRAFFIC_ALL" }, resource: () => mutate(runtimeService(), (p) => (p.ingress = "INGRESS_TRAFFIC_ALL")) },
    },
    {
        rule: "a domain of the stack's own environment",
        source: RUNS_SOURCES.domains,
        stack: "staging",
        refused: {
            config: { controlDomain: "openagents.com" },
            configMessage: /controlDomain: expected a domain of the staging environment \(openagents.com is the prod domain/,
            policy: "service-needs",
            resource: () => mutate(domainMapping(CONTROL.names.staging, "staging"), (p) => (p.name = "openagents.com")),
            packMessage: /openagents.com is the prod domain: a staging stack mapping it/,
        },
        valid: {
            config: { controlDomain: "preview.staging.openagents.com" },
            resource: () => mutate(domainMapping(CONTROL.names.staging, "staging"), (p) => (p.name = "preview.staging.openagents.com")),
        },
    },
    {
        rule: "no other Google product's account invokes the runtime",
        source: ACCESS_SOURCES.members,
        stack: "prod",
        refused: {
            config: { runtimeSmokeInvoker: `serviceAccount:${GCP.project}@appspot.gserviceaccount.com` },
            configMessage: /runtimeSmokeInvoker: .*roles\/run.invoker for 'openagentsgemini@appspot.gserviceaccount.com', App Engine's default account/,
            policy: "identity-and-access",
            resource: () => iamMember("runtime", `serviceAccount:${GCP.project}@appspot.gserviceaccount.com`),
            packMessage: /App Engine's default account, no named caller of the runtime/,
        },
        valid: { config: { runtimeSmokeInvoker: ACCOUNT("oa-release-gate") }, resource: () => iamMember("runtime", ACCOUNT("oa-release-gate")) },
    },
];

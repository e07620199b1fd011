// Properties over resource types and IAM shapes: every way a stack can spell a grant on the
// runtime, its migrate job or the project (member, binding or policy; v1 or v2; a bare name or
// a full resource path; any member kind and role), and every resource type that delivers to a
// service. The pack refuses exactly the grants that open the runtime or its job to more than
// its named callers, and exactly the deliveries into a legacy target, whatever the spelling.
// The oracle below is stated from the IAM and Cloud Run docs, not from the catalog's tables.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { GCP } from "../../catalog";
import { identityAndAccess } from "../../policies/identity-and-access";
import { noLegacyTargets } from "../../policies/no-legacy-targets";
import { TYPES } from "../../policies/lib/resources";
import { EngineResource } from "../../policies/offline/engine";
import { messages, runOn } from "../policies/harness";
import { Tally, params } from "./runs";

type Scope = "runtime" | "job" | "control" | "project";

const SHAPES: { scope: Scope; type: string; target: "name" | "service" | undefined }[] = [
    { scope: "runtime", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", target: "name" },
    { scope: "runtime", type: "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding", target: "name" },
    { scope: "runtime", type: "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy", target: "name" },
    { scope: "runtime", type: "gcp:cloudrun/iamMember:IamMember", target: "service" },
    { scope: "runtime", type: "gcp:cloudrun/iamBinding:IamBinding", target: "service" },
    { scope: "runtime", type: "gcp:cloudrun/iamPolicy:IamPolicy", target: "service" },
    { scope: "job", type: "gcp:cloudrunv2/jobIamMember:JobIamMember", target: "name" },
    { scope: "job", type: "gcp:cloudrunv2/jobIamBinding:JobIamBinding", target: "name" },
    { scope: "job", type: "gcp:cloudrunv2/jobIamPolicy:JobIamPolicy", target: "name" },
    { scope: "control", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", target: "name" },
    { scope: "project", type: "gcp:projects/iAMMember:IAMMember", target: undefined },
    { scope: "project", type: "gcp:projects/iAMBinding:IAMBinding", target: undefined },
    { scope: "project", type: "gcp:projects/iAMPolicy:IAMPolicy", target: undefined },
];

const NAMES: Record<Exclude<Scope, "project">, string[]> = {
    runtime: ["runtime", "runtime-staging", `projects/${GCP.project}/locations/${GCP.region}/services/runtime`, `locations/${GCP.region}/namespaces/${GCP.project}/services/runtime-staging`],
    job: ["runtime-migrate", `projects/${GCP.project}/locations/${GCP.region}/jobs/runtime-migrate-staging`],
    control: ["openagents-control-service", `projects/${GCP.project}/locations/${GCP.region}/services/openagents-control-service-staging`],
};

const ROLES = [
    "roles/run.invoker",
    "roles/run.servicesInvoker",
    "roles/run.developer",
    "roles/run.admin",
    "roles/run.jobsExecutor",
    "roles/run.jobsExecutorWithOverrides",
    "roles/run.viewer",
    "roles/logging.viewer",
];

const MEMBERS = [
    "allUsers",
    "allAuthenticatedUsers",
    "domain:openagents.com",
    "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*",
    "projectViewer:openagentsgemini",
    `serviceAccount:oa-control-prod@${GCP.project}.iam.gserviceaccount.com`,
    `serviceAccount:oa-release-gate@${GCP.project}.iam.gserviceaccount.com`,
    "user:ops@openagents.com",
    "group:oncall@openagents.com",
    `serviceAccount:${GCP.project}@appspot.gserviceaccount.com`,
    `serviceAccount:service-${GCP.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`,
];

// From the docs (run IAM roles; principal identifiers): who stands for many, who is another product's.
const MANY = (m: string) => /^(allUsers|allAuthenticatedUsers|domain:|principalSet:|project(Owner|Editor|Viewer):)/.test(m);
const PRODUCT = (m: string) => /@(appspot|cloudbuild|cloudservices)\.gserviceaccount\.com$|@gcp-sa-[a-z-]+\.iam\.gserviceaccount\.com$/.test(m);
const CALLS = ["roles/run.invoker", "roles/run.servicesInvoker", "roles/run.developer", "roles/run.admin"];
const RUNS_JOBS = ["roles/run.invoker", "roles/run.jobsExecutor", "roles/run.jobsExecutorWithOverrides", "roles/run.developer", "roles/run.admin"];

function opens(scope: Scope, role: string, member: string): boolean {
    if (scope === "runtime") return CALLS.includes(role) && (MANY(member) || PRODUCT(member));
    if (scope === "job") return RUNS_JOBS.includes(role) && MANY(member);
    if (scope === "project") return CALLS.includes(role) && (MANY(member) || role === "roles/run.invoker" || role === "roles/run.servicesInvoker");
    return false;
}

function grant(shape: (typeof SHAPES)[number], name: string | undefined, role: string, members: string[]): EngineResource {
    const props: Record<string, unknown> = { project: GCP.project };
    if (shape.target === "name") props.name = name;
    if (shape.target === "service") props.service = name;
    if (/policy:/i.test(shape.type)) props.policyData = JSON.stringify({ bindings: [{ role, members }] });
    else if (/binding:/i.test(shape.type)) Object.assign(props, { role, members });
    else Object.assign(props, { role, member: members[0] });
    return { type: shape.type, name: "grant", props };
}

const OPENING = /is opened by grant|opens the runtime/;

describe("fuzz: every IAM shape that could open the runtime or its job", function () {
    this.timeout(0);

    it("refuses exactly the grants that open them, whatever the resource type, name form, role and member", async () => {
        const shape = fc.nat({ max: SHAPES.length - 1 }).map((i) => SHAPES[i]);
        const tally = new Tally();
        await fc.assert(
            fc.asyncProperty(shape, fc.nat(), fc.constantFrom(...ROLES), fc.uniqueArray(fc.constantFrom(...MEMBERS), { minLength: 1, maxLength: 3 }), async (s, which, role, members) => {
                const names = s.scope === "project" ? [undefined] : NAMES[s.scope];
                const name = names[which % names.length];
                const judged = /member:/i.test(s.type) ? members.slice(0, 1) : members;
                const expected = judged.some((m) => opens(s.scope, role, m));
                const started = Date.now();
                const got = messages(await runOn(identityAndAccess, grant(s, name, role, judged))).filter((m) => OPENING.test(m));
                tally.record(expected ? "opens" : "stays closed", Date.now() - started, 10_000);
                assert.equal(got.length > 0, expected, `${s.type} ${name ?? ""} ${role} ${judged.join(",")}: ${got.join(" | ") || "no verdict"}`);
                if (expected) assert.equal(got.length, judged.filter((m) => opens(s.scope, role, m)).length, "one verdict per opening member");
            }),
            params(300),
        );
        console.log(`      ${tally.summary("grants")}`);
    });
});

const LEGACY = ["openagents-web", "openagents-web-staging", "openagents-runtime", "OpenAgents_Web", "oa-php-web", "laravel-queue"];
const OWN = ["runtime", "runtime-staging", "openagents-control-service", "openagents-webhooks", "graphql-gateway", "openagents-website"];
const runApp = (s: string) => `https://${s.toLowerCase().replace(/_/g, "-")}-${GCP.runAppUrlHash}-${GCP.runAppRegionCode}.a.run.app`;

/** Each delivery resource type, pointed at a service by name or URL the way its schema spells it. */
const DELIVERIES: ((service: string) => EngineResource)[] = [
    (s) => ({ type: TYPES.regionNetworkEndpointGroup, name: "d", props: { region: GCP.region, networkEndpointType: "SERVERLESS", cloudRun: { service: s } } }),
    (s) => ({ type: TYPES.regionNetworkEndpointGroup, name: "d", props: { region: GCP.region, cloudRun: { service: `projects/${GCP.project}/locations/${GCP.region}/services/${s}` } } }),
    (s) => ({ type: TYPES.eventarcTrigger, name: "d", props: { location: GCP.region, destination: { cloudRunService: { service: s, region: GCP.region } } } }),
    (s) => ({ type: TYPES.eventarcTrigger, name: "d", props: { location: GCP.region, destination: { httpEndpoint: { uri: `${runApp(s)}/events` } } } }),
    (s) => ({ type: TYPES.schedulerJob, name: "d", props: { httpTarget: { uri: `${runApp(s)}/cron` } } }),
    (s) => ({ type: TYPES.schedulerJob, name: "d", props: { httpTarget: { uri: `https://run.googleapis.com/v2/projects/${GCP.project}/locations/${GCP.region}/jobs/${s}:run` } } }),
    (s) => ({ type: TYPES.schedulerJob, name: "d", props: { httpTarget: { uri: "https://example.com/x", oidcToken: { serviceAccountEmail: "a@b.iam.gserviceaccount.com", audience: runApp(s) } } } }),
    (s) => ({
        type: TYPES.pubsubSubscription,
        name: "d",
        props: { topic: "t", pushConfig: { pushEndpoint: `https://${s.toLowerCase().replace(/_/g, "-")}-${GCP.projectNumber}.${GCP.region}.run.app/push` } },
    }),
    (s) => ({ type: TYPES.tasksQueue, name: "d", props: { location: GCP.region, httpTarget: { uriOverride: { host: new URL(runApp(s)).host } } } }),
    (s) => ({ type: TYPES.backendService, name: "d", props: { backends: [{ group: `projects/${GCP.project}/regions/${GCP.region}/networkEndpointGroups/${s}` }] } }),
    (s) => ({ type: TYPES.regionUrlMap, name: "d", props: { region: GCP.region, defaultService: s } }),
];

describe("fuzz: every resource type that delivers to a service", function () {
    this.timeout(0);

    it("refuses a delivery exactly when its target is legacy, for each type and spelling", async () => {
        const tally = new Tally();
        await fc.assert(
            fc.asyncProperty(fc.nat({ max: DELIVERIES.length - 1 }), fc.boolean(), fc.nat(), async (kind, legacy, which) => {
                const pool = legacy ? LEGACY : OWN;
                const target = pool[which % pool.length];
                const started = Date.now();
                const verdicts = messages(await runOn(noLegacyTargets, DELIVERIES[kind](target)));
                tally.record(legacy ? "legacy" : "own", Date.now() - started, 10_000);
                assert.equal(verdicts.length > 0, legacy, `${DELIVERIES[kind](target).type} -> ${target}: ${verdicts.join(" | ") || "no verdict"}`);
            }),
            params(200),
        );
        console.log(`      ${tally.summary("deliveries")}`);
    });
});

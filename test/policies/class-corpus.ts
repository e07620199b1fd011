// The corpus by class of harm: for each, disguises a stack can do the harm by (each must be
// refused by the whole pack, mandatory) and legitimate look-alikes (each must pass it). Every
// case changes one thing on the real program's compliant stack and is judged as a whole stack,
// so rules that span resources (the migration, the domain) see what they need. Read by
// class-corpus.test.ts; docs/reliability.md gives the counts (a test holds them to this file).
import { ENVIRONMENTS, Environment, GCP, RUNTIME, RUNTIME_MIGRATE, executionToken } from "../../catalog";
import { TYPES } from "../../policies/lib/resources";
import { EngineResource, defaultUrn } from "../../policies/offline/engine";
import { CONTROL_IMAGE, Json, RUNTIME_IMAGE, compliantStack } from "./fixtures";

export type Stack = () => EngineResource[];

export interface CorpusClass {
    name: string;
    /** What the stack does, how it is built, and the policy that must refuse it. */
    disguises: [string, Stack, string][];
    lookalikes: [string, Stack][];
}

/** The compliant stack of `environment` with one resource (by logical name) changed. */
function changed(environment: Environment, name: string, change: (props: Json, resource: EngineResource) => void): Stack {
    return () =>
        compliantStack(environment).map((r) => {
            if (r.name !== name) return r;
            const copy = structuredClone(r);
            change(copy.props, copy);
            return copy;
        });
}

/** The compliant stack with resources added. */
function plus(environment: Environment, ...extra: ((env: Environment) => EngineResource)[]): Stack {
    return () => [...compliantStack(environment), ...extra.map((make) => make(environment))];
}

const control = (change: (p: Json) => void, environment: Environment = "prod") => changed(environment, "control", change);
const runtime = (change: (p: Json) => void, environment: Environment = "prod") => changed(environment, "runtime", change);
const job = (change: (p: Json) => void, environment: Environment = "prod") => changed(environment, "runtime-migrate", change);
const controlEnv = (name: string, value: string) => control((p) => setEnv(p.template.containers[0], name, value));
const controlCommand = (commands: string[], env: Record<string, string> = {}) =>
    control((p) => {
        const c = p.template.containers[0];
        c.commands = commands;
        c.args = [];
        for (const [k, v] of Object.entries(env)) setEnv(c, k, v);
    });

function setEnv(container: Json, name: string, value: string | undefined): void {
    const envs = container.envs as Json[];
    const found = envs.findIndex((e) => e.name === name);
    if (value === undefined) {
        if (found >= 0) envs.splice(found, 1);
    } else if (found >= 0) envs[found] = { name, value };
    else envs.push({ name, value });
}

function resource(type: string, name: string, props: Json): (env: Environment) => EngineResource {
    return (env) => ({ type, name, urn: defaultUrn(type, name, env), props: { project: GCP.project, ...props } });
}

const runApp = (service: string) => `https://${service}-${GCP.runAppUrlHash}-${GCP.runAppRegionCode}.a.run.app`;
const account = (id: string) => `${id}@${GCP.project}.iam.gserviceaccount.com`;
const SIDE_IMAGE = CONTROL_IMAGE;

export const CLASSES: CorpusClass[] = [
    {
        name: "the migration need not run",
        disguises: [
            ["no execution token", job((p) => delete p.runExecutionToken), "runtime-image-lock"],
            ["a start token: the runtime does not wait", job((p) => ((p.startExecutionToken = p.runExecutionToken), delete p.runExecutionToken)), "runtime-image-lock"],
            ["a token of another image", job((p) => (p.runExecutionToken = executionToken(p.name, `${RUNTIME.imageRepository}:0000000`, 0))), "runtime-image-lock"],
            ["a constant token", job((p) => (p.runExecutionToken = "migrate-once")), "runtime-image-lock"],
            ["two tasks per execution", job((p) => (p.template.taskCount = 2)), "runtime-image-lock"],
            ["three tasks at once", job((p) => Object.assign(p.template, { taskCount: 3, parallelism: 3 })), "runtime-image-lock"],
            ["attempts x timeout past the deploy's wait", job((p) => Object.assign(p.template.template, { maxRetries: 3, timeout: "3600s" })), "runtime-image-lock"],
            ["Cloud Run's default 3 retries of a 600 s timeout", job((p) => delete p.template.template.maxRetries), "runtime-image-lock"],
            ["the migration reads another database", job((p) => (p.template.template.containers[0].envs[0].valueSource.secretKeyRef.secret = "runtime-database-url-staging")), "runtime-image-lock"],
            ["the migration has no database at all", job((p) => (p.template.template.containers[0].envs = [])), "runtime-image-lock"],
        ],
        lookalikes: [
            ["a rerun token of the same image", job((p) => (p.runExecutionToken = executionToken(p.name, RUNTIME_IMAGE, 3)))],
            ["a retried up's token of the same image", job((p) => (p.runExecutionToken = `${executionToken(p.name, RUNTIME_IMAGE, 0)}-a2`))],
            ["taskCount and parallelism left to their defaults", job((p) => (delete p.template.taskCount, delete p.template.parallelism))],
            ["attempts that fill the deploy's wait exactly (3 x 580 s of 1,740 s)", job((p) => Object.assign(p.template.template, { maxRetries: 2, timeout: "580s" }))],
            ["DATABASE_URL from the runtime's secret", job((p) => (p.template.template.containers[0].envs[0].name = "DATABASE_URL"))],
        ],
    },
    {
        name: "locks and rules that read one container",
        disguises: [
            [
                "a sidecar on a legacy image",
                control((p) => p.template.containers.push({ name: "web", image: "us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:v1" })),
                "no-legacy-targets",
            ],
            ["a sidecar running php-fpm", control((p) => p.template.containers.push({ name: "fpm", image: SIDE_IMAGE, commands: ["php-fpm"] })), "no-legacy-targets"],
            ["a sidecar with Laravel env", control((p) => p.template.containers.push({ name: "side", image: SIDE_IMAGE, envs: [{ name: "APP_KEY", value: "x" }] })), "no-legacy-targets"],
            ["a second job container on another image", job((p) => p.template.template.containers.push({ name: "extra", image: CONTROL_IMAGE })), "runtime-image-lock"],
            [
                "a second job container on the runtime image",
                job((p) => p.template.template.containers.push({ name: "extra", image: RUNTIME_IMAGE, commands: ["runtime-migrate"] })),
                "runtime-image-lock",
            ],
        ],
        lookalikes: [
            ["a sidecar of the lane's own image, no port", control((p) => p.template.containers.push({ name: "helper", image: SIDE_IMAGE, args: ["--help"] }))],
            [
                "a runtime sidecar with CPU always allocated too",
                runtime((p) => p.template.containers.push({ name: "helper", image: RUNTIME_IMAGE, args: ["--help"], resources: { cpuIdle: false, limits: { cpu: "1", memory: "512Mi" } } })),
            ],
        ],
    },
    {
        name: "opened or darkened by another route",
        disguises: [
            [
                "a v1 IAM binding of allAuthenticatedUsers on the runtime",
                plus("prod", resource("gcp:cloudrun/iamBinding:IamBinding", "rt-binding", { location: GCP.region, service: "runtime", role: "roles/run.invoker", members: ["allAuthenticatedUsers"] })),
                "identity-and-access",
            ],
            [
                "a domain: member on the runtime",
                plus(
                    "prod",
                    resource("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "rt-domain", {
                        location: GCP.region,
                        name: `projects/${GCP.project}/locations/${GCP.region}/services/runtime`,
                        role: "roles/run.invoker",
                        member: "domain:openagents.com",
                    }),
                ),
                "identity-and-access",
            ],
            [
                "run.developer for a principal set on the runtime",
                plus(
                    "prod",
                    resource("gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy", "rt-policy", {
                        location: GCP.region,
                        name: "runtime",
                        policyData: JSON.stringify({ bindings: [{ role: "roles/run.developer", members: ["principalSet://goog/public:all"] }] }),
                    }),
                ),
                "identity-and-access",
            ],
            [
                "Pub/Sub's service agent as a runtime invoker",
                plus(
                    "prod",
                    resource("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "rt-pubsub", {
                        location: GCP.region,
                        name: "runtime",
                        role: "roles/run.invoker",
                        member: `serviceAccount:service-${GCP.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`,
                    }),
                ),
                "identity-and-access",
            ],
            [
                "a project-level run.invoker",
                plus("prod", resource("gcp:projects/iAMMember:IAMMember", "proj-invoker", { role: "roles/run.invoker", member: `serviceAccount:${account("ci-caller")}` })),
                "identity-and-access",
            ],
            [
                "a project-level binding of allUsers to run.admin",
                plus("prod", resource("gcp:projects/iAMBinding:IAMBinding", "proj-admin", { role: "roles/run.admin", members: ["allUsers"] })),
                "identity-and-access",
            ],
            [
                "allUsers may run the migrate job",
                plus(
                    "prod",
                    resource("gcp:cloudrunv2/jobIamMember:JobIamMember", "job-exec", {
                        location: GCP.region,
                        name: RUNTIME_MIGRATE.names.prod,
                        role: "roles/run.jobsExecutorWithOverrides",
                        member: "allUsers",
                    }),
                ),
                "identity-and-access",
            ],
            ["the runtime on internal ingress", runtime((p) => (p.ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY")), "service-needs"],
            ["the front door behind a load balancer only", control((p) => (p.ingress = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")), "service-needs"],
            ["the staging stack maps the prod domain", changed("staging", "control-domain", (p) => (p.name = "openagents.com")), "service-needs"],
            ["the prod stack maps a staging host", changed("prod", "control-domain", (p) => (p.name = "app.staging.openagents.com")), "service-needs"],
            ["the staging domain routed to the prod front door", changed("staging", "control-domain", (p) => (p.spec.routeName = "openagents-control-service")), "service-needs"],
        ],
        lookalikes: [
            [
                "the control service's own invoker on the runtime, by full path",
                plus(
                    "prod",
                    resource("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "rt-control", {
                        location: GCP.region,
                        name: `projects/${GCP.project}/locations/${GCP.region}/services/runtime`,
                        role: "roles/run.invoker",
                        member: `serviceAccount:${account("oa-control-prod")}`,
                    }),
                ),
            ],
            [
                "allUsers may invoke the front door (v1 member)",
                plus(
                    "prod",
                    resource("gcp:cloudrun/iamMember:IamMember", "front-public", { location: GCP.region, service: "openagents-control-service", role: "roles/run.invoker", member: "allUsers" }),
                ),
            ],
            ["a project-level run.viewer for a domain", plus("prod", resource("gcp:projects/iAMMember:IAMMember", "proj-viewer", { role: "roles/run.viewer", member: "domain:openagents.com" }))],
            [
                "a project-level run.admin for the deployer",
                plus("prod", resource("gcp:projects/iAMMember:IAMMember", "proj-deployer", { role: "roles/run.admin", member: `serviceAccount:${account("oa-deployer")}` })),
            ],
            ["the prod stack maps www.openagents.com", changed("prod", "control-domain", (p) => (p.name = "www.openagents.com"))],
        ],
    },
    {
        name: "legacy reached by another resource type",
        disguises: [
            [
                "an Eventarc trigger into openagents-web",
                plus("prod", resource(TYPES.eventarcTrigger, "trig", { location: GCP.region, destination: { cloudRunService: { service: "openagents-web", region: GCP.region } } })),
                "no-legacy-targets",
            ],
            [
                "an Eventarc trigger to a legacy run.app URL",
                plus("prod", resource(TYPES.eventarcTrigger, "trig-url", { location: GCP.region, destination: { httpEndpoint: { uri: runApp("openagents-runtime") } } })),
                "no-legacy-targets",
            ],
            [
                "a schedule that calls the legacy web",
                plus("prod", resource(TYPES.schedulerJob, "cron", { schedule: "* * * * *", httpTarget: { uri: `${runApp("openagents-web")}/cron` } })),
                "no-legacy-targets",
            ],
            [
                "a schedule that runs the legacy migrate job",
                plus(
                    "prod",
                    resource(TYPES.schedulerJob, "cron-job", {
                        schedule: "0 * * * *",
                        httpTarget: { uri: `https://run.googleapis.com/v2/projects/${GCP.project}/locations/${GCP.region}/jobs/openagents-migrate:run` },
                    }),
                ),
                "no-legacy-targets",
            ],
            [
                "a v1 run API URL running the legacy job",
                plus(
                    "prod",
                    resource(TYPES.schedulerJob, "cron-v1", {
                        schedule: "0 * * * *",
                        httpTarget: { uri: `https://${GCP.region}-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/${GCP.project}/jobs/openagents-maintenance-down:run` },
                    }),
                ),
                "no-legacy-targets",
            ],
            [
                "a Pub/Sub push to the legacy runtime",
                plus(
                    "prod",
                    resource(TYPES.pubsubSubscription, "push", { topic: "events", pushConfig: { pushEndpoint: `https://openagents-runtime-${GCP.projectNumber}.${GCP.region}.run.app/hook` } }),
                ),
                "no-legacy-targets",
            ],
            [
                "a Pub/Sub push whose audience is the legacy web",
                plus(
                    "prod",
                    resource(TYPES.pubsubSubscription, "push-aud", {
                        topic: "events",
                        pushConfig: { pushEndpoint: "https://hooks.example.com/x", oidcToken: { serviceAccountEmail: account("oa-push"), audience: runApp("openagents-web") } },
                    }),
                ),
                "no-legacy-targets",
            ],
            [
                "a Cloud Tasks queue routed to a legacy host",
                plus(
                    "prod",
                    resource(TYPES.tasksQueue, "queue", { location: GCP.region, httpTarget: { uriOverride: { host: `openagents-web-${GCP.runAppUrlHash}-${GCP.runAppRegionCode}.a.run.app` } } }),
                ),
                "no-legacy-targets",
            ],
            [
                "a load balancer backend on the legacy web's NEG",
                plus("prod", resource(TYPES.backendService, "lb", { backends: [{ group: `projects/${GCP.project}/regions/${GCP.region}/networkEndpointGroups/openagents-web-neg` }] })),
                "no-legacy-targets",
            ],
            [
                "a URL map whose path rule serves the legacy backend",
                plus(
                    "prod",
                    resource(TYPES.urlMap, "map", {
                        defaultService: "control-backend",
                        pathMatchers: [{ name: "m", defaultService: "control-backend", pathRules: [{ paths: ["/old/*"], service: "openagents-web-backend" }] }],
                    }),
                ),
                "no-legacy-targets",
            ],
            [
                "a serverless NEG URL mask onto the legacy web",
                plus("prod", resource(TYPES.regionNetworkEndpointGroup, "neg-mask", { region: GCP.region, networkEndpointType: "SERVERLESS", cloudRun: { urlMask: "openagents-web.openagents.com" } })),
                "no-legacy-targets",
            ],
            ["the front door as App Engine's default account", control((p) => (p.template.serviceAccount = `${GCP.project}@appspot.gserviceaccount.com`)), "no-legacy-targets"],
            ["the job as Cloud Build's account", job((p) => (p.template.template.serviceAccount = `${GCP.projectNumber}@cloudbuild.gserviceaccount.com`)), "no-legacy-targets"],
        ],
        lookalikes: [
            [
                "an Eventarc trigger into the runtime",
                plus("prod", resource(TYPES.eventarcTrigger, "trig", { location: GCP.region, destination: { cloudRunService: { service: "runtime", region: GCP.region } } })),
            ],
            [
                "a schedule that runs the Rust migrate job",
                plus(
                    "prod",
                    resource(TYPES.schedulerJob, "cron-job", {
                        schedule: "0 * * * *",
                        httpTarget: { uri: `https://run.googleapis.com/v2/projects/${GCP.project}/locations/${GCP.region}/jobs/runtime-migrate:run` },
                    }),
                ),
            ],
            [
                "a Pub/Sub push to openagents-webhooks",
                plus("prod", resource(TYPES.pubsubSubscription, "push", { topic: "events", pushConfig: { pushEndpoint: `${runApp("openagents-webhooks")}/in` } })),
            ],
            [
                "a load balancer backend on the control service's NEG",
                plus(
                    "prod",
                    resource(TYPES.regionBackendService, "lb", {
                        region: GCP.region,
                        backends: [{ group: `projects/${GCP.project}/regions/${GCP.region}/networkEndpointGroups/openagents-control-neg` }],
                    }),
                ),
            ],
            [
                "a serverless NEG onto openagents-webhooks",
                plus("prod", resource(TYPES.regionNetworkEndpointGroup, "neg", { region: GCP.region, networkEndpointType: "SERVERLESS", cloudRun: { service: "openagents-webhooks" } })),
            ],
        ],
    },
    {
        name: "what a container really runs",
        disguises: [
            ["$(APP) that Cloud Run expands to php", controlCommand(["$(APP)", "artisan", "serve"], { APP: "php" }), "no-legacy-targets"],
            ["sh -c $(CMD) with CMD a Laravel line", controlCommand(["sh", "-c", "$(CMD)"], { CMD: "php artisan serve" }), "no-legacy-targets"],
            ["env -S splitting a php line", controlCommand(["env", "-S", "php artisan serve"]), "no-legacy-targets"],
            ["gosu with its user", controlCommand(["gosu", "www-data", "php-fpm"]), "no-legacy-targets"],
            ["sudo -u with its user", controlCommand(["sudo", "-u", "www-data", "php", "artisan", "queue:work"]), "no-legacy-targets"],
            ["busybox sh -c", controlCommand(["busybox", "sh", "-c", "php artisan serve"]), "no-legacy-targets"],
            ["a substitution inside double quotes", controlCommand(["sh", "-c", 'echo "$(php artisan --version)"']), "no-legacy-targets"],
            ["exec -a with a name", controlCommand(["exec", "-a", "server", "php-fpm"]), "no-legacy-targets"],
        ],
        lookalikes: [
            ["a quoted argument that holds ; php", controlCommand(["sh", "-c", "exec openagents-control-service --motd 'closed; php retired'"])],
            ["an escaped $$(APP) stays literal", controlCommand(["openagents-control-service", "--name", "$$(APP)"], { APP: "php" })],
            ["an env value never referenced", controlCommand(["openagents-control-service"], { LEGACY_NOTE: "php" })],
        ],
    },
    {
        name: "runs but broken",
        disguises: [
            ["a gRPC startup probe", control((p) => (p.template.containers[0].startupProbe = { grpc: { port: 8080 }, periodSeconds: 5, failureThreshold: 10 })), "health-probes"],
            ["a liveness probe on another port", control((p) => (p.template.containers[0].livenessProbe.httpGet.port = 9090)), "health-probes"],
            ["a startup probe on the legacy /up", control((p) => (p.template.containers[0].startupProbe.httpGet.path = "/up")), "health-probes"],
            ["manual scaling to no instance", control((p) => (p.scaling = { scalingMode: "MANUAL", manualInstanceCount: 0 })), "service-needs"],
            [
                "traffic pinned to an old own revision",
                control((p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-3f9c2ab-000000", percent: 100 }])),
                "service-needs",
            ],
            [
                "the runtime keeps 10% on an older revision",
                runtime(
                    (p) =>
                        (p.traffics = [
                            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 90 },
                            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "runtime-00041-abc", percent: 10 },
                        ]),
                ),
                "service-needs",
            ],
            ["the prod runtime at zero", runtime((p) => (p.template.scaling.minInstanceCount = 0)), "production-safety"],
            ["a fractional CPU on the v2 API", runtime((p) => (p.template.containers[0].resources.limits.cpu = "500m")), "cloud-run-limits"],
            ["a request timeout of two hours", control((p) => (p.template.timeout = "7200s")), "cloud-run-limits"],
            ["a concurrency of 2000", runtime((p) => (p.template.maxInstanceRequestConcurrency = 2000)), "cloud-run-limits"],
            ["eleven retries of the migration", job((p) => Object.assign(p.template.template, { maxRetries: 11, timeout: "60s" })), "cloud-run-limits"],
            ["a startup probe of 60 x 5 s", control((p) => (p.template.containers[0].startupProbe.failureThreshold = 60)), "cloud-run-limits"],
            ["a probe timeout longer than its period", control((p) => (p.template.containers[0].startupProbe.timeoutSeconds = 10)), "cloud-run-limits"],
        ],
        lookalikes: [
            ["a probe with the container port written out", control((p) => (p.template.containers[0].startupProbe.httpGet.port = 8080))],
            ["the staging runtime at zero", runtime((p) => (p.template.scaling.minInstanceCount = 0), "staging")],
            [
                "a canary of the new revision against a stable one",
                control(
                    (p) =>
                        (p.traffics = [
                            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-3f9c2ab-000000", percent: 95 },
                            { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: p.template.revision, percent: 5, tag: "canary" },
                        ]),
                ),
            ],
            ["2000m CPU", runtime((p) => (p.template.containers[0].resources.limits.cpu = "2000m"))],
            ["a request timeout of one hour", control((p) => (p.template.timeout = "3600s"))],
            ["a concurrency of 1000", runtime((p) => (p.template.maxInstanceRequestConcurrency = 1000))],
            // The runtime has no work outside requests at the contract commit (SERVICE_NEEDS_SOURCES.runtimeMemoryState).
            ["the runtime's CPU only during requests", runtime((p) => (p.template.containers[0].resources.cpuIdle = true))],
        ],
    },
    {
        name: "legacy residue in unlisted names",
        disguises: [
            [
                "a NEG onto openagents-php-frontend",
                plus("prod", resource(TYPES.regionNetworkEndpointGroup, "neg-php", { region: GCP.region, networkEndpointType: "SERVERLESS", cloudRun: { service: "openagents-php-frontend" } })),
                "no-legacy-targets",
            ],
            [
                "a trigger into an artisan queue worker",
                plus("prod", resource(TYPES.eventarcTrigger, "trig-artisan", { location: GCP.region, destination: { cloudRunService: { service: "oa-artisan-queue" } } })),
                "no-legacy-targets",
            ],
            ["Octane env", controlEnv("OCTANE_SERVER", "swoole"), "no-legacy-targets"],
            ["Ecto env", controlEnv("ECTO_IPV6", "true"), "no-legacy-targets"],
            ["an Elixir release name", controlEnv("RELEASE_NAME", "openagents"), "no-legacy-targets"],
            ["Laravel's database name", controlEnv("DB_DATABASE", "openagents"), "no-legacy-targets"],
        ],
        lookalikes: [
            [
                "a NEG onto graphql-gateway",
                plus("prod", resource(TYPES.regionNetworkEndpointGroup, "neg-gql", { region: GCP.region, networkEndpointType: "SERVERLESS", cloudRun: { service: "graphql-gateway" } })),
            ],
            ["env APP_VERSION", controlEnv("APP_VERSION", "1.2.3")],
            ["env RELEASE_CHANNEL", controlEnv("RELEASE_CHANNEL", "stable")],
        ],
    },
    {
        name: "false positives",
        disguises: [],
        lookalikes: [
            [
                "a traffic tag that names Laravel on the own revision",
                control((p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: p.template.revision, percent: 100, tag: "laravel-sunset" }])),
            ],
            [
                "a trigger into openagents-webhooks",
                plus("prod", resource(TYPES.eventarcTrigger, "trig-hooks", { location: GCP.region, destination: { cloudRunService: { service: "openagents-webhooks" } } })),
            ],
            ["a quoted argument that names php", controlCommand(["openagents-control-service", "--banner", "'php' is gone"])],
        ],
    },
    {
        name: "the stacks themselves",
        disguises: [
            ["WORKOS_API_KEY without WORKOS_CLIENT_ID", control((p) => setEnv(p.template.containers[0], "WORKOS_CLIENT_ID", undefined)), "service-needs"],
            ["a blank WORKOS_CLIENT_ID", controlEnv("WORKOS_CLIENT_ID", "  "), "service-needs"],
            [
                "auto mode without keys",
                control((p) => {
                    const c = p.template.containers[0];
                    setEnv(c, "OA_AUTH_PROVIDER_MODE", "auto");
                    setEnv(c, "WORKOS_API_KEY", undefined);
                }),
                "service-needs",
            ],
            ["route split off without a legacy base URL", controlEnv("OA_ROUTE_SPLIT_ENABLED", "false"), "service-needs"],
            ["route split on by a word the service reads as off", controlEnv("OA_ROUTE_SPLIT_ENABLED", "on"), "service-needs"],
            ["route split mode legacy", controlEnv("OA_ROUTE_SPLIT_MODE", "legacy"), "service-needs"],
            ["Rust routes /chat only", controlEnv("OA_ROUTE_SPLIT_RUST_ROUTES", "/chat,/feed"), "service-needs"],
            [
                "a cohort of half the users",
                control((p) => {
                    const c = p.template.containers[0];
                    setEnv(c, "OA_ROUTE_SPLIT_MODE", "cohort");
                    setEnv(c, "OA_ROUTE_SPLIT_COHORT_PERCENTAGE", "50");
                }),
                "service-needs",
            ],
            ["force legacy by yes", controlEnv("OA_ROUTE_SPLIT_FORCE_LEGACY", "yes"), "service-needs"],
        ],
        lookalikes: [
            [
                "mock auth in staging without WorkOS keys",
                control((p) => {
                    const c = p.template.containers[0];
                    setEnv(c, "OA_AUTH_PROVIDER_MODE", "mock");
                    setEnv(c, "WORKOS_API_KEY", undefined);
                    setEnv(c, "WORKOS_CLIENT_ID", undefined);
                }, "staging"),
            ],
            ["a literal WORKOS_CLIENT_ID (not secret)", controlEnv("WORKOS_CLIENT_ID", "client_01H")],
            [
                "route split off with a legacy base URL",
                control((p) => {
                    const c = p.template.containers[0];
                    setEnv(c, "OA_ROUTE_SPLIT_ENABLED", "false");
                    setEnv(c, "OA_ROUTE_SPLIT_LEGACY_BASE_URL", "https://archive.example.com/");
                }),
            ],
            ["route split enabled as TRUE", controlEnv("OA_ROUTE_SPLIT_ENABLED", " TRUE ")],
            [
                "a cohort of everyone",
                control((p) => {
                    const c = p.template.containers[0];
                    setEnv(c, "OA_ROUTE_SPLIT_MODE", "Cohort");
                    setEnv(c, "OA_ROUTE_SPLIT_COHORT_PERCENTAGE", "100");
                }),
            ],
        ],
    },
];

/** Both environments' stacks, for cases that hold in each. */
export const ENVS = ENVIRONMENTS;

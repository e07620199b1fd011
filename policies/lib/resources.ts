// Where things live in the props of the Cloud Run resources this pack judges, for both APIs:
// gcp.cloudrunv2 (Service, Job, WorkerPool) and the v1 gcp.cloudrun (Service, DomainMapping;
// the gcp provider has no v1 Job). Accessors read lazily, field by field, so that a value
// unknown during preview only stops the checks that really need it (see unknown.ts).

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import type { Props } from "./types";

export const TYPES = {
    serviceV2: "gcp:cloudrunv2/service:Service",
    jobV2: "gcp:cloudrunv2/job:Job",
    workerPoolV2: "gcp:cloudrunv2/workerPool:WorkerPool",
    serviceV1: "gcp:cloudrun/service:Service",
    domainMappingV1: "gcp:cloudrun/domainMapping:DomainMapping",
    secretIamMember: "gcp:secretmanager/secretIamMember:SecretIamMember",
    secretIamBinding: "gcp:secretmanager/secretIamBinding:SecretIamBinding",
    secretIamPolicy: "gcp:secretmanager/secretIamPolicy:SecretIamPolicy",
    regionNetworkEndpointGroup: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    eventarcTrigger: "gcp:eventarc/trigger:Trigger",
    schedulerJob: "gcp:cloudscheduler/job:Job",
    pubsubSubscription: "gcp:pubsub/subscription:Subscription",
    tasksQueue: "gcp:cloudtasks/queue:Queue",
    backendService: "gcp:compute/backendService:BackendService",
    regionBackendService: "gcp:compute/regionBackendService:RegionBackendService",
    urlMap: "gcp:compute/uRLMap:URLMap",
    regionUrlMap: "gcp:compute/regionUrlMap:RegionUrlMap",
    hostingVersion: "gcp:firebase/hostingVersion:HostingVersion",
    globalNetworkEndpoint: "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint",
} as const;

/** Where a resource delivers traffic or events: a Cloud Run service by name, or a URL. */
export interface Delivery {
    what: string;
    service?: string;
    url?: string;
}

function str(value: unknown): string | undefined {
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Every place a resource sends requests or events, read from the provider's schema for each
 * type (@pulumi/gcp 9.37 types/input.d.ts): a serverless NEG's Cloud Run service or URL mask,
 * an Eventarc trigger's Cloud Run destination or HTTP endpoint, a Cloud Scheduler job's HTTP
 * target and OIDC audience, a Pub/Sub push endpoint and audience, a Cloud Tasks queue's HTTP
 * target (and App Engine routing), a load balancer's backend groups (NEGs) and URL map services
 * (backend services), each judged by name; a Firebase Hosting version's rewrites to Cloud Run
 * (config.rewrites[].run.serviceId) and an internet NEG's endpoint (fqdn, judged as its URL).
 * Empty for any other type.
 */
export const DELIVERY_TYPES: readonly string[] = [
    TYPES.regionNetworkEndpointGroup,
    TYPES.eventarcTrigger,
    TYPES.schedulerJob,
    TYPES.pubsubSubscription,
    TYPES.tasksQueue,
    TYPES.backendService,
    TYPES.regionBackendService,
    TYPES.urlMap,
    TYPES.regionUrlMap,
    TYPES.hostingVersion,
    TYPES.globalNetworkEndpoint,
];

export function deliveriesOf(type: string, props: Props): Delivery[] {
    const out: Delivery[] = [];
    const add = (what: string, service: unknown, url: unknown) => {
        const s = str(service);
        const u = str(url);
        if (s !== undefined) out.push({ what, service: lastSegment(s) });
        if (u !== undefined) out.push({ what, url: u });
    };
    switch (type) {
        case TYPES.regionNetworkEndpointGroup: {
            add("serverless NEG", props.cloudRun?.service, undefined);
            // A URL mask ("<service>.example.com" or "example.com/<service>") names services by its first part.
            const mask = str(props.cloudRun?.urlMask);
            if (mask !== undefined) for (const part of mask.split(/[./]/)) if (part !== "" && !part.startsWith("<")) out.push({ what: "serverless NEG URL mask", service: part });
            break;
        }
        case TYPES.eventarcTrigger:
            add("Eventarc trigger", props.destination?.cloudRunService?.service, props.destination?.httpEndpoint?.uri);
            break;
        case TYPES.schedulerJob:
            add("Cloud Scheduler job", undefined, props.httpTarget?.uri);
            add("Cloud Scheduler job audience", undefined, props.httpTarget?.oidcToken?.audience);
            add("Cloud Scheduler job", props.appEngineHttpTarget?.appEngineRouting?.service, undefined);
            break;
        case TYPES.pubsubSubscription:
            add("Pub/Sub push subscription", undefined, props.pushConfig?.pushEndpoint);
            add("Pub/Sub push subscription audience", undefined, props.pushConfig?.oidcToken?.audience);
            break;
        case TYPES.backendService:
        case TYPES.regionBackendService:
            // A load balancer's backends: each group is a NEG (by name or self link), judged by its name.
            for (const backend of asObjects(props.backends)) add("load balancer backend", backend.group, undefined);
            break;
        case TYPES.urlMap:
        case TYPES.regionUrlMap:
            add("URL map", props.defaultService, undefined);
            for (const matcher of asObjects(props.pathMatchers)) {
                add("URL map path matcher", matcher.defaultService, undefined);
                for (const rule of asObjects(matcher.pathRules)) add("URL map path rule", rule.service, undefined);
            }
            break;
        case TYPES.hostingVersion:
            for (const rewrite of asObjects(props.config?.rewrites)) add("Firebase Hosting rewrite", rewrite.run?.serviceId, undefined);
            break;
        case TYPES.globalNetworkEndpoint: {
            const fqdn = str(props.fqdn);
            if (fqdn !== undefined) add("internet NEG endpoint", undefined, `https://${fqdn}/`);
            break;
        }
        case TYPES.tasksQueue: {
            const host = str(props.httpTarget?.uriOverride?.host);
            if (host !== undefined) add("Cloud Tasks queue", undefined, `https://${host}/`);
            add("Cloud Tasks queue audience", undefined, props.httpTarget?.oidcToken?.audience);
            add("Cloud Tasks queue", props.appEngineRoutingOverride?.service, undefined);
            break;
        }
    }
    return out;
}

export type WorkloadKind = "service" | "job" | "worker pool";

interface WorkloadType {
    kind: WorkloadKind;
    api: "v1" | "v2";
}

const WORKLOADS: Record<string, WorkloadType> = {
    [TYPES.serviceV2]: { kind: "service", api: "v2" },
    [TYPES.jobV2]: { kind: "job", api: "v2" },
    [TYPES.workerPoolV2]: { kind: "worker pool", api: "v2" },
    [TYPES.serviceV1]: { kind: "service", api: "v1" },
};

/** A Cloud Run service, job or worker pool (either API), else undefined. */
export function workloadType(type: string): WorkloadType | undefined {
    return WORKLOADS[type];
}

export function isServiceType(type: string): boolean {
    return type === TYPES.serviceV2 || type === TYPES.serviceV1;
}

/**
 * IAM resources that grant on a Cloud Run service or job: the service/job they target is in
 * `name` (v2) or `service` (v1), possibly as a full resource path.
 */
const CLOUD_RUN_IAM = /^gcp:cloudrun(v2)?\/(service|job|workerPool)?iam(member|binding|policy):/i;

export function isCloudRunIamType(type: string): boolean {
    return CLOUD_RUN_IAM.test(type);
}

/** Secret Manager IAM member, binding or policy: the secret they open is in `secretId`. */
export function isSecretIamType(type: string): boolean {
    return type === TYPES.secretIamMember || type === TYPES.secretIamBinding || type === TYPES.secretIamPolicy;
}

/** Any IAM member/binding/policy resource of the gcp provider (projects, secrets, Cloud Run...). */
export function isIamType(type: string): boolean {
    return /^gcp:[a-z0-9]+\/[a-z0-9]*iam(member|binding|policy):/i.test(type);
}

/** The name Cloud Run knows a resource by: its `name` input, else the logical (auto-name) name. */
export function cloudName(props: Props, logicalName: string): string {
    const name = props.name;
    return typeof name === "string" && name.trim() !== "" ? name : logicalName;
}

/** The last path segment of "projects/P/locations/L/services/S" (or S itself). */
export function lastSegment(reference: string): string {
    const parts = reference.trim().split("/");
    return parts[parts.length - 1] ?? "";
}

/** The Cloud Run service or job an IAM resource grants on. */
export function iamTarget(type: string, props: Props): string | undefined {
    const target = type.startsWith("gcp:cloudrun/") ? props.service : props.name;
    return typeof target === "string" ? lastSegment(target) : undefined;
}

export function labelsOf(type: string, props: Props): Record<string, unknown> {
    const labels = type.startsWith("gcp:cloudrun/") ? props.metadata?.labels : props.labels;
    return labels && typeof labels === "object" ? labels : {};
}

/** The revision template: v2 Service/WorkerPool `template`, v2 Job `template.template`, v1 `template.spec`. */
function revisionTemplate(type: string, props: Props): Props | undefined {
    if (type === TYPES.jobV2) return props.template?.template;
    if (type === TYPES.serviceV1) return props.template?.spec;
    return props.template;
}

/** The containers that are objects (a null or a string in the list is nothing to judge). */
export function containersOf(type: string, props: Props): Props[] {
    return asObjects(revisionTemplate(type, props)?.containers);
}

/** "container 'web'" or "container 0" for messages. */
export function containerLabel(container: Props, index: number): string {
    return typeof container.name === "string" && container.name !== "" ? `container '${container.name}'` : `container ${index}`;
}

/** Command and args as one word list (what actually runs). */
export function commandLine(container: Props): string[] {
    const words = [...asArray(container.commands), ...asArray(container.args)];
    return words.filter((w): w is string => typeof w === "string");
}

export interface EnvView {
    name: string;
    /** Reads the literal value lazily (it may be unknown during preview). */
    value: () => unknown;
    /** The Secret Manager secret it reads, when it reads one. */
    secret: () => string | undefined;
}

export function envsOf(container: Props): EnvView[] {
    return asObjects(container.envs)
        .filter((e: Props) => typeof e.name === "string")
        .map((e: Props) => ({
            name: e.name as string,
            value: () => e.value,
            secret: () => {
                const ref = e.valueSource?.secretKeyRef ?? e.valueFrom?.secretKeyRef;
                const secret = ref?.secret ?? ref?.name;
                return typeof secret === "string" ? secret : undefined;
            },
        }));
}

/** Secret names mounted as volumes. */
export function secretVolumesOf(type: string, props: Props): string[] {
    return asObjects(revisionTemplate(type, props)?.volumes)
        .map((v: Props) => v.secret?.secret ?? v.secret?.secretName)
        .filter((s): s is string => typeof s === "string");
}

export function serviceAccountOf(type: string, props: Props): unknown {
    const template = revisionTemplate(type, props);
    return type === TYPES.serviceV1 ? template?.serviceAccountName : template?.serviceAccount;
}

/** The revision name a service template asks for (v2 template.revision, v1 template.metadata.name). */
export function revisionNameOf(type: string, props: Props): unknown {
    return type === TYPES.serviceV1 ? props.template?.metadata?.name : type === TYPES.serviceV2 ? props.template?.revision : undefined;
}

export interface TrafficView {
    revision?: string;
    tag?: string;
    percent?: number;
    latest: boolean;
}

export function trafficOf(type: string, props: Props): TrafficView[] {
    if (!isServiceType(type)) return [];
    return asObjects(props.traffics).map((t: Props) => {
        const revision = type === TYPES.serviceV1 ? t.revisionName : t.revision;
        return {
            revision: typeof revision === "string" && revision !== "" ? revision : undefined,
            tag: typeof t.tag === "string" && t.tag !== "" ? t.tag : undefined,
            percent: typeof t.percent === "number" ? t.percent : undefined,
            latest: type === TYPES.serviceV1 ? t.latestRevision === true : t.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
        };
    });
}

/** Minimum warm instances of a service: v2 service- or template-level scaling, v1 minScale annotation. */
export function minInstancesOf(type: string, props: Props): number {
    if (type === TYPES.serviceV1) {
        const annotation: unknown = props.template?.metadata?.annotations?.["autoscaling.knative.dev/minScale"];
        const n = typeof annotation === "string" || typeof annotation === "number" ? Number(annotation) : NaN;
        return Number.isFinite(n) ? n : 0;
    }
    const counts = [props.scaling?.minInstanceCount, props.template?.scaling?.minInstanceCount].filter((n) => typeof n === "number");
    return counts.length > 0 ? Math.max(...counts) : 0;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function asArray(value: unknown): any[] {
    return Array.isArray(value) ? value : [];
}

/** The items of a list that are objects (not null, not arrays): what a policy can read fields of. */
export function asObjects(value: unknown): Props[] {
    return asArray(value).filter((v): v is Props => v !== null && typeof v === "object" && !Array.isArray(v));
}

/** A string field, or undefined for anything else (an object where a string belongs is no string). */
export function stringField(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** The container port a Cloud Run container listens on: its declared port (v2 object or v1 list), else Cloud Run's 8080. */
export function containerPortOf(container: Props): number {
    const ports: unknown = container.ports;
    const first: unknown = Array.isArray(ports) ? ports[0] : ports;
    const port: unknown = first && typeof first === "object" ? (first as Props).containerPort : undefined;
    return typeof port === "number" ? port : 8080;
}

// A loopback stand-in for the Cloud Run Admin API v2 service writes a deploy makes, strict about
// revision names, and a model of how the Google provider builds those writes.
//
// Cloud Run (googleapis google/cloud/run/v2 at f8291d2b): CreateService is
// `POST /v2/{parent}/services?serviceId=` (service.proto:50), UpdateService is
// `PATCH /v2/{service.name}` with the whole Service as body and an optional update_mask
// (service.proto:98, :193-209). `template.revision` is "the unique name for the revision"
// (revision_template.proto:33-38): a request that names a revision which exists with a different
// template is refused with 409 "Revision named '<rev>' with different configuration already
// exists" (the answer quoted in google-cloud-python#14259 and terraform-provider-google#14569);
// a request naming it with the same template reuses it. How Cloud Run compares templates is not
// public, so this stand-in takes the strictest reading: the template as it was sent, byte for
// byte (canonical JSON), against the one that created the revision. A traffic target must name
// an existing revision ("Revision '<rev>' does not exist", terraform-docs-samples#269) and the
// percents add up to 100 (traffic_target.proto).
//
// The provider (terraform-provider-google-beta v7.45.0, what @pulumi/gcp 9.37 bridges):
// resourceCloudRunV2ServiceUpdate sends PATCH with every field of `d.Get(...)` and no updateMask
// (resource_cloud_run_v2_service.go:2007-2197, the PATCH at :2174), so each update re-sends
// the whole template. `d.Get` of an Optional+Computed field the config leaves out is the value of
// the prior state, i.e. what Cloud Run answered the last read: OPTIONAL_COMPUTED lists those
// fields of the template (the schema's `Computed: true` under `template`, lines 246-897).

import * as http from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, any>;

/** Template fields that are Optional+Computed in the provider's schema (v7.45.0), as API paths; `[]` is every list item. */
export const OPTIONAL_COMPUTED: readonly string[] = [
    "containers[].ports[].name", // :364
    "containers[].livenessProbe.httpGet.port", // :296
    "containers[].startupProbe.httpGet.port", // :600
    "containers[].readinessProbe.httpGet.port", // :424
    "containers[].resources.limits", // :472
    "containers[].buildInfo", // :677
    "maxInstanceRequestConcurrency", // :730
    "scaling.maxInstanceCount", // :856
    "serviceAccount", // :871
    "timeout", // :897
];

/** Fills `path` of `target` from `prior` where the config left it out (the provider's d.Get of an Optional+Computed field). */
function fillFromPrior(target: Json | undefined, prior: Json | undefined, path: string[]): void {
    if (!target || !prior || path.length === 0) return;
    const [head, ...rest] = path;
    if (head.endsWith("[]")) {
        const key = head.slice(0, -2);
        const mine = target[key];
        const theirs = prior[key];
        if (!Array.isArray(mine) || !Array.isArray(theirs)) return;
        mine.forEach((item: Json, i: number) => fillFromPrior(item, theirs[i], rest));
        return;
    }
    if (rest.length === 0) {
        if (target[head] === undefined && prior[head] !== undefined) target[head] = structuredClone(prior[head]);
        return;
    }
    fillFromPrior(target[head], prior[head], rest);
}

/** The Service body the provider sends for the program's inputs (Pulumi's camelCase, MaxItems=1 blocks as objects). */
export function apiService(inputs: Json): Json {
    const template = structuredClone(inputs.template) as Json;
    for (const c of template.containers ?? []) {
        if (c.envs) {
            c.env = c.envs;
            delete c.envs;
        }
        if (c.ports && !Array.isArray(c.ports)) c.ports = [c.ports];
    }
    return { description: inputs.description, ingress: inputs.ingress, labels: inputs.labels, template, traffic: inputs.traffics };
}

/** The PATCH body: the config, with every Optional+Computed template field it leaves out taken from the prior state. */
export function providerUpdateBody(config: Json, priorState: Json): Json {
    const body = structuredClone(config);
    for (const path of OPTIONAL_COMPUTED) fillFromPrior(body.template, priorState.template, path.split("."));
    return body;
}

function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => a.localeCompare(b))) : v));
}

/** What Cloud Run fills into a template it answers with (the defaults revision_template.proto and k8s.min.proto document, and the port name it reports). */
function withServerDefaults(template: Json, project: string): Json {
    const t = structuredClone(template);
    t.maxInstanceRequestConcurrency ??= 80; // revision_template.proto: "defaults to 80 when requested CPU >= 1"
    t.timeout ??= "300s";
    t.serviceAccount ??= `123456789012-compute@developer.gserviceaccount.com (${project})`;
    t.scaling = { maxInstanceCount: 100, ...t.scaling };
    for (const c of t.containers ?? []) {
        c.ports = (c.ports ?? [{ containerPort: 8080 }]).map((p: Json) => ({ name: "http1", ...p }));
        c.resources = { ...c.resources, limits: c.resources?.limits ?? { cpu: "1000m", memory: "512Mi" } };
        for (const probe of [c.startupProbe, c.livenessProbe]) if (probe?.httpGet) probe.httpGet.port ??= c.ports[0].containerPort;
    }
    return t;
}

export interface Revision {
    name: string;
    /** The template as the request that created it sent it. */
    sent: string;
}

export class CloudRunRevisionsStandIn {
    readonly revisions = new Map<string, Revision>();
    readonly writes: { method: string; status: number; revision?: string; message?: string }[] = [];
    private service?: Json;
    private server?: http.Server;
    private generation = 0;
    url = "";

    constructor(
        readonly project: string,
        readonly region: string,
    ) {}

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            let raw = "";
            req.on("data", (c: Buffer) => (raw += c.toString()));
            req.on("end", () => this.handle(req.method ?? "GET", req.url ?? "/", raw, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    close(): Promise<void> {
        this.server?.closeAllConnections();
        return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private handle(method: string, path: string, raw: string, res: http.ServerResponse): void {
        const url = new URL(path, "http://stand-in");
        const parent = `/v2/projects/${this.project}/locations/${this.region}/services`;
        const body = raw ? (JSON.parse(raw) as Json) : {};
        if (method === "POST" && url.pathname === parent) return this.write("POST", url.searchParams.get("serviceId") ?? "", body, res, true);
        const m = new RegExp(`^${parent}/([^/]+)$`).exec(url.pathname);
        if (!m) return answer(res, 404, error(404, "NOT_FOUND", `no route ${method} ${url.pathname}`));
        if (method === "PATCH") return this.write("PATCH", m[1], body, res, false);
        if (method === "GET") {
            if (!this.service || this.service.name !== m[1]) return answer(res, 404, error(404, "NOT_FOUND", `Resource '${m[1]}' of kind 'SERVICE' does not exist.`));
            return answer(res, 200, this.read());
        }
        answer(res, 405, error(405, "METHOD_NOT_ALLOWED", method));
    }

    private write(method: string, name: string, body: Json, res: http.ServerResponse, create: boolean): void {
        const refuse = (status: number, grpc: string, message: string, revision?: string): void => {
            this.writes.push({ method, status, revision, message });
            answer(res, status, error(status, grpc, message));
        };
        if (create && this.service) return refuse(409, "ALREADY_EXISTS", `Resource '${name}' already exists.`);
        if (!create && (!this.service || this.service.name !== name)) return refuse(404, "NOT_FOUND", `Resource '${name}' of kind 'SERVICE' does not exist.`);
        const template = (body.template ?? {}) as Json;
        const { revision: named, ...rest } = template;
        const sent = canonical(rest);
        let revision: string;
        if (typeof named === "string" && named !== "") {
            if (!named.startsWith(`${name}-`)) return refuse(400, "INVALID_ARGUMENT", `Revision name '${named}' must be prefixed by the service name '${name}'.`);
            const existing = this.revisions.get(named);
            if (existing && existing.sent !== sent) return refuse(409, "ALREADY_EXISTS", `Revision named '${named}' with different configuration already exists.`, named);
            revision = named;
        } else {
            const latest = [...this.revisions.values()].pop();
            revision = latest && latest.sent === sent ? latest.name : `${name}-${String(++this.generation).padStart(5, "0")}-gen`;
        }
        const traffic = (body.traffic ?? [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]) as Json[];
        const known = (r: string): boolean => r === revision || this.revisions.has(r);
        const missing = traffic.find((t) => t.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" && !known(t.revision));
        if (missing) return refuse(400, "FAILED_PRECONDITION", `Revision '${missing.revision}' does not exist or is deleted. Update all traffic to route to currently available revisions.`);
        const total = traffic.reduce((s, t) => s + (t.percent ?? 0), 0);
        if (total !== 100) return refuse(400, "INVALID_ARGUMENT", `Traffic percents must add up to 100, got ${total}.`);
        if (!this.revisions.has(revision)) this.revisions.set(revision, { name: revision, sent });
        this.service = { name, template: structuredClone(template), traffic: structuredClone(traffic), latestCreatedRevision: revision };
        this.writes.push({ method, status: 200, revision });
        answer(res, 200, this.read());
    }

    /** The service as a GET answers it: server defaults filled in. */
    private read(): Json {
        const s = structuredClone(this.service!);
        s.template = withServerDefaults(s.template, this.project);
        return s;
    }
}

function error(code: number, status: string, message: string): Json {
    return { error: { code, status, message } };
}

function answer(res: http.ServerResponse, status: number, body: Json): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(body));
}

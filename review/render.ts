// Renders a recorded plan for people (a component tree with each resource's key settings) and
// for machines (JSON with every resource's type, name and inputs).

import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, StackPlan, UNKNOWN_OUTPUT } from "./plan";

type Obj = Record<string, unknown>;

const show = (v: unknown): string => (pulumi.isUnknown(v) ? UNKNOWN_OUTPUT : v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));
const obj = (v: unknown): Obj => (v && typeof v === "object" && !pulumi.isUnknown(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function envLines(container: Obj): string[] {
    return arr(container.envs).map((e) => {
        const env = obj(e);
        const ref = obj(obj(env.valueSource).secretKeyRef);
        return ref.secret !== undefined ? `${show(env.name)} <- secret ${show(ref.secret)}:${show(ref.version ?? "latest")}` : `${show(env.name)}=${show(env.value)}`;
    });
}

function probe(p: unknown): string {
    const http = obj(obj(p).httpGet);
    return http.path !== undefined ? `GET ${show(http.path)} :${show(http.port)}` : "none";
}

function serviceLines(i: Obj): string[] {
    const t = obj(i.template);
    const c = obj(arr(t.containers)[0]);
    const limits = obj(obj(c.resources).limits);
    const scaling = obj(t.scaling);
    const traffic = arr(i.traffics).map((x) => {
        const tr = obj(x);
        const target = tr.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" ? "LATEST" : show(tr.revision);
        return `${target}=${show(tr.percent)}%${tr.tag ? ` (tag ${show(tr.tag)})` : ""}`;
    });
    return [
        `name ${show(i.name)}  revision ${show(t.revision)}`,
        `image ${show(c.image)}  port ${show(obj(c.ports).containerPort)}`,
        `account ${show(t.serviceAccount)}`,
        `cpu ${show(limits.cpu)}  memory ${show(limits.memory)}  startup boost ${show(obj(c.resources).startupCpuBoost)}`,
        `instances ${show(scaling.minInstanceCount)}..${show(scaling.maxInstanceCount)}  concurrency ${show(t.maxInstanceRequestConcurrency)}  timeout ${show(t.timeout)}`,
        `probes startup ${probe(c.startupProbe)}, liveness ${probe(c.livenessProbe)}`,
        `ingress ${show(i.ingress)}  deletion protection ${show(i.deletionProtection)}`,
        `traffic ${traffic.join(", ") || "-"}`,
        ...envLines(c).map((l) => `env ${l}`),
    ];
}

function jobLines(i: Obj): string[] {
    const t = obj(obj(i.template).template);
    const c = obj(arr(t.containers)[0]);
    const limits = obj(obj(c.resources).limits);
    return [
        `name ${show(i.name)}  execution token ${show(i.runExecutionToken)}`,
        `image ${show(c.image)}`,
        `command ${show(c.commands)}  args ${show(c.args)}`,
        `account ${show(t.serviceAccount)}`,
        `cpu ${show(limits.cpu)}  memory ${show(limits.memory)}  retries ${show(t.maxRetries)}  timeout ${show(t.timeout)}`,
        `deletion protection ${show(i.deletionProtection)}`,
        ...envLines(c).map((l) => `env ${l}`),
    ];
}

/** The settings a reviewer reads for one resource. */
export function keySettings(r: RecordedResource): string[] {
    const i = r.inputs;
    switch (r.type) {
        case "gcp:cloudrunv2/service:Service":
            return serviceLines(i);
        case "gcp:cloudrunv2/job:Job":
            return jobLines(i);
        case "gcp:serviceaccount/account:Account":
            return [`account id ${show(i.accountId)} (${show(i.displayName)})`];
        case "gcp:secretmanager/secretIamMember:SecretIamMember":
        case "gcp:cloudrunv2/serviceIamMember:ServiceIamMember":
            return [`${show(i.role)} on ${show(i.secretId ?? i.name)} for ${show(i.member)}`];
        case "gcp:cloudrun/domainMapping:DomainMapping":
            return [`${show(i.name)} -> ${show(obj(i.spec).routeName)}`];
        default:
            return [];
    }
}

function shortType(type: string): string {
    const parts = type.split(":");
    return parts.length === 3 ? `${parts[0]}:${parts[2]}` : type;
}

/** The plan as an indented component tree. */
export function renderPlan(plan: StackPlan): string {
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const lines = [`Stack ${plan.stack} (${plan.environment}), project ${plan.project}: ${plan.resources.filter((r) => r.custom).length} resources`];
    const walk = (parent: string | undefined, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const pad = "  ".repeat(depth);
            lines.push(`${pad}${r.custom ? "+" : "#"} ${shortType(r.type)} ${r.name}`);
            for (const s of keySettings(r)) lines.push(`${pad}    ${s}`);
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 1);
    lines.push("  Outputs:");
    for (const [k, v] of Object.entries(plan.outputs)) lines.push(`    ${k}: ${show(v)}`);
    return lines.join("\n");
}

/** JSON-safe copy of a plan: preview unknowns become "(known after apply)". */
export function planToJson(plan: StackPlan): unknown {
    // The replacer sees values after toJSON(); the holder still has the original.
    return JSON.parse(
        JSON.stringify(plan, function (this: Record<string, unknown>, key: string, value: unknown) {
            return pulumi.isUnknown(this[key]) ? UNKNOWN_OUTPUT : value;
        }),
    );
}

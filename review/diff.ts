// The difference between two recorded plans of one stack, in Pulumi's own vocabulary:
// + create, - delete, ~ update, +- replace, each changed input as `old => new`. Inputs whose
// change makes Cloud Run or IAM replace the resource are marked, and a change the provider will
// refuse at `up` (a replacement or deletion under deletion protection, a replacement whose new
// resource takes the old one's name) is called out with its reason: the review refuses it.

import * as pulumi from "@pulumi/pulumi";
import { quoted } from "../catalog";
import type { RecordedResource, StackPlan } from "./plan";

export const DIFF_SCHEMA_VERSION = 1;

export type Op = "create" | "delete" | "update" | "replace" | "same";

export interface InputChange {
    path: string;
    old?: unknown;
    new?: unknown;
    /** The provider replaces the resource when this input changes. */
    replaces: boolean;
}

export interface ResourceDiff {
    op: Op;
    urn: string;
    type: string;
    name: string;
    changes: InputChange[];
    /** A replacement or deletion the provider refuses because deletion protection is on. */
    blockedByDeletionProtection: boolean;
    /** Why `up` fails on this change (deletion protection, a name taken by the resource it replaces); absent when it does not. */
    failsAtUp?: string;
}

export interface StackDiff {
    schemaVersion: number;
    stack: string;
    resources: ResourceDiff[];
    summary: Record<Exclude<Op, "same">, number> & { unchanged: number };
    /**
     * For a new prod control revision: the canary path CI takes instead of a direct switch (the
     * diff is then the first up: the new revision at 0 %, `stable` keeping 100 %), and the ladder it walks.
     */
    rollout?: { stable: string; canary: string; ladder: number[] };
}

// The provider's ForceNew fields (terraform-provider-google-beta v7.45.0, which @pulumi/gcp 9.37
// bridges), as Pulumi input paths. Cloud Run v2 service:
// google-beta/services/cloudrunv2/resource_cloud_run_v2_service.go:146-155 (location, name),
// :1342-1345 (tags), :1631-1635 (project)@3dc173a3; job: resource_cloud_run_v2_job.go:146-155,
// :809-812, :1044-1048@3dc173a3; domain mapping:
// google-beta/services/cloudrun/resource_cloud_run_domain_mapping.go:165-174 (location, name),
// :177-204 (spec and each of its fields), :213-297 (metadata and each of its fields), :392-396
// (project)@3dc173a3.
const REPLACING_INPUTS: Record<string, readonly string[]> = {
    "gcp:cloudrunv2/service:Service": ["name", "location", "project", "tags"],
    "gcp:cloudrunv2/job:Job": ["name", "location", "project", "tags"],
    "gcp:cloudrun/domainMapping:DomainMapping": ["name", "location", "project", "metadata", "spec"],
    "gcp:serviceaccount/account:Account": ["accountId", "project"],
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ["name", "location", "project", "role", "member"],
    "gcp:cloudrunv2/jobIamMember:JobIamMember": ["name", "location", "project", "role", "member"],
    "gcp:secretmanager/secretIamMember:SecretIamMember": ["secretId", "project", "role", "member"],
    "gcp:projects/iAMMember:IAMMember": ["project", "role", "member"],
};

/** The inputs that name the cloud resource: a replacement that keeps them all creates a resource whose name is still taken. */
const IDENTITY: Record<string, readonly string[]> = {
    "gcp:cloudrunv2/service:Service": ["project", "location", "name"],
    "gcp:cloudrunv2/job:Job": ["project", "location", "name"],
    "gcp:cloudrun/domainMapping:DomainMapping": ["project", "location", "name"],
    "gcp:serviceaccount/account:Account": ["project", "accountId"],
};

/**
 * Whether the provider refuses to delete this resource: Cloud Run v2 services and jobs refuse
 * while `deletion_protection` is true in state, and it defaults to true
 * (resource_cloud_run_v2_service.go:1620-1630 the default, :2234-2235 the refusal;
 * resource_cloud_run_v2_job.go:1033, :1533-1534@3dc173a3), or while `deletion_policy` is
 * PREVENT (resource_cloud_run_v2_service.go:2201-2202@3dc173a3).
 */
export function deletionProtected(r: Pick<RecordedResource, "type" | "inputs">): boolean {
    if (r.type !== "gcp:cloudrunv2/service:Service" && r.type !== "gcp:cloudrunv2/job:Job") return false;
    return r.inputs.deletionProtection !== false || r.inputs.deletionPolicy === "PREVENT";
}

/** Why `up` fails on replacing or deleting `old` (with `now` its replacement), or undefined. */
function failureAtUp(op: Op, old: RecordedResource, now: RecordedResource | undefined, changes: readonly InputChange[]): string | undefined {
    const forcing = changes.filter((c) => c.replaces).map((c) => c.path);
    if (deletionProtected(old)) {
        const what = op === "replace" ? `replacing it (${forcing.join(", ")} changed)` : "deleting it";
        return `deletion protection is on: ${what} deletes ${String(old.inputs.name)}, which the provider refuses ("cannot destroy ... without setting deletion_protection=false"); turn it off in one deploy, then change`;
    }
    const identity = IDENTITY[old.type];
    if (op === "replace" && now && identity && identity.every((k) => JSON.stringify(old.inputs[k]) === JSON.stringify(now.inputs[k]))) {
        return `replacing it (${forcing.join(", ")} changed) creates the new one before deleting the old, under the same name ${identity
            .map((k) => now.inputs[k])
            .filter((v) => v !== undefined)
            .map(String)
            .join("/")}: the create fails (already exists)`;
    }
    return undefined;
}

function replaces(type: string, path: string): boolean {
    return (REPLACING_INPUTS[type] ?? []).some((p) => path === p || path.startsWith(`${p}.`));
}

/** Every leaf of a JSON value as path -> value ("template.containers[0].image"). */
function leaves(value: unknown, at = "", out = new Map<string, unknown>()): Map<string, unknown> {
    if (pulumi.isUnknown(value)) out.set(at, "(known after apply)");
    else if (Array.isArray(value)) {
        if (value.length === 0) out.set(at, []);
        value.forEach((v, i) => leaves(v, `${at}[${i}]`, out));
    } else if (value && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        if (entries.length === 0) out.set(at, {});
        for (const [k, v] of entries) leaves(v, at ? `${at}.${k}` : k, out);
    } else if (value !== undefined) out.set(at, value);
    return out;
}

function changesOf(type: string, before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
    const a = leaves(before);
    const b = leaves(after);
    const changes: InputChange[] = [];
    for (const path of new Set([...a.keys(), ...b.keys()])) {
        const old = a.get(path);
        const now = b.get(path);
        if (JSON.stringify(old) === JSON.stringify(now)) continue;
        changes.push({ path, ...(a.has(path) ? { old } : {}), ...(b.has(path) ? { new: now } : {}), replaces: replaces(type, path) });
    }
    return changes.sort((x, y) => x.path.localeCompare(y.path));
}

/** Plans compared by URN: the identity Pulumi gives a resource across runs. */
export function diffPlans(stack: string, base: StackPlan | undefined, head: StackPlan): StackDiff {
    const before = new Map((base?.resources ?? []).filter((r) => r.custom).map((r) => [r.urn, r] as const));
    const after = new Map(head.resources.filter((r) => r.custom).map((r) => [r.urn, r] as const));
    const resources: ResourceDiff[] = [];
    const entry = (op: Op, r: RecordedResource, changes: InputChange[], old?: RecordedResource): ResourceDiff => {
        const fails = old && (op === "replace" || op === "delete") ? failureAtUp(op, old, op === "replace" ? r : undefined, changes) : undefined;
        return {
            op,
            urn: r.urn,
            type: r.type,
            name: r.name,
            changes,
            blockedByDeletionProtection: old !== undefined && (op === "replace" || op === "delete") && deletionProtected(old),
            ...(fails ? { failsAtUp: fails } : {}),
        };
    };
    for (const [urn, r] of after) {
        const old = before.get(urn);
        if (!old) resources.push(entry("create", r, changesOf(r.type, {}, r.inputs)));
        else {
            const changes = changesOf(r.type, old.inputs, r.inputs);
            const op: Op = changes.length === 0 ? "same" : changes.some((c) => c.replaces) ? "replace" : "update";
            resources.push(entry(op, r, changes, old));
        }
    }
    for (const [urn, r] of before) if (!after.has(urn)) resources.push(entry("delete", r, [], r));
    resources.sort((a, b) => a.urn.localeCompare(b.urn));
    const count = (op: Op) => resources.filter((r) => r.op === op).length;
    return {
        schemaVersion: DIFF_SCHEMA_VERSION,
        stack,
        resources,
        summary: { create: count("create"), update: count("update"), replace: count("replace"), delete: count("delete"), unchanged: count("same") },
    };
}

const SYMBOL: Record<Op, string> = { create: "+", delete: "-", update: "~", replace: "+-", same: " " };
const COLOUR: Record<Op, string> = { create: "\x1b[32m", delete: "\x1b[31m", update: "\x1b[33m", replace: "\x1b[35m", same: "" };
const RESET = "\x1b[0m";

function value(v: unknown): string {
    if (typeof v === "string") return quoted(v);
    const json = JSON.stringify(v) ?? String(v);
    return json.length > 100 ? `${json.slice(0, 100)}...` : json;
}

/** The changes of a diff that `up` would fail on. */
export function failingChanges(d: StackDiff): ResourceDiff[] {
    return d.resources.filter((r) => r.failsAtUp !== undefined);
}

/** `prod: 1 to update, 0 to replace, 2 unchanged` (creates and deletes when there are any). */
export function summaryLine(d: StackDiff): string {
    const parts = [
        ...(d.summary.create ? [`${d.summary.create} to create`] : []),
        `${d.summary.update} to update`,
        `${d.summary.replace} to replace`,
        ...(d.summary.delete ? [`${d.summary.delete} to delete`] : []),
        `${d.summary.unchanged} unchanged`,
    ];
    return `${d.stack}: ${parts.join(", ")}`;
}

/** The diff for people: one line per changed resource, one per changed input; colour when asked. */
export function renderDiff(d: StackDiff, colour = false): string {
    const paint = (op: Op, text: string) => (colour && COLOUR[op] ? `${COLOUR[op]}${text}${RESET}` : text);
    const lines = [`Changes (${d.stack}):`];
    for (const r of d.resources.filter((x) => x.op !== "same")) {
        lines.push(paint(r.op, `  ${SYMBOL[r.op].padEnd(2)} ${r.type} ${r.name}${r.op === "replace" ? " (replace)" : ""}`));
        if (r.failsAtUp) lines.push(paint("delete", `       ! fails at up: ${r.failsAtUp}`));
        if (r.op === "update" || r.op === "replace") {
            for (const c of r.changes) {
                const was = "old" in c ? value(c.old) : "(none)";
                const now = "new" in c ? value(c.new) : "(none)";
                const callout = /^traffics/.test(c.path) ? "  [traffic]" : /^template\.revision$/.test(c.path) ? "  [revision]" : "";
                lines.push(`       ${c.path}: ${was} => ${now}${c.replaces ? "  [forces replacement]" : ""}${callout}`);
            }
        }
    }
    if (lines.length === 1) lines.push("  no changes");
    lines.push(`  ${summaryLine(d)}`);
    return lines.join("\n");
}

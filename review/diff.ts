// The difference between two recorded plans of one stack, in Pulumi's own vocabulary:
// + create, - delete, ~ update, +- replace, each changed input as `old => new`. Inputs whose
// change makes Cloud Run or IAM replace the resource are marked, and a replacement of anything
// with deletion protection on is called out as the failure it would be at `up`.

import * as pulumi from "@pulumi/pulumi";
import { excerpt } from "../catalog";
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
    /** A replacement the provider refuses because deletion protection is on. */
    blockedByDeletionProtection: boolean;
}

export interface StackDiff {
    schemaVersion: number;
    stack: string;
    resources: ResourceDiff[];
    summary: Record<Exclude<Op, "same">, number> & { unchanged: number };
}

/** Inputs whose change replaces the resource (the gcp provider's ForceNew fields), by type token. */
const REPLACING_INPUTS: Record<string, readonly string[]> = {
    "gcp:cloudrunv2/service:Service": ["name", "location", "project"],
    "gcp:cloudrunv2/job:Job": ["name", "location", "project"],
    "gcp:cloudrun/domainMapping:DomainMapping": ["name", "location", "metadata.namespace", "spec.routeName"],
    "gcp:serviceaccount/account:Account": ["accountId", "project"],
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ["name", "location", "project", "role", "member"],
    "gcp:cloudrunv2/jobIamMember:JobIamMember": ["name", "location", "project", "role", "member"],
    "gcp:secretmanager/secretIamMember:SecretIamMember": ["secretId", "project", "role", "member"],
    "gcp:projects/iAMMember:IAMMember": ["project", "role", "member"],
};

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
    const entry = (op: Op, r: RecordedResource, changes: InputChange[], protectedNow = false): ResourceDiff => ({
        op, urn: r.urn, type: r.type, name: r.name, changes, blockedByDeletionProtection: op === "replace" && protectedNow,
    });
    for (const [urn, r] of after) {
        const old = before.get(urn);
        if (!old) resources.push(entry("create", r, changesOf(r.type, {}, r.inputs)));
        else {
            const changes = changesOf(r.type, old.inputs, r.inputs);
            const op: Op = changes.length === 0 ? "same" : changes.some((c) => c.replaces) ? "replace" : "update";
            resources.push(entry(op, r, changes, old.inputs.deletionProtection === true));
        }
    }
    for (const [urn, r] of before) if (!after.has(urn)) resources.push(entry("delete", r, [], r.inputs.deletionProtection === true));
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
    if (typeof v === "string") return excerpt(v);
    const json = JSON.stringify(v) ?? String(v);
    return json.length > 100 ? `${json.slice(0, 100)}...` : json;
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
        if (r.blockedByDeletionProtection) lines.push(paint("delete", `       ! deletion protection is on: this ${r.op} fails at up (turn it off first, see Troubleshooting)`));
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

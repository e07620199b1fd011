// Who may invoke the runtime, stated as a property of every grant that could open it: a grant
// on the service itself (member, binding or policy, either API), or on the project, which
// reaches every service in it. The runtime's /internal/v1 write API has no authentication of
// its own, so only named callers (the control service's account, the gate) may hold an
// invoker role on it. The migrate job runs migrations with the database secret: no one at large
// may run it. Config and the pack read these alike.

import { googleProductAccountReason } from "./legacy";

export const ACCESS_SOURCES = {
    roles:
        "https://cloud.google.com/run/docs/reference/iam/roles (run.routes.invoke is in roles/run.invoker, roles/run.servicesInvoker, " +
        "roles/run.developer and roles/run.admin; jobs run with run.jobs.run: roles/run.invoker, roles/run.jobsExecutor, " +
        "roles/run.jobsExecutorWithOverrides, roles/run.developer, roles/run.admin)",
    members:
        "https://cloud.google.com/iam/docs/principal-identifiers (allUsers, allAuthenticatedUsers, domain:, principalSet:, " +
        "projectOwner:/projectEditor:/projectViewer: each stand for many principals); a project-level grant applies to every resource in it",
    customRoles:
        "https://cloud.google.com/iam/docs/creating-custom-roles (projects/<id>/roles/<name> and organizations/<id>/roles/<name> hold any " +
        "permissions their author chose, run.routes.invoke and run.jobs.run included; the grant alone does not say which)",
} as const;

/**
 * Why a grant on a secret or a service account to `member` gives what it guards to many
 * principals (ACCESS_SOURCES.members), or undefined. Any role counts: a secret's value or a
 * workload's identity is for the named account that needs it.
 */
export function broadSensitiveGrantProblem(kind: "secret" | "service account", role: string, member: string): string | undefined {
    const broad = broadMemberReason(member);
    if (!broad) return undefined;
    return kind === "secret" ? `${role.trim()} for ${broad}: a secret is read by the named account that needs it, no one at large` : `${role.trim()} for ${broad}: they could act as the workload`;
}

/** A custom role (ACCESS_SOURCES.customRoles): what it carries is not in the grant. */
export function isCustomRole(role: string): boolean {
    return /^(projects|organizations)\/[^/]+\/roles\/[^/]+$/.test(role.trim());
}

const CUSTOM_ROLE_NOTE = "may carry run.routes.invoke (a custom role: its permissions are not in the plan) and";

/** Roles that carry run.routes.invoke (call a service). */
export const INVOKE_ROLES: readonly string[] = ["roles/run.invoker", "roles/run.servicesInvoker", "roles/run.developer", "roles/run.admin"];
/** Roles whose only Cloud Run power is to invoke. */
const PURE_INVOKE_ROLES: readonly string[] = ["roles/run.invoker", "roles/run.servicesInvoker"];
/** Roles that carry run.jobs.run (execute a job). */
export const RUN_JOB_ROLES: readonly string[] = ["roles/run.invoker", "roles/run.jobsExecutor", "roles/run.jobsExecutorWithOverrides", "roles/run.developer", "roles/run.admin"];

/** Why a member stands for many principals (ACCESS_SOURCES.members), or undefined for one named principal. */
export function broadMemberReason(member: string): string | undefined {
    const m = member.trim();
    const lower = m.toLowerCase();
    if (lower === "allusers") return `'${m}' (anyone on the internet)`;
    if (lower === "allauthenticatedusers") return `'${m}' (anyone with a Google account)`;
    if (lower.startsWith("domain:")) return `'${m}' (everyone in a domain)`;
    if (lower.startsWith("principalset:")) return `'${m}' (a set of principals)`;
    if (/^project(owner|editor|viewer):/.test(lower)) return `'${m}' (every holder of a basic role on a project)`;
    return undefined;
}

export type GrantScope = "runtime" | "project" | "job";

/**
 * Why a grant of `role` to `member` on `scope` opens the runtime or its migrate job to more
 * than its named callers (ACCESS_SOURCES), or undefined.
 */
export function openingGrantProblem(scope: GrantScope, role: string, member: string): string | undefined {
    const r = role.trim();
    const broad = broadMemberReason(member);
    // A custom role for a broad member is judged as if it carried the power: nothing shows it does not.
    if (broad && isCustomRole(r)) {
        if (scope === "runtime") return `${r} for ${broad} ${CUSTOM_ROLE_NOTE} lets them call the runtime's unauthenticated internal API`;
        if (scope === "job") return `${r} for ${broad} ${CUSTOM_ROLE_NOTE.replace("run.routes.invoke", "run.jobs.run")} lets them run migrations with the database secret`;
        return `${r} on the project for ${broad} ${CUSTOM_ROLE_NOTE} lets them call every service, the runtime's internal API too`;
    }
    if (scope === "runtime") {
        if (!INVOKE_ROLES.includes(r)) return undefined;
        if (broad) return `${r} for ${broad} lets them call the runtime's unauthenticated internal API`;
        const product = googleProductAccountReason(member);
        if (product) return `${r} for ${product.replace(/^'([^']*)' is /, "'$1', ")}, no named caller of the runtime`;
        return undefined;
    }
    if (scope === "job") {
        if (!RUN_JOB_ROLES.includes(r)) return undefined;
        return broad ? `${r} for ${broad} lets them run migrations with the database secret` : undefined;
    }
    if (!INVOKE_ROLES.includes(r)) return undefined;
    if (broad) return `${r} on the project for ${broad} lets them call every service, the runtime's internal API too`;
    if (PURE_INVOKE_ROLES.includes(r)) return `${r} on the project for '${member.trim()}' reaches every service, the runtime too: grant it on the one service it calls`;
    return undefined;
}

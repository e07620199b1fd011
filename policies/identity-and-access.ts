// Mandatory: identity and access. Every legacy lane ran as the default compute account; no
// primitive role is ever granted; the runtime service (whose /internal/v1 write API has no
// authentication of its own) is never invokable by everyone nor with its invoker check off.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import {
    ENVIRONMENTS,
    PRIMITIVE_ROLES,
    RUNTIME,
    RUNTIME_MIGRATE,
    quoted,
    iamMemberProblem,
    isDefaultComputeAccount,
    openingGrantProblem,
    providerSettingProblem,
    broadSensitiveGrantProblem,
} from "../catalog";
import { TYPES, asObjects, cloudName, iamTarget, isCloudRunIamType, isIamType, isSecretIamType, serviceAccountOf, stringField, workloadType } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";
import { UNKNOWN, readKnown } from "./lib/unknown";

/** The gcp provider, default or explicit: its settings decide where the deploy's requests go and as whom (catalog/provider.ts). */
const GCP_PROVIDER = "pulumi:providers:gcp";

const RUNTIME_NAMES = ENVIRONMENTS.map((e) => RUNTIME.names[e]);

const JOB_NAMES = ENVIRONMENTS.map((e) => RUNTIME_MIGRATE.names[e]);

function isRuntimeName(name: string): boolean {
    return RUNTIME_NAMES.includes(name.trim().toLowerCase());
}

/** Project-, folder- and organization-level IAM: a grant there reaches every service below. */
const PROJECT_IAM = /^gcp:(projects|folder|organizations)\/iam(member|binding|policy):/i;

interface Grant {
    role: string;
    members: string[];
}

interface Grants {
    grants: Grant[];
    /** policyData was given but is not JSON: its grants cannot be read, so they cannot pass. */
    unparseable: boolean;
}

function memberStrings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === "string") : [];
}

/** Role/member pairs of an IAM member, binding or policy resource (policyData is JSON). */
function grantsOf(props: Props): Grants {
    const grants: Grant[] = [];
    const member = readKnown(() => props.member);
    const members = readKnown(() => props.members);
    const role = props.role;
    if (typeof role === "string") {
        grants.push({ role, members: [...(typeof member === "string" ? [member] : []), ...memberStrings(members)] });
    }
    if (typeof props.policyData === "string") {
        let policy: unknown;
        try {
            policy = JSON.parse(props.policyData);
        } catch {
            return { grants, unparseable: true };
        }
        const bindings: unknown = policy && typeof policy === "object" ? (policy as Props).bindings : undefined;
        if (!policy || typeof policy !== "object" || Array.isArray(policy) || (bindings !== undefined && !Array.isArray(bindings))) return { grants, unparseable: true };
        for (const b of asObjects(bindings)) {
            if (typeof b.role === "string") grants.push({ role: b.role, members: memberStrings(b.members) });
        }
    }
    return { grants, unparseable: false };
}

export const identityAndAccess: PackResourcePolicy = {
    name: "identity-and-access",
    description:
        "No workload on the default compute account, no primitive role, the runtime service is never public, no secret or " +
        "service account is opened to everyone, and the gcp provider " +
        "sends the deploy's requests to Google as the deploying identity (no custom endpoint, credentials or impersonation).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Give each workload its own service account (services/workload-identity.ts), grant predefined roles on the " +
        "narrowest resource (e.g. roles/run.invoker on the runtime for the control service's account), and keep " +
        "allUsers/allAuthenticatedUsers and invokerIamDisabled off the runtime service; set only gcp:project, gcp:region " +
        "and gcp:zone in the stack file.",
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        if (type === GCP_PROVIDER) {
            // The engine hands the provider its stack settings as inputs; an unknown one is still set.
            for (const name of Object.keys(props)) {
                const value = readKnown(() => props[name]);
                const why = providerSettingProblem(name, value === UNKNOWN ? "(unknown)" : value);
                if (why) reportViolation(`gcp provider '${args.name}' sets ${name}: ${why}`);
            }
            return;
        }
        const workload = workloadType(type);
        if (workload) {
            const name = cloudName(props, args.name);
            const account = readKnown(() => serviceAccountOf(type, props));
            // Unknown during preview means an account created by this deployment: not the default one.
            if (account !== UNKNOWN) {
                if (typeof account !== "string" || account.trim() === "") {
                    reportViolation(`${workload.kind} '${name}' sets no service account, so it runs as the default compute account`);
                } else if (isDefaultComputeAccount(account)) {
                    reportViolation(`${workload.kind} '${name}' runs as the default compute account '${account}'`);
                }
            }
            if (workload.kind === "service" && isRuntimeName(name)) {
                const disabled =
                    type === TYPES.serviceV1 ? stringField(props.metadata?.annotations?.["run.googleapis.com/invoker-iam-disabled"])?.toLowerCase() === "true" : props.invokerIamDisabled === true;
                if (disabled) reportViolation(`runtime service '${name}' has its invoker IAM check disabled: anyone could call its internal API`);
            }
            return;
        }
        if (!isIamType(type)) return args.notApplicable("neither a Cloud Run workload nor an IAM grant");
        const { grants, unparseable } = grantsOf(props);
        if (unparseable) reportViolation(`IAM grant '${args.name}' has policyData that is not a JSON IAM policy (an object with a list of bindings), so its grants cannot be checked`);
        for (const grant of grants) {
            if ((PRIMITIVE_ROLES as readonly string[]).includes(grant.role)) {
                reportViolation(`IAM grant '${args.name}' gives the primitive role '${grant.role}'${grant.members.length ? ` to ${grant.members.join(", ")}` : ""}`);
            }
        }
        // A secret or a workload's account opened to everyone, whichever resource type spells the grant.
        const sensitive = isSecretIamType(type)
            ? { kind: "secret" as const, target: stringField(readKnown(() => props.secretId)) }
            : /^gcp:serviceaccount\//i.test(type)
              ? { kind: "service account" as const, target: stringField(readKnown(() => props.serviceAccountId)) }
              : undefined;
        if (sensitive) {
            const target = sensitive.target === undefined ? args.name : (sensitive.target.split("/").pop() ?? sensitive.target);
            for (const grant of grants) {
                for (const member of grant.members) {
                    const why = broadSensitiveGrantProblem(sensitive.kind, grant.role, member);
                    if (why) reportViolation(`${sensitive.kind} '${target}' is opened by grant '${args.name}': ${why}`);
                }
            }
        }
        if (isCloudRunIamType(type)) {
            const target = iamTarget(type, props);
            for (const member of grants.flatMap((g) => g.members).filter((m) => isDefaultComputeAccount(m))) {
                reportViolation(`Cloud Run grant '${args.name}' lets the default compute account ${quoted(member)} invoke '${target ?? "?"}': every default workload runs as it`);
            }
            for (const member of grants.flatMap((g) => g.members)) {
                const why = /^(serviceAccount|user|group):/.test(member) && !isDefaultComputeAccount(member) ? iamMemberProblem(member) : undefined;
                if (why) reportViolation(`Cloud Run grant '${args.name}' names member ${quoted(member)}, which IAM refuses: ${why}`);
            }
            // Every grant on the runtime or its job, whichever resource type spells it.
            const scope = target === undefined ? undefined : isRuntimeName(target) && !/job/i.test(type) ? "runtime" : JOB_NAMES.includes(target.trim().toLowerCase()) ? "job" : undefined;
            if (scope !== undefined) {
                for (const grant of grants) {
                    for (const member of grant.members) {
                        const why = openingGrantProblem(scope, grant.role, member);
                        if (why) reportViolation(`${scope === "runtime" ? "runtime service" : "migrate job"} '${target}' is opened by grant '${args.name}': ${why}`);
                    }
                }
            }
        }
        if (PROJECT_IAM.test(type)) {
            for (const grant of grants) {
                for (const member of grant.members) {
                    const why = openingGrantProblem("project", grant.role, member);
                    if (why) reportViolation(`project grant '${args.name}' opens the runtime: ${why}`);
                }
            }
        }
    },
};

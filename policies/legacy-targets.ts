// Mandatory: no legacy Laravel or Elixir target, whichever part of a resource is the legacy
// one. The production trap this guards against: the Rust image deployed INTO the legacy
// service kept its name, env, secrets and a traffic pin to an old Laravel revision.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { ResourceValidationArgs } from "@pulumi/policy";
import {
    legacyCommandReason,
    legacyEnvReason,
    legacyImageReason,
    legacyNameReason,
    legacySecretReason,
} from "../catalog";
import {
    TYPES,
    cloudName,
    commandLine,
    containersOf,
    envsOf,
    iamTarget,
    isCloudRunIamType,
    revisionNameOf,
    secretVolumesOf,
    trafficOf,
    workloadType,
} from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";
import { readKnown } from "./lib/unknown";

export interface LegacyTargetsConfig {
    /** More legacy resource names (or name fragments), matched like the catalog's stems. */
    additionalLegacyNames: string[];
    /** More legacy image repositories, e.g. "us-central1-docker.pkg.dev/openagentsgemini/old-web". */
    additionalLegacyImageRepositories: string[];
}

function squash(value: string): string {
    return value.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Catalog matchers extended by the policy config. */
function nameReason(name: string, config: LegacyTargetsConfig): string | undefined {
    const catalog = legacyNameReason(name);
    if (catalog) return catalog;
    const extra = config.additionalLegacyNames.find((n) => squash(n) !== "" && squash(name).includes(squash(n)));
    return extra ? `'${name}' carries the legacy name '${extra}' (policy config)` : undefined;
}

function imageReason(image: string, config: LegacyTargetsConfig): string | undefined {
    const catalog = legacyImageReason(image);
    if (catalog) return catalog;
    const lower = image.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
    const extra = config.additionalLegacyImageRepositories.find((r) => {
        const repo = r.trim().toLowerCase().replace(/\/+$/, "");
        return repo !== "" && (lower.startsWith(`${repo}:`) || lower.startsWith(`${repo}@`) || lower.startsWith(`${repo}/`) || lower === repo);
    });
    return extra ? `image '${image}' is from the legacy repository '${extra}' (policy config)` : undefined;
}

function checkWorkload(args: ResourceValidationArgs, kind: string, report: (m: string) => void, config: LegacyTargetsConfig): void {
    const { type, props } = args;
    const name = cloudName(props, args.name);
    const subject = `${kind} '${name}'`;
    const nameWhy = nameReason(name, config);
    if (nameWhy) report(`${subject} is a legacy target: ${nameWhy}`);

    const revision = revisionNameOf(type, props);
    if (typeof revision === "string") {
        const why = nameReason(revision, config);
        if (why) report(`${subject} names a legacy revision: ${why}`);
    }
    for (const target of trafficOf(type, props)) {
        for (const ref of [target.revision, target.tag]) {
            const why = ref !== undefined ? nameReason(ref, config) : undefined;
            if (why) report(`${subject} routes traffic to a legacy revision: ${why}`);
        }
    }
    containersOf(type, props).forEach((container: Props) => {
        if (typeof container.image === "string") {
            const why = imageReason(container.image, config);
            if (why) report(`${subject} runs a legacy image: ${why}`);
        }
        const why = legacyCommandReason(commandLine(container));
        if (why) report(`${subject} runs a legacy command: ${why}`);
        for (const env of envsOf(container)) {
            const secret = env.secret();
            // A literal unknown during preview still leaves the name to judge.
            const value = secret === undefined ? readKnown(env.value) : undefined;
            const envWhy = legacyEnvReason(env.name, typeof value === "string" ? value : undefined);
            if (envWhy) report(`${subject} carries legacy env: ${envWhy}`);
            const secretWhy = secret !== undefined ? legacySecretReason(secret) : undefined;
            if (secretWhy) report(`${subject} reads a legacy secret: ${secretWhy}`);
        }
    });
    for (const secret of secretVolumesOf(type, props)) {
        const why = legacySecretReason(secret);
        if (why) report(`${subject} mounts a legacy secret: ${why}`);
    }
}

export const noLegacyTargets: PackResourcePolicy = {
    name: "no-legacy-targets",
    description: "No Cloud Run resource may be, run, route to or carry residue of a legacy Laravel or Elixir lane.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Deploy to the canonical Rust lanes only (see catalog/lanes.ts). Do not reuse a legacy service, job, image, " +
        "command, env var, secret, revision or domain mapping; create the canonical resource instead and move traffic to it.",
    configSchema: {
        properties: {
            additionalLegacyNames: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: [],
                description: "Further legacy resource names or name fragments (compared case- and separator-insensitively).",
            },
            additionalLegacyImageRepositories: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: [],
                description: "Further legacy image repositories (host/path, no tag).",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<LegacyTargetsConfig>();
        const { type, props } = args;
        const workload = workloadType(type);
        if (workload) return checkWorkload(args, workload.kind, reportViolation, config);
        if (type === TYPES.domainMappingV1) {
            const route = props.spec?.routeName;
            const why = typeof route === "string" ? nameReason(lastPart(route), config) : undefined;
            if (why) reportViolation(`domain mapping '${cloudName(props, args.name)}' routes to a legacy service: ${why}`);
            return;
        }
        if (isCloudRunIamType(type)) {
            const target = iamTarget(type, props);
            const why = target !== undefined ? nameReason(target, config) : undefined;
            if (why) reportViolation(`IAM grant '${args.name}' is on a legacy target: ${why}`);
            return;
        }
        if (type === TYPES.secretIamMember) {
            const secret = props.secretId;
            const why = typeof secret === "string" ? legacySecretReason(secret) : undefined;
            if (why) reportViolation(`secret grant '${args.name}' opens a legacy secret: ${why}`);
            return;
        }
        args.notApplicable("not a Cloud Run workload, domain mapping or grant");
    },
};

function lastPart(reference: string): string {
    const parts = reference.split("/");
    return parts[parts.length - 1] ?? reference;
}

// Mandatory: no legacy Laravel or Elixir target, whichever part of a resource is the legacy
// one. The production trap this guards against: the Rust image deployed INTO the legacy
// service kept its name, env, secrets and a traffic pin to an old Laravel revision.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { ResourceValidationArgs } from "@pulumi/policy";
import { googleProductAccountReason, legacyCommandReason, legacyEnvReason, legacyImageReason, legacyNameReason, legacyRevisionReason, legacySecretReason, legacyUrlReason } from "../catalog";
import {
    DELIVERY_TYPES,
    TYPES,
    cloudName,
    commandLine,
    containersOf,
    deliveriesOf,
    envsOf,
    serviceAccountOf,
    stringField,
    iamTarget,
    isCloudRunIamType,
    isSecretIamType,
    lastSegment,
    revisionNameOf,
    secretVolumesOf,
    trafficOf,
    workloadType,
} from "./lib/resources";
import type { PackResourcePolicy } from "./lib/types";
import { SubChecks, UNKNOWN, readKnown } from "./lib/unknown";

export interface LegacyTargetsConfig {
    /** More legacy resource names (or name fragments), matched like the catalog's stems. */
    additionalLegacyNames: string[];
    /** More legacy image repositories, e.g. "us-central1-docker.pkg.dev/openagentsgemini/old-web". */
    additionalLegacyImageRepositories: string[];
}

function checkWorkload(args: ResourceValidationArgs, kind: string, checks: SubChecks, config: LegacyTargetsConfig): void {
    const { type, props } = args;
    const report = checks.report;
    // Each block below is one sub-check: a value unknown during preview skips only that block.
    let name: string | undefined;
    checks.run(() => (name = cloudName(props, args.name)));
    const subject = `${kind} '${name ?? args.name}'`;
    let ownService: string | undefined;
    checks.run(() => {
        if (name === undefined) return;
        const why = legacyNameReason(name, config.additionalLegacyNames);
        if (why) report(`${subject} is a legacy target: ${why}`);
        else ownService = name;
    });
    checks.run(() => {
        const revision = revisionNameOf(type, props);
        const why = typeof revision === "string" ? legacyRevisionReason(revision, ownService, config.additionalLegacyNames) : undefined;
        if (why) report(`${subject} names a legacy revision: ${why}`);
    });
    checks.run(() => {
        for (const target of trafficOf(type, props)) {
            // The revision is where traffic goes; a tag is only a URL prefix on this service, whatever its words.
            const revisionWhy = target.revision !== undefined ? legacyRevisionReason(target.revision, ownService, config.additionalLegacyNames) : undefined;
            if (revisionWhy) report(`${subject} routes traffic to a legacy revision: ${revisionWhy}`);
        }
    });
    checks.run(() => {
        // Unknown during preview means an account this deployment creates: none of another product's.
        const known = readKnown(() => serviceAccountOf(type, props));
        const account = known === UNKNOWN ? undefined : stringField(known);
        const why = account !== undefined ? googleProductAccountReason(account) : undefined;
        // The default compute account is identity-and-access's to report.
        if (why && !why.includes("default compute")) report(`${subject} runs as another Google product's account, as the legacy lanes did: ${why}`);
    });
    checks.run(() => {
        for (const container of containersOf(type, props)) {
            checks.run(() => {
                const image = container.image;
                const why = typeof image === "string" ? legacyImageReason(image, config.additionalLegacyImageRepositories) : undefined;
                if (why) report(`${subject} runs a legacy image: ${why}`);
            });
            checks.run(() => {
                // Cloud Run expands $(NAME) from the container's env before it runs the words.
                const literals = new Map<string, string>();
                for (const env of envsOf(container)) {
                    const v = readKnown(env.value);
                    if (typeof v === "string") literals.set(env.name, v);
                }
                const why = legacyCommandReason(commandLine(container), literals);
                if (why) report(`${subject} runs a legacy command: ${why}`);
            });
            checks.run(() => {
                for (const env of envsOf(container)) {
                    checks.run(() => {
                        // A literal unknown during preview still leaves the name to judge.
                        const value = readKnown(env.value);
                        const why = legacyEnvReason(env.name, typeof value === "string" ? value : undefined);
                        if (why) report(`${subject} carries legacy env: ${why}`);
                    });
                    checks.run(() => {
                        const secret = env.secret();
                        const why = secret !== undefined ? legacySecretReason(secret) : undefined;
                        if (why) report(`${subject} reads a legacy secret: ${why}`);
                    });
                }
            });
        }
    });
    checks.run(() => {
        for (const secret of secretVolumesOf(type, props)) {
            const why = legacySecretReason(secret);
            if (why) report(`${subject} mounts a legacy secret: ${why}`);
        }
    });
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
        if (workload) {
            const checks = new SubChecks(reportViolation);
            checkWorkload(args, workload.kind, checks, config);
            return checks.finish();
        }
        if (type === TYPES.domainMappingV1) {
            const route = props.spec?.routeName;
            const why = typeof route === "string" ? legacyNameReason(lastSegment(route), config.additionalLegacyNames) : undefined;
            if (why) reportViolation(`domain mapping '${cloudName(props, args.name)}' routes to a legacy service: ${why}`);
            return;
        }
        if (DELIVERY_TYPES.includes(type)) {
            // Whatever delivers requests or events to a service: a load balancer's NEG, a trigger, a schedule, a push, a queue.
            const checks = new SubChecks(reportViolation);
            checks.run(() => {
                for (const d of deliveriesOf(type, props)) {
                    const why =
                        d.service !== undefined ? legacyNameReason(d.service, config.additionalLegacyNames) : d.url !== undefined ? legacyUrlReason(d.url, config.additionalLegacyNames) : undefined;
                    if (why) checks.report(`${d.what} '${cloudName(props, args.name)}' delivers to a legacy target: ${why}`);
                }
            });
            return checks.finish();
        }
        if (isCloudRunIamType(type)) {
            const target = iamTarget(type, props);
            const why = target !== undefined ? legacyNameReason(target, config.additionalLegacyNames) : undefined;
            if (why) reportViolation(`IAM grant '${args.name}' is on a legacy target: ${why}`);
            return;
        }
        if (isSecretIamType(type)) {
            const secret = props.secretId;
            const why = typeof secret === "string" ? legacySecretReason(secret) : undefined;
            if (why) reportViolation(`secret grant '${args.name}' opens a legacy secret: ${why}`);
            return;
        }
        args.notApplicable("not a Cloud Run workload, domain mapping, delivery (NEG, trigger, schedule, push, queue) or grant");
    },
};

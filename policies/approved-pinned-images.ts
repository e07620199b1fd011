// Mandatory: every container image comes from the approved Artifact Registry repository of its
// lane and names an exact build (a tag other than latest, or a digest).

/* eslint-disable @typescript-eslint/no-unsafe-assignment --
   props are the engine's untyped JSON (Record<string, any>, read through its proxy); every value is type-checked where it is used. */
import { CLOUD_RUN_LANES, Environment, quoted, isPinned, parseImageRef } from "../catalog";
import { environmentConfigProperty, laneOf, resolveEnvironment } from "./lib/environment";
import { cloudName, containerLabel, containersOf, workloadType } from "./lib/resources";
import type { PackResourcePolicy, Props } from "./lib/types";

export interface ApprovedImagesConfig {
    environment?: Environment;
    /** Extra approved repositories (host/path, no tag), for any lane. */
    additionalRepositories: string[];
}

function normalizeRepository(repository: string): string {
    return repository.trim().toLowerCase().replace(/\/+$/, "");
}

export const approvedImages: PackResourcePolicy = {
    name: "approved-pinned-images",
    description: "Container images come from the lane's approved Artifact Registry repository, pinned by tag or digest.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Build with Cloud Build into the lane's repository (catalog/lanes.ts imageRepository) and deploy a commit tag " + "or a sha256 digest; never 'latest' or an untagged reference.",
    configSchema: {
        properties: {
            environment: environmentConfigProperty,
            additionalRepositories: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: [],
                description: "Further approved image repositories (host/path, no tag), for any lane.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const { type, props } = args;
        const workload = workloadType(type);
        if (!workload) return args.notApplicable("not a Cloud Run service, job or worker pool");
        const config = args.getConfig<ApprovedImagesConfig>();
        const name = cloudName(props, args.name);
        const environment = resolveEnvironment({ configured: config.environment, stackTags: args.stackTags, type, props, name });
        const lane = laneOf(name, environment, type, props);
        const approved = [...(lane ? [lane.imageRepository] : CLOUD_RUN_LANES.map((l) => l.imageRepository)), ...config.additionalRepositories].map(normalizeRepository);

        containersOf(type, props).forEach((container: Props, index: number) => {
            const subject = `${workload.kind} '${name}' ${containerLabel(container, index)}`;
            const image = container.image;
            const ref = typeof image === "string" ? parseImageRef(image) : undefined;
            if (!ref) {
                reportViolation(`${subject}: image ${quoted(image)} is not a valid image reference`);
                return;
            }
            if (!approved.includes(ref.repository)) {
                const expected = lane ? `the ${lane.id} lane's repository` : "an approved repository";
                reportViolation(`${subject}: image ${quoted(image)} is not from ${expected} (${[...new Set(approved)].join(", ")})`);
            }
            if (!isPinned(ref)) {
                reportViolation(`${subject}: image ${quoted(image)} is not pinned: use a tag other than 'latest' or a sha256 digest`);
            }
        });
    },
};

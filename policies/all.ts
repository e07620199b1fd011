// Every policy of the pack, in report order. Importing this starts nothing (index.ts builds
// the PolicyPack, which starts the policy server); tests and the offline review use it.

import { approvedImages } from "./approved-pinned-images";
import { canaryLadder } from "./canary-ladder";
import { canonicalLaneNames } from "./canonical-lane-names";
import { cloudRunLimits } from "./cloud-run-limits";
import { healthProbes } from "./health-probes";
import { identityAndAccess } from "./identity-and-access";
import { laneLabels } from "./lane-labels";
import { noLegacyTargets } from "./no-legacy-targets";
import { productionSafety } from "./production-safety";
import { resourceLimits } from "./resource-limits";
import { runtimeImageLock } from "./runtime-image-lock";
import { secretsFromSecretManager } from "./secrets-from-secret-manager";
import { servingContract } from "./serving-contract";
import { serviceNeeds } from "./service-needs";
import { total } from "./lib/total";
import type { PackPolicy } from "./lib/types";

export const PACK_NAME = "openagents-rust-lanes";

/** Each guarded by total(): a throw is that policy's violation, never the end of the analysis. */
export const POLICIES: readonly PackPolicy[] = [
    noLegacyTargets,
    canonicalLaneNames,
    approvedImages,
    healthProbes,
    runtimeImageLock,
    identityAndAccess,
    secretsFromSecretManager,
    productionSafety,
    cloudRunLimits,
    servingContract,
    serviceNeeds,
    resourceLimits,
    laneLabels,
    canaryLadder,
].map(total);

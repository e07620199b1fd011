// The CrossGuard policy pack: `pulumi preview --policy-pack policies`. This file only assembles
// the pack; constructing it starts the policy server, so nothing else may import it.

import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./all";

new PolicyPack(PACK_NAME, { policies: [...POLICIES], enforcementLevel: "advisory" });

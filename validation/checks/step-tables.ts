// The HTTP checks' step tables as docs/gate-checks.md lists them (with every optional step: the
// control smoke in staging, where the gate may sign in, with an access token and a bypass token
// given; --wait-ready off). test/readme.test.ts holds that file to these.

import { RUNTIME } from "../../catalog";
import { Redactor } from "../../io/redact";
import { stepTable } from "../steps";
import { controlHealthSteps, controlSmokeSteps } from "./control-steps";
import { runtimeSteps } from "./runtime-smoke";

export function documentedStepTables(): Record<string, string> {
    return {
        "control-health": stepTable(controlHealthSteps({ environment: "prod", waitForReady: false })),
        "control-smoke": stepTable(
            controlSmokeSteps({ environment: "staging", base: "https://staging.openagents.com", accessToken: "<token>", bypassToken: "<token>", redactor: new Redactor(), waitForReady: false }),
        ),
        "runtime-smoke": stepTable(runtimeSteps("prod", RUNTIME.names.prod, "smoke-<uuid>", false)),
    };
}

// control-<env>-smoke: the front door as users see it and the API behind it, as a step table
// (./control-steps.ts, each step citing the service's source): the maintenance bypass cookie first
// (with a bypass token), readiness, liveness, the pages users load, the web shell's manifest,
// service worker and entry script with their cache rules, the start of sign-in (no email sent),
// in staging with the mock provider a sign-in on the revision itself, and the session, status
// and sync-token routes. Every answer is judged on its body and screened for a legacy service.

import { type Check, type CheckDeps, type CheckIdentity, perEnvironment } from "../check";
import type { EnvironmentTargets, GateOptions } from "../resolve-options";
import { describeStep } from "../steps";
import { runControlSteps } from "./control-health";
import { controlSmokeSteps } from "./control-steps";

/** The registry entries, one per environment. */
export const controlSmoke = perEnvironment("control", "smoke", true, controlSmokeCheck);

export function controlSmokeCheck(self: CheckIdentity, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.controlBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_CONTROL_BASE_URL`;
    const steps = controlSmokeSteps({
        environment: t.environment,
        base,
        accessToken: t.controlAccessToken,
        bypassToken: t.maintenanceBypassToken,
        mockMagicCode: options.mockMagicCode,
        redactor: deps.redactor,
        waitForReady: options.waitReadyMs > 0,
    });
    return {
        id: self.id,
        required: self.required,
        description: `${t.environment} control smoke: pages, web shell and cache rules, sign-in start, ${t.environment === "staging" ? "a mock sign-in when the provider is mock, " : ""}session, status and sync-token routes`,
        command: `smoke ${base || "<unset>"}: ${steps.map(describeStep).join("; ")}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: async (ctx) => {
            if (t.controlAccessToken) ctx.log("an access token was given: used only where the gate opens no session of its own, and reported for what it is");
            return runControlSteps(steps, t, options, deps, ctx, (run) => {
                const signedIn = run.provided.sessionToken !== undefined;
                return signedIn ? "smoke passed, signed in on this revision (mock provider)" : "smoke passed; no session: authenticated routes verified as far as their 401";
            });
        },
    };
}

// control-<env>-smoke: the old smoke-control.sh steps (lanes.md), run as a step table: the
// maintenance bypass cookie first (with a bypass token), then readiness, liveness, the status
// route, the manifest (version, no-cache), the service worker, the manifest's JS asset (after the
// manifest), and with an access token the session and sync-token routes. Every answer is judged
// on its body and screened for a legacy or foreign service.

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
        redactor: deps.redactor,
        waitForReady: options.waitReadyMs > 0,
    });
    return {
        id: self.id,
        required: self.required,
        description: `${t.environment} control smoke: readiness, status route, manifest and cache headers${t.controlAccessToken ? ", authenticated routes" : ""}`,
        command: `smoke ${base || "<unset>"}: ${steps.map(describeStep).join("; ")}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: async (ctx) => {
            if (!t.controlAccessToken) ctx.log("no access token: session and sync-token routes skipped (as the old smoke did)");
            return runControlSteps(steps, t, options, deps, ctx, t.controlAccessToken ? "smoke passed (with authenticated steps)" : "smoke passed (unauthenticated steps)");
        },
    };
}

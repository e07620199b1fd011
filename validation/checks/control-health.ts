// control-<env>-health: /readyz 200 with the control service's ready JSON, and /healthz with its
// health JSON (service/src/lib.rs:1462-1497@c41c3629) (Google's front end answers that exact path itself on run.app and mapped domains:
// its 404 is a warning; any other answer that is not the health JSON fails). A legacy target
// never passes. The steps are in ./control-steps.ts.

import { CONTROL } from "../../catalog";
import { type Check, type CheckContext, type CheckDeps, type CheckIdentity, type CheckVerdict, perEnvironment } from "../check";
import type { EnvironmentTargets, GateOptions } from "../resolve-options";
import { type Step, type StepContext, type StepsRun, describeStep, runSteps, stepsVerdict } from "../steps";
import { controlHealthSteps } from "./control-steps";
import { impostorReason, legacyTargetReason } from "./probe";

/** The registry entries, one per environment. */
export const controlHealth = perEnvironment("control", "health", true, controlHealthCheck);

export function controlHealthCheck(self: CheckIdentity, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.controlBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_CONTROL_BASE_URL`;
    const steps = controlHealthSteps({ environment: t.environment, waitForReady: options.waitReadyMs > 0 });
    return {
        id: self.id,
        required: self.required,
        description: `${t.environment} control: /readyz 200 with the ready JSON; /healthz with the health JSON (front-end 404: a warning)`,
        command: `${base || "<unset>"}: ${steps.map(describeStep).join("; ")}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: (ctx) => runControlSteps(steps, t, options, deps, ctx, "ready and live"),
    };
}

/** Control actions by status, shared by the health and smoke checks. */
export function controlActionFor(status: number): string {
    if (status === 401 || status === 403) return "check the access token (it may be expired or for another environment)";
    if (status === 404) return "the route is missing: is this the Rust control service at the expected version, and does the URL reach it (domain mapping, traffic)?";
    if (status === 426) return "the compatibility gate refuses clients: check OA_COMPAT_CONTROL_*";
    if (status === 503)
        return "the service is not ready, unavailable or in maintenance mode: fix readiness (is OA_CONTROL_STATIC_DIR a directory?), pass the maintenance bypass token, or re-run with --wait-ready";
    if (status >= 500) return "the control service errors: read its logs";
    return "check the control service's routes";
}

/** Runs a control step table against one environment's control URL (legacy targets refused first). */
export async function runControlSteps(
    steps: readonly Step[],
    t: EnvironmentTargets,
    options: GateOptions,
    deps: CheckDeps,
    ctx: CheckContext,
    passNote: string | ((run: StepsRun) => string),
): Promise<CheckVerdict> {
    const legacy = legacyTargetReason(t.controlBaseUrl, t.outputs?.controlServiceName);
    if (legacy) {
        ctx.log(`legacy target: ${legacy}`);
        return { status: "failed", cause: `legacy target: ${legacy}`, action: `point ${t.environment} at the Rust control service ${CONTROL.names[t.environment]}` };
    }
    const sc: StepContext = {
        http: deps.http,
        base: t.controlBaseUrl,
        headers: {},
        redactor: deps.redactor,
        screen: (r) => impostorReason(r, CONTROL.binary),
        actionFor: controlActionFor,
        unreachableAction: "check that the control service is deployed, reachable and serving at this URL",
        waitReadyMs: options.waitReadyMs,
    };
    const run = await runSteps(steps, sc, ctx);
    return stepsVerdict(run, typeof passNote === "string" ? passNote : passNote(run), []);
}

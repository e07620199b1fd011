// runtime-<env>-smoke: the runtime-smoke binary's steps (lanes.md) as a step table, each answer
// judged on its body: /healthz names this environment's runtime, /readyz is the runtime's
// readiness, the run created is read back with the event appended. The runtime is private: a
// Google ID token for its URL goes with every request, from the explicit option or, only then and
// only here, minted from ambient credentials; with none, no token is sent and the log says so.
// The one deviation from the binary: Google's front-end 404 on /healthz is a warning.

import { randomUUID } from "node:crypto";
import { type Environment, RUNTIME } from "../../catalog";
import { type Check, type CheckContext, type CheckDeps, type CheckIdentity, type CheckVerdict, perEnvironment } from "../check";
import type { EnvironmentTargets, GateOptions } from "../resolve-options";
import { type BodyVerdict, type Step, type StepContext, type StepsRun, describeStep, runSteps, stepsVerdict } from "../steps";
import { type FieldRule, describeRules, fieldAt, jsonWith } from "./answers";
import { impostorReason, isFrontEnd404, legacyTargetReason, otherLaneReason } from "./probe";

const WRITE_MODES = ["rust_active", "shadow_only", "read_only"] as const;
const READY_RULES: readonly FieldRule[] = [
    { path: "status", equals: "ready" },
    { path: "authority_ready", type: "boolean" },
    { path: "projector_ready", type: "boolean" },
    { path: "workers_ready", type: "boolean" },
];

/** The registry entries, one per environment. */
export const runtimeSmoke = perEnvironment("runtime", "smoke", true, runtimeSmokeCheck);

export function runtimeSmokeCheck(self: CheckIdentity, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.runtimeBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_RUNTIME_BASE_URL`;
    const steps = runtimeSteps(t.environment, expectedService(t), `smoke-${randomUUID()}`, options.waitReadyMs > 0);
    return {
        id: self.id,
        required: self.required,
        description: `${t.environment} runtime smoke: /healthz names ${expectedService(t)}, /readyz ready, a run created (201), an event appended (200), the run read back with it (200)`,
        command: `runtime smoke ${base || "<unset>"}: ${steps.map(describeStep).join("; ")}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: (ctx) => runRuntimeSmoke(steps, t, options, deps, ctx),
    };
}

/** The name this environment's runtime reports as `service` (RUNTIME_SERVICE_NAME is its Cloud Run name). */
function expectedService(t: EnvironmentTargets): string {
    return t.outputs?.runtimeServiceName || RUNTIME.names[t.environment];
}

function otherEnvironmentOf(service: string, environment: Environment): Environment | undefined {
    return (Object.keys(RUNTIME.names) as Environment[]).find((e) => e !== environment && RUNTIME.names[e] === service);
}

/** The runtime smoke's table: health and readiness at once with the create; append after create; read after append. */
export function runtimeSteps(environment: Environment, service: string, idempotencyKey: string, waitForReady: boolean): Step[] {
    const healthRules: readonly FieldRule[] = [
        { path: "status", equals: "ok" },
        { path: "service", type: "string" },
        { path: "build_sha", type: "string" },
        { path: "authority_write_mode", oneOf: WRITE_MODES },
        { path: "authority_writer_active", type: "boolean" },
    ];
    const after = waitForReady ? ["readyz"] : [];
    const steps: Step[] = [
        {
            id: "healthz",
            method: "GET",
            path: RUNTIME.health.liveness,
            auth: "ID token",
            accepts: "200",
            expects: `Google's front-end 404 (a warning), else JSON ${describeRules(healthRules)}, service = "${service}"`,
            provides: "the write mode",
            request: () => ({ path: RUNTIME.health.liveness }),
            tolerate: (r) => (isFrontEnd404(r) ? `${RUNTIME.health.liveness} answered by Google's front end (404): expected on run.app; /readyz is the external probe` : undefined),
            status: (s) => s === 200,
            body: (r) =>
                jsonWith(r, healthRules, (json): BodyVerdict => {
                    const named = String(json.service);
                    if (named !== service) {
                        const other = otherEnvironmentOf(named, environment);
                        const whose = other ? `, the ${other} runtime: this ${environment} target is another environment's service` : "";
                        return { ok: false, problem: `naming service "${named.slice(0, 60)}", not ${service}${whose}`, action: `point ${environment}'s runtime URL at ${service}` };
                    }
                    return { ok: true, provides: { writeMode: String(json.authority_write_mode) }, note: `${named} ${String(json.build_sha)}` };
                }),
        },
        {
            id: "readyz",
            method: "GET",
            path: RUNTIME.health.readiness,
            auth: "ID token",
            accepts: "200",
            expects: `JSON ${describeRules(READY_RULES)}`,
            waitsForReady: true,
            request: () => ({ path: RUNTIME.health.readiness }),
            status: (s) => s === 200,
            body: (r) => jsonWith(r, READY_RULES),
        },
        {
            id: "create-run",
            method: "POST",
            path: "/internal/v1/runs",
            auth: "ID token",
            accepts: "201",
            expects: "JSON run.id (string)",
            provides: "the run id",
            needs: after,
            request: () => ({ path: "/internal/v1/runs", json: { worker_id: "smoke:runtime", metadata: { source: "runtime-smoke" } } }),
            status: (s) => s === 201,
            body: (r) => jsonWith(r, [{ path: "run.id", type: "string", nonEmpty: true }], (json) => ({ ok: true, provides: { runId: String(fieldAt(json, "run.id")) }, note: `run ${String(fieldAt(json, "run.id")).slice(0, 80)}` })),
        },
        {
            id: "append-event",
            method: "POST",
            path: "/internal/v1/runs/{run_id}/events",
            auth: "ID token",
            accepts: "200",
            expects: "JSON event (object)",
            needs: ["create-run"],
            request: (got) => ({
                path: `/internal/v1/runs/${encodeURIComponent(got.runId)}/events`,
                json: { event_type: "run.started", idempotency_key: idempotencyKey, payload: { smoke: true } },
            }),
            status: (s) => s === 200,
            body: (r) => jsonWith(r, [{ path: "event", type: "object" }]),
        },
        {
            id: "read-run",
            method: "GET",
            path: "/internal/v1/runs/{run_id}",
            auth: "ID token",
            accepts: "200",
            expects: "JSON run.id = the created id; run.events has the appended event",
            needs: ["append-event"],
            request: (got) => ({ path: `/internal/v1/runs/${encodeURIComponent(got.runId)}` }),
            status: (s) => s === 200,
            body: (r, got) =>
                jsonWith(r, [{ path: "run.id", type: "string" }, { path: "run.events", type: "array" }], (json): BodyVerdict => {
                    if (fieldAt(json, "run.id") !== got.runId) return { ok: false, problem: `with run.id "${String(fieldAt(json, "run.id")).slice(0, 80)}", not the run created (${got.runId.slice(0, 80)})` };
                    const events = fieldAt(json, "run.events") as unknown[];
                    const appended = events.some((e) => fieldAt(e, "idempotency_key") === idempotencyKey);
                    return appended ? { ok: true, note: `run read back with ${events.length} event(s)` } : { ok: false, problem: `without the appended event (idempotency_key ${idempotencyKey}) among its ${events.length} event(s)` };
                }),
        },
    ];
    // Under --wait-ready the service may still be starting: everything waits for readiness.
    return steps.map((s) => (s.id === "healthz" && after.length > 0 ? { ...s, needs: after } : s));
}

async function runRuntimeSmoke(steps: readonly Step[], t: EnvironmentTargets, options: GateOptions, deps: CheckDeps, ctx: CheckContext): Promise<CheckVerdict> {
    const legacy = legacyTargetReason(t.runtimeBaseUrl, t.outputs?.runtimeServiceName);
    if (legacy) {
        ctx.log(`legacy target: ${legacy}`);
        return { status: "failed", cause: `legacy target: ${legacy}`, action: `point ${t.environment} at the Rust runtime service ${RUNTIME.names[t.environment]}` };
    }
    const headers: Record<string, string> = {};
    let tokenNote: string;
    if (t.runtimeIdToken) {
        headers.authorization = `Bearer ${t.runtimeIdToken}`;
        tokenNote = "sending the explicit runtime ID token";
    } else {
        // Audience: the run.app URL when known (a custom domain is not the service's audience).
        const got = await deps.idTokens(t.outputs?.runtimeServiceUrl || t.runtimeBaseUrl);
        if (got.token) {
            // Whatever the source, a minted token is a secret from here on.
            deps.redactor.add(got.token);
            headers.authorization = `Bearer ${got.token}`;
        }
        tokenNote = got.note;
    }
    ctx.log(tokenNote);
    const authed = headers.authorization !== undefined;
    const envUpper = t.environment.toUpperCase();
    const sc: StepContext = {
        http: deps.http,
        base: t.runtimeBaseUrl,
        headers,
        redactor: deps.redactor,
        screen: (r) => impostorReason(r) ?? otherLaneReason(r, RUNTIME.binary),
        actionFor: (status) => {
            if (status === 401 || status === 403) {
                return authed ? "grant the gate's identity roles/run.invoker on the runtime, or pass a token minted for this URL" : `set ${envUpper}_RUNTIME_ID_TOKEN or run with Google credentials`;
            }
            return status === 404 ? "the URL does not reach the Rust runtime: check the target" : "read the runtime's logs";
        },
        unreachableAction: "check that the runtime service is deployed and reachable at this URL",
        waitReadyMs: options.waitReadyMs,
    };
    const run = await runSteps(steps, sc, ctx);
    explainRefusals(run, authed);
    const created = run.provided.runId;
    return stepsVerdict(run, created ? `run ${created.slice(0, 80)} created, event appended, read back with it` : "passed", []);
}

/** Adds what the answers say to a refused call: the token's fate on 401/403, the write mode on a 503 write. */
function explainRefusals(run: StepsRun, authed: boolean): void {
    const writeMode = run.provided.writeMode;
    for (const record of run.records) {
        if (record.outcome !== "failed" || record.httpStatus === undefined) continue;
        if (record.httpStatus === 401 || record.httpStatus === 403) {
            record.cause += `: ${authed ? "the ID token was refused" : "no ID token was sent (no credentials)"}`;
        } else if (record.step.id === "create-run" && record.httpStatus === 503) {
            const mode =
                writeMode === "rust_active"
                    ? "although /healthz said authority_write_mode=rust_active: the runtime refused a write it should take"
                    : writeMode
                      ? `authority_write_mode=${writeMode}: writes are off`
                      : "write mode unknown: /healthz did not say";
            record.cause += ` (${mode})${record.excerpt ? `: ${record.excerpt}` : ""}`;
        }
    }
}

// runtime-<env>-smoke: the runtime-smoke binary's steps (runtime/src/bin/runtime-smoke.rs) as a
// step table, each answer judged on its body as runtime/src/server.rs and types.rs produce it:
// /healthz names this environment's runtime, /readyz is the runtime's readiness, every run route
// answers {"run": RuntimeRun}, and the run created is read back with the event appended. The runtime is private: a
// Google ID token for its URL goes with every request, from the explicit option or, only then and
// only here, minted from ambient credentials; with none, no token is sent and the log says so.
// The one deviation from the binary: Google's front-end 404 on /healthz is a warning.

import { randomUUID } from "node:crypto";
import { type Environment, RUNTIME } from "../../catalog";
import { type Check, type CheckContext, type CheckDeps, type CheckIdentity, type CheckVerdict, perEnvironment } from "../check";
import type { EnvironmentTargets, GateOptions } from "../resolve-options";
import { type BodyVerdict, type Step, type StepContext, type StepsRun, describeStep, runSteps, stepsVerdict } from "../steps";
import { type HttpResponse, parseJson } from "../../io/http";
import { type FieldRule, type Json, describeRules, fieldAt, fieldProblem, jsonWith } from "./answers";
import { impostorReason, isFrontEnd404, legacyTargetReason, otherLaneReason } from "./probe";
import { cite } from "./sources";

const WRITE_MODES = ["rust_active", "shadow_only", "read_only"] as const;
/**
 * The readiness flags, each true for a 200 (server.rs:372-392). fanout_driver is not asserted on
 * either answer: nothing depends on it, and b118d632 dropped it.
 */
const READY_FLAGS = ["authority_ready", "projector_ready", "workers_ready"] as const;
const READY_RULES: readonly FieldRule[] = [
    { path: "status", equals: "ready" },
    ...READY_FLAGS.map((path): FieldRule => ({ path, equals: true })),
    { path: "authority_writer_active", type: "boolean" },
];
/** What runtime-smoke sends to create a run (runtime-smoke.rs:46-52). */
const CREATE_BODY = { worker_id: "smoke:runtime", metadata: { source: "runtime-smoke" } } as const;
/** The appended event's type and payload (runtime-smoke.rs:70-76); the key is the gate's own. */
const APPEND_EVENT = { event_type: "run.started", payload: { smoke: true } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Runs live in the memory of the instance that created them, unknown to every other instance. */
const RUNS_IN_MEMORY = `run not found: runs live in the memory of the instance that created them (${cite("runtime/src/authority.rs", "55")}); did the request reach another instance?`;

/** A 503 without the runtime's own refusal (Cloud Run's front end, a proxy): not a word about writes. */
const NOT_A_WRITE_REFUSAL = "not the runtime's write refusal: no write_path_frozen error";

/** Is a 503 the runtime refusing a write (server.rs:1146-1155,1361-1368: JSON error "write_path_frozen")? */
function isWriteRefusal(r: HttpResponse): boolean {
    return fieldAt(parseJson(r), "error") === "write_path_frozen";
}

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

/** The event a run carries, as types.rs:24-30 serializes it. */
interface RunEvent {
    seq: unknown;
    event_type: unknown;
    payload: unknown;
    idempotency_key: unknown;
    recorded_at: unknown;
}

/** Why `json.run` is not a RuntimeRun (types.rs:33-41: id a UUID, status snake_case, events each with seq/event_type/payload/idempotency_key/recorded_at). */
function runShapeProblem(json: Json): string | undefined {
    const problem = fieldProblem(json, [
        { path: "run.id", type: "string", nonEmpty: true },
        { path: "run.status", oneOf: ["created", "running", "canceling", "canceled", "succeeded", "failed"] },
        { path: "run.events", type: "array" },
        { path: "run.created_at", type: "string" },
        { path: "run.updated_at", type: "string" },
    ]);
    if (problem) return `JSON ${problem}`;
    if (!UUID.test(String(fieldAt(json, "run.id")))) return `with run.id ${JSON.stringify(String(fieldAt(json, "run.id")).slice(0, 60))}, not a UUID`;
    const events = fieldAt(json, "run.events") as unknown[];
    for (const [i, e] of events.entries()) {
        const ev = (e ?? {}) as Partial<RunEvent>;
        if (typeof ev.seq !== "number" || typeof ev.event_type !== "string" || !("payload" in ev) || typeof ev.recorded_at !== "string") {
            return `with run.events[${i}] not a run event ({seq, event_type, payload, idempotency_key, recorded_at})`;
        }
    }
    return undefined;
}

/** Why an answer is not the run the smoke created: its shape, or another run's id. */
function createdRunProblem(json: Json, runId: string): string | undefined {
    const shape = runShapeProblem(json);
    if (shape) return shape;
    const id = fieldAt(json, "run.id");
    return id !== runId ? `with run.id "${String(id).slice(0, 80)}", not the run created (${runId.slice(0, 80)})` : undefined;
}

function eventsOf(json: Json): RunEvent[] {
    return fieldAt(json, "run.events") as RunEvent[];
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** The runtime smoke's table: health and readiness at once with the create; append after create; read after append. */
export function runtimeSteps(environment: Environment, service: string, idempotencyKey: string, waitForReady: boolean): Step[] {
    const healthRules: readonly FieldRule[] = [
        { path: "status", equals: "ok" },
        { path: "service", type: "string" },
        { path: "build_sha", type: "string" },
        { path: "uptime_seconds", type: "number" },
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
            expects: `Google's front-end 404 (a warning), else JSON ${describeRules(healthRules)}, service = "${service}" (RUNTIME_SERVICE_NAME), authority_writer_active = (authority_write_mode is rust_active)`,
            provides: "the write mode",
            source: [cite("runtime/src/server.rs", "314,359-370,164-172"), cite("runtime/src/config.rs", "122,125"), cite("runtime/src/config.rs", "60")],
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
                    if (json.authority_writer_active !== (json.authority_write_mode === "rust_active")) {
                        return {
                            ok: false,
                            problem: `with authority_writer_active ${String(json.authority_writer_active)} for authority_write_mode ${String(json.authority_write_mode)}: the runtime's own rule says writes are enabled only in rust_active`,
                        };
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
            source: [cite("runtime/src/server.rs", "315,372-392,175-182")],
            waitsForReady: true,
            request: () => ({ path: RUNTIME.health.readiness }),
            // A 503 carries the same JSON with status "not_ready": its flags say what is not ready.
            status: (s) => s === 200 || s === 503,
            body: (r) =>
                r.status === 503
                    ? jsonWith(r, [{ path: "status", equals: "not_ready" }], (json): BodyVerdict => {
                          const down = READY_FLAGS.filter((f) => json[f] !== true);
                          return {
                              ok: false,
                              problem: `(not ready: ${down.length > 0 ? down.map((f) => `${f} ${String(json[f])}`).join(", ") : "no flag false"})`,
                              action: "wait for the runtime to become ready (--wait-ready) or read its logs",
                          };
                      })
                    : jsonWith(r, READY_RULES),
        },
        {
            id: "create-run",
            method: "POST",
            path: "/internal/v1/runs",
            auth: "ID token",
            accepts: "201",
            expects: `JSON {"run": RuntimeRun}: run.id a UUID, worker_id = "smoke:runtime", metadata as sent, status "running", events [run.started at seq 1]`,
            provides: "the run id",
            needs: after,
            source: [
                cite("runtime/src/server.rs", "316,394-409,184-189,200-203"),
                cite("runtime/src/orchestration.rs", "58-72"),
                cite("runtime/src/types.rs", "24-41"),
                cite("runtime/src/bin/runtime-smoke.rs", "46-67"),
            ],
            request: () => ({ path: "/internal/v1/runs", json: CREATE_BODY }),
            status: (s) => s === 201,
            explainStatus: (s, r) => (s === 503 && !isWriteRefusal(r) ? NOT_A_WRITE_REFUSAL : undefined),
            body: (r) =>
                jsonWith(r, [], (json): BodyVerdict => {
                    const shape = runShapeProblem(json);
                    if (shape) return { ok: false, problem: shape };
                    const run = json.run as Json;
                    if (run.worker_id !== CREATE_BODY.worker_id) return { ok: false, problem: `with run.worker_id ${JSON.stringify(run.worker_id ?? null)}, not the "${CREATE_BODY.worker_id}" sent` };
                    if (!sameJson(run.metadata, CREATE_BODY.metadata)) return { ok: false, problem: "with run.metadata other than the metadata sent" };
                    const events = eventsOf(json);
                    // Creating a run appends run.started itself, which moves it from created to running.
                    if (events.length !== 1 || events[0].event_type !== "run.started" || events[0].seq !== 1)
                        return { ok: false, problem: `with ${events.length} event(s), not the run.started at seq 1 that creating a run appends` };
                    if (run.status !== "running") return { ok: false, problem: `with run.status ${JSON.stringify(run.status)}, not "running" after run.started` };
                    const id = String(run.id);
                    return { ok: true, provides: { runId: id }, note: `run ${id}` };
                }),
        },
        {
            id: "append-event",
            method: "POST",
            path: "/internal/v1/runs/{run_id}/events",
            auth: "ID token",
            accepts: "200",
            expects: `JSON {"run": RuntimeRun}: run.id = the created id, the last event run.started with the gate's idempotency_key and payload, seq 2`,
            needs: ["create-run"],
            source: [
                cite("runtime/src/server.rs", "318,411-432,191-198,200-203"),
                cite("runtime/src/run_state_machine.rs", "70-74"),
                cite("runtime/src/event_log.rs", "142-160"),
                cite("runtime/src/bin/runtime-smoke.rs", "69-82"),
            ],
            request: (got) => ({ path: `/internal/v1/runs/${encodeURIComponent(got.runId)}/events`, json: { ...APPEND_EVENT, idempotency_key: idempotencyKey } }),
            status: (s) => s === 200,
            explainStatus: (s) => (s === 404 ? RUNS_IN_MEMORY : undefined),
            body: (r, got) =>
                jsonWith(r, [], (json): BodyVerdict => {
                    const other = createdRunProblem(json, got.runId);
                    if (other) return { ok: false, problem: other };
                    const last = eventsOf(json).at(-1);
                    if (!last || last.idempotency_key !== idempotencyKey || last.event_type !== APPEND_EVENT.event_type || !sameJson(last.payload, APPEND_EVENT.payload)) {
                        return {
                            ok: false,
                            problem: `without the appended event (run.started, idempotency_key ${idempotencyKey}, payload {"smoke":true}) last among its ${eventsOf(json).length} event(s)`,
                        };
                    }
                    if (last.seq !== 2) return { ok: false, problem: `with the appended event at seq ${String(last.seq)}, not 2 (after run.started at 1)` };
                    return { ok: true, note: `event seq ${String(last.seq)}` };
                }),
        },
        {
            id: "read-run",
            method: "GET",
            path: "/internal/v1/runs/{run_id}",
            auth: "ID token",
            accepts: "200",
            expects: 'JSON {"run": RuntimeRun}: run.id = the created id; run.events holds the appended event once',
            needs: ["append-event"],
            source: [cite("runtime/src/server.rs", "317,434-445"), cite("runtime/src/bin/runtime-smoke.rs", "85-91")],
            request: (got) => ({ path: `/internal/v1/runs/${encodeURIComponent(got.runId)}` }),
            status: (s) => s === 200,
            explainStatus: (s) => (s === 404 ? RUNS_IN_MEMORY : undefined),
            body: (r, got) =>
                jsonWith(r, [], (json): BodyVerdict => {
                    const other = createdRunProblem(json, got.runId);
                    if (other) return { ok: false, problem: other };
                    const events = eventsOf(json);
                    const ours = events.filter((e) => e.idempotency_key === idempotencyKey).length;
                    if (ours !== 1) return { ok: false, problem: `with the appended event (idempotency_key ${idempotencyKey}) ${ours} time(s) among its ${events.length} event(s), not once` };
                    return { ok: true, note: `run read back with ${events.length} event(s)` };
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
        } else if (record.step.id === "create-run" && record.httpStatus === 503 && !record.cause?.includes(NOT_A_WRITE_REFUSAL)) {
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

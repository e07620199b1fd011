// runtime-<env>-smoke: the runtime-smoke binary's steps with exact codes (lanes.md): /healthz 200,
// /readyz 200, create a run (201, id at /run/id), append an event (200), read the run (200). The
// runtime is private: a Google ID token for its URL goes with every request, from the explicit
// option or, only then and only here, minted from ambient credentials; with none, no token is
// sent and the log says so. The one deviation from the binary: Google's front-end 404 on
// /healthz is a warning (that path never reaches the container from outside).

import { randomUUID } from "node:crypto";
import { RUNTIME } from "../../catalog";
import type { Check, CheckContext, CheckVerdict } from "../check";
import { type HttpOutcome, parseJson } from "../http";
import type { EnvironmentTargets, GateOptions } from "../options";
import type { CheckDeps } from "./index";
import { bodySnippet, impostorReason, isFrontEnd404, joinUrl, legacyTargetReason, otherLaneReason, outcomeCause, waitReady } from "./probe";

export function runtimeSmokeCheck(t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.runtimeBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_RUNTIME_BASE_URL`;
    return {
        id: `runtime-${t.environment}-smoke`,
        required: true,
        description: `${t.environment} runtime smoke: /healthz 200, /readyz 200, create run 201, append event 200, read run 200`,
        command: `runtime smoke ${base || "<unset>"}: GET /healthz, GET /readyz, POST /internal/v1/runs, POST /internal/v1/runs/{id}/events, GET /internal/v1/runs/{id}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: (ctx) => runRuntimeSmoke(base, t, options, deps, ctx),
    };
}

async function runRuntimeSmoke(base: string, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps, ctx: CheckContext): Promise<CheckVerdict> {
    const legacy = legacyTargetReason(base, t.outputs?.runtimeServiceName);
    if (legacy) {
        ctx.log(`legacy target: ${legacy}`);
        return { status: "failed", cause: `legacy target: ${legacy}`, action: `point ${t.environment} at the Rust runtime service ${RUNTIME.names[t.environment]}` };
    }
    const warnings: string[] = [];
    const headers: Record<string, string> = {};
    let tokenNote: string;
    if (t.runtimeIdToken) {
        headers.authorization = `Bearer ${t.runtimeIdToken}`;
        tokenNote = "sending the explicit runtime ID token";
    } else {
        // Audience: the run.app URL when known (a custom domain is not the service's audience).
        const audience = t.outputs?.runtimeServiceUrl || base;
        const got = await deps.idTokens(audience);
        if (got.token) {
            // Whatever the source, a minted token is a secret from here on.
            deps.redactor.add(got.token);
            headers.authorization = `Bearer ${got.token}`;
        }
        tokenNote = got.note;
    }
    ctx.log(tokenNote);
    const authed = headers.authorization !== undefined;
    const timeoutMs = options.requestTimeoutMs;
    const send = (method: "GET" | "POST", path: string, json?: unknown): Promise<HttpOutcome> =>
        deps.http.request({ url: joinUrl(base, path), method, json, headers, timeoutMs, signal: ctx.signal, log: ctx.log });

    const step = (what: string, outcome: HttpOutcome, expected: number): CheckVerdict | undefined => {
        if (!outcome.ok) return { status: "failed", cause: outcomeCause(what, outcome), action: "check that the runtime service is deployed and reachable at this URL" };
        const r = outcome.response;
        const impostor = impostorReason(r) ?? otherLaneReason(r, RUNTIME.binary);
        if (impostor) {
            ctx.log(`body: ${bodySnippet(r)}`);
            return { status: "failed", cause: `${what} ${impostor}`, action: `point the target at the Rust runtime service ${RUNTIME.names[t.environment]}` };
        }
        if (r.status === expected) return undefined;
        ctx.log(`body: ${bodySnippet(r)}`);
        if (r.status === 401 || r.status === 403) {
            return {
                status: "failed",
                cause: `${what} answered ${r.status}: ${authed ? "the ID token was refused" : "no ID token was sent (no credentials)"}`,
                action: authed ? "grant the gate's identity roles/run.invoker on the runtime, or pass a token minted for this URL" : `set ${t.environment.toUpperCase()}_RUNTIME_ID_TOKEN or run with Google credentials`,
            };
        }
        return { status: "failed", cause: `${what} answered ${r.status}, expected ${expected}`, action: r.status === 404 ? "the URL does not reach the Rust runtime: check the target" : "read the runtime's logs" };
    };

    const healthz = await send("GET", RUNTIME.health.liveness);
    let writeMode: string | undefined;
    if (healthz.ok && isFrontEnd404(healthz.response)) {
        warnings.push(`${RUNTIME.health.liveness} answered by Google's front end (404): expected on run.app; /readyz is the external probe`);
    } else {
        const failed = step(`GET ${RUNTIME.health.liveness}`, healthz, 200);
        if (failed) return { ...failed, warnings };
        const json = healthz.ok ? (parseJson(healthz.response) as { authority_write_mode?: unknown } | undefined) : undefined;
        if (json && typeof json.authority_write_mode === "string") writeMode = json.authority_write_mode;
    }

    const ready = await waitReady({
        http: deps.http,
        url: joinUrl(base, RUNTIME.health.readiness),
        headers,
        waitMs: options.waitReadyMs,
        deadline: ctx.deadline,
        signal: ctx.signal,
        log: ctx.log,
        isReady: (o) => o.ok && o.response.status === 200,
    });
    const readyFailed = step(`GET ${RUNTIME.health.readiness}`, ready, 200);
    if (readyFailed) return { ...readyFailed, warnings };

    const created = await send("POST", "/internal/v1/runs", { worker_id: "smoke:runtime", metadata: { source: "runtime-smoke" } });
    const createFailed = step("POST /internal/v1/runs", created, 201);
    if (createFailed) {
        if (created.ok && created.response.status === 503) {
            // On run.app /healthz never reaches the runtime, so its write mode may be unknown: the body says more.
            const mode = writeMode ? `authority_write_mode=${writeMode}: writes are off` : "write mode unknown";
            const snippet = deps.redactor.redact(bodySnippet(created.response)).slice(0, 120);
            createFailed.cause += ` (${mode})${snippet ? `: ${snippet}` : ""}`;
        }
        return { ...createFailed, warnings };
    }
    const createdJson = created.ok ? (parseJson(created.response) as { run?: { id?: unknown } } | undefined) : undefined;
    const runId = createdJson?.run?.id;
    if (typeof runId !== "string" && typeof runId !== "number") {
        return { status: "failed", cause: "POST /internal/v1/runs answered 201 without a run id at /run/id", action: "check the runtime's API version", warnings };
    }
    const id = encodeURIComponent(String(runId));
    ctx.log(`created run ${String(runId)}`);

    const appended = await send("POST", `/internal/v1/runs/${id}/events`, {
        event_type: "run.started",
        idempotency_key: `smoke-${randomUUID()}`,
        payload: { smoke: true },
    });
    const appendFailed = step(`POST /internal/v1/runs/${id}/events`, appended, 200);
    if (appendFailed) return { ...appendFailed, warnings };

    const read = await send("GET", `/internal/v1/runs/${id}`);
    const readFailed = step(`GET /internal/v1/runs/${id}`, read, 200);
    if (readFailed) return { ...readFailed, warnings };

    return { status: "passed", cause: `run ${String(runId)} created, event appended, read back`, warnings };
}

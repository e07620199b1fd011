// control-<env>-health: /readyz must be 200 with the control service's ready JSON; /healthz is
// best effort (Google's front end answers that exact path itself on run.app and mapped
// domains: a front-end 404 is a warning), but an answer from anything that is not the Rust
// control service fails, saying what answered. A legacy target never passes.

import { CONTROL } from "../../catalog";
import type { Check, CheckContext, CheckVerdict } from "../check";
import { type HttpOutcome, type HttpResponse, parseJson } from "../http";
import type { EnvironmentTargets, GateOptions } from "../options";
import type { CheckDeps } from "./index";
import { bodySnippet, impostorReason, isFrontEnd404, joinUrl, legacyTargetReason, outcomeCause, waitReady } from "./probe";

export function controlHealthCheck(t: EnvironmentTargets, options: GateOptions, deps: CheckDeps): Check {
    const base = t.controlBaseUrl;
    const envVar = `${t.environment.toUpperCase()}_CONTROL_BASE_URL`;
    return {
        id: `control-${t.environment}-health`,
        required: true,
        description: `${t.environment} control: /readyz 200 with the ready JSON; /healthz best effort`,
        command: `GET ${joinUrl(base, CONTROL.health.readiness)}; GET ${joinUrl(base, CONTROL.health.liveness)}`,
        skipReason: base === "" ? `${envVar} is unset` : undefined,
        skipAction: `set ${envVar} or pass --outputs ${t.environment}=FILE`,
        run: (ctx) => runControlHealth(base, t, options, deps, ctx),
    };
}

/** Keys of the runtime's readiness JSON that the control service's never has. */
const RUNTIME_READINESS_KEYS = ["authority_ready", "projector_ready", "workers_ready"] as const;

/**
 * Why a readiness answer comes from the runtime rather than the control service (both say
 * {"status":"ready"}); undefined when it does not.
 */
export function runtimeReadinessReason(response: HttpResponse): string | undefined {
    const json = parseJson(response) as Record<string, unknown> | undefined;
    if (!json || typeof json !== "object") return undefined;
    const keys = RUNTIME_READINESS_KEYS.filter((k) => k in json);
    return keys.length > 0 ? `answered by the runtime service (its readiness JSON has ${keys.join(", ")}), not ${CONTROL.binary}` : undefined;
}

/** The control service's ready JSON: {"status":"ready","static_dir":"..."} and nothing of the runtime's. */
export function isControlReady(outcome: HttpOutcome): boolean {
    if (!outcome.ok || outcome.response.status !== 200) return false;
    const json = parseJson(outcome.response) as { status?: unknown; static_dir?: unknown } | undefined;
    return !!json && json.status === "ready" && typeof json.static_dir === "string" && !runtimeReadinessReason(outcome.response);
}

/** Readiness of the control service, shared by the health and smoke checks; undefined when ready. */
export async function controlReadiness(
    base: string,
    headers: Record<string, string> | undefined,
    options: GateOptions,
    deps: CheckDeps,
    ctx: CheckContext,
): Promise<CheckVerdict | undefined> {
    const url = joinUrl(base, CONTROL.health.readiness);
    const outcome = await waitReady({
        http: deps.http,
        url,
        headers,
        waitMs: options.waitReadyMs,
        deadline: ctx.deadline,
        signal: ctx.signal,
        log: ctx.log,
        isReady: isControlReady,
        wrongService: runtimeReadinessReason,
    });
    if (!outcome.ok) {
        return { status: "failed", cause: outcomeCause(`${CONTROL.health.readiness}`, outcome), action: "check that the control service is deployed, reachable and serving at this URL" };
    }
    const r = outcome.response;
    const impostor = impostorReason(r, CONTROL.binary) ?? runtimeReadinessReason(r);
    if (impostor) {
        ctx.log(`body: ${bodySnippet(r)}`);
        return { status: "failed", cause: `${CONTROL.health.readiness} ${impostor}`, action: `point the target at the Rust control service (${CONTROL.names.prod} / ${CONTROL.names.staging})` };
    }
    if (r.status !== 200) {
        ctx.log(`body: ${bodySnippet(r)}`);
        const notReady = r.status === 503 ? " (not ready: is OA_CONTROL_STATIC_DIR a directory?)" : "";
        return {
            status: "failed",
            cause: `${CONTROL.health.readiness} answered ${r.status}${notReady}`,
            action: r.status === 404 ? "the URL does not reach the Rust control service: check the domain mapping and traffic" : "fix readiness, or re-run with --wait-ready if the revision is still starting",
        };
    }
    if (!isControlReady(outcome)) {
        ctx.log(`body: ${bodySnippet(r)}`);
        return { status: "failed", cause: `${CONTROL.health.readiness} answered 200 without the control service's ready JSON ({"status":"ready","static_dir":"..."})`, action: "check what serves this URL" };
    }
    ctx.log(`${CONTROL.health.readiness}: ready`);
    return undefined;
}

/** /healthz, best effort: a verdict only when it proves a wrong service answered; else warnings. */
export async function controlLiveness(base: string, headers: Record<string, string> | undefined, deps: CheckDeps, ctx: CheckContext, warnings: string[]): Promise<CheckVerdict | undefined> {
    const path = CONTROL.health.liveness;
    const outcome = await deps.http.request({ url: joinUrl(base, path), headers, signal: ctx.signal, log: ctx.log });
    if (!outcome.ok) {
        warnings.push(`${path} best effort: ${outcome.failure.message}`);
        return undefined;
    }
    const r = outcome.response;
    const impostor = impostorReason(r, CONTROL.binary);
    if (impostor) {
        ctx.log(`body: ${bodySnippet(r)}`);
        return { status: "failed", cause: `${path} ${impostor}`, action: `point the target at the Rust control service (${CONTROL.names.prod} / ${CONTROL.names.staging})` };
    }
    if (isFrontEnd404(r)) {
        warnings.push(`${path} answered by Google's front end (404): expected on run.app and mapped domains; /readyz is the external probe`);
        return undefined;
    }
    const json = parseJson(r) as { status?: unknown; service?: unknown; version?: unknown } | undefined;
    if (r.status === 200 && json && json.status === "ok" && json.service === CONTROL.binary) {
        ctx.log(`${path}: ok (${CONTROL.binary} ${typeof json.version === "string" ? json.version : "?"})`);
        return undefined;
    }
    warnings.push(`${path} best effort: answered ${r.status} without the control service's health JSON`);
    return undefined;
}

async function runControlHealth(base: string, t: EnvironmentTargets, options: GateOptions, deps: CheckDeps, ctx: CheckContext): Promise<CheckVerdict> {
    const legacy = legacyTargetReason(base, t.outputs?.controlServiceName);
    if (legacy) {
        ctx.log(`legacy target: ${legacy}`);
        return { status: "failed", cause: `legacy target: ${legacy}`, action: `point ${t.environment} at the Rust control service ${CONTROL.names[t.environment]}` };
    }
    const ready = await controlReadiness(base, undefined, options, deps, ctx);
    if (ready) return ready;
    const warnings: string[] = [];
    const live = await controlLiveness(base, undefined, deps, ctx, warnings);
    if (live) return { ...live, warnings };
    return { status: "passed", cause: "ready", warnings };
}

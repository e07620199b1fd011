// The real pieces a rollout runs on: Cloud Run's split (Admin API v2), the canary analysis, the
// post-deploy gate (both in-process, with this process's env: tokens, API URLs), a countdown,
// and the stack file's commit (git, or the CI script that pushes it).

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CANARY_WINDOW, CONTROL, GCP } from "../catalog";
import { GcpClient } from "../io/gcp/client";
import { CloudRunApi } from "../io/gcp/cloudrun";
import { CLOUD_PLATFORM_SCOPE, accessTokenSource, adcLoader, tokenShortfall } from "../io/gcp/credentials";
import { resolveTable } from "../io/options";
import { servingTargets } from "../io/gcp/traffic";
import { selectChecks } from "../validation/checks";
import { crossSurfaceContractHarness, khalaContractTests } from "../validation/checks/contract-tests";
import { runGate } from "../validation/gate";
import { HttpClient, sleep } from "../io/http";
import { resolveGateOptions } from "../validation/options";
import { stackOutputsOf } from "../io/stack-outputs";
import { Redactor } from "../io/redact";
import { runAnalysis } from "./analyze";
import { MONITORING_READ_SCOPE } from "./monitoring";
import { ANALYZE_OPTIONS, analyzeOptionsFrom } from "./options";
import type { RolloutDeps } from "./rollout";
import type { RolloutOptions } from "./rollout-options";

/** The analysis' rows for its Google credentials and the Cloud Run API: the traffic read and the token notice read them as it does. */
const GOOGLE_ROWS = { accessToken: ANALYZE_OPTIONS.accessToken, cloudRunApiUrl: ANALYZE_OPTIONS.cloudRunApiUrl };

const str = (v: unknown, fallback: string): string => (typeof v === "string" && v !== "" ? v : fallback);

/** The split serving now, read with the same client and credentials the analysis uses. */
export function cloudRunTraffic(env: NodeJS.ProcessEnv, environment: RolloutOptions["environment"], http: HttpClient, redactor: Redactor): RolloutDeps["readTraffic"] {
    const { accessToken, cloudRunApiUrl } = resolveTable(GOOGLE_ROWS, { env });
    const token = accessToken || undefined;
    redactor.add(token);
    const client = new GcpClient({ http, redactor, tokens: accessTokenSource(token, { load: adcLoader([MONITORING_READ_SCOPE, CLOUD_PLATFORM_SCOPE]), onToken: (t) => redactor.add(t) }) });
    return async (outputs) => {
        const api = new CloudRunApi(client, cloudRunApiUrl.replace(/\/+$/, ""), { project: str(outputs.project, GCP.project), region: str(outputs.region, GCP.region) });
        const ctx = { signal: new AbortController().signal, deadline: Date.now() + 60_000, log: () => undefined };
        return servingTargets(await api.getService(ctx, str(outputs.controlServiceName, CONTROL.names[environment])));
    };
}

/** Revision.create_time (google/cloud/run/v2/revision.proto:206@f8291d2b, a Timestamp: RFC 3339 in JSON). */
export function cloudRunRevisionCreated(env: NodeJS.ProcessEnv, environment: RolloutOptions["environment"], http: HttpClient, redactor: Redactor): NonNullable<RolloutDeps["revisionCreated"]> {
    const { accessToken, cloudRunApiUrl } = resolveTable(GOOGLE_ROWS, { env });
    const token = accessToken || undefined;
    redactor.add(token);
    const client = new GcpClient({ http, redactor, tokens: accessTokenSource(token, { load: adcLoader([MONITORING_READ_SCOPE, CLOUD_PLATFORM_SCOPE]), onToken: (t) => redactor.add(t) }) });
    return async (outputs, revision) => {
        const api = new CloudRunApi(client, cloudRunApiUrl.replace(/\/+$/, ""), { project: str(outputs.project, GCP.project), region: str(outputs.region, GCP.region) });
        const ctx = { signal: new AbortController().signal, deadline: Date.now() + 60_000, log: () => undefined };
        const created = (await api.getRevision(ctx, str(outputs.controlServiceName, CONTROL.names[environment]), revision)).createTime;
        const at = typeof created === "string" ? Date.parse(created) : NaN;
        if (Number.isNaN(at)) throw new Error(`revision '${revision}' has no readable createTime (${JSON.stringify(created ?? null)})`);
        return new Date(at);
    };
}

/**
 * A warning before the ladder starts when an explicit token cannot last it. The ladder's longest
 * run is planned, not its shortest: a rung may look until its window and lag plus --max-holds
 * more (rung-looks.ts), and every look after the token's expiry reads nothing and holds, so a
 * regression then goes unseen until the deadline.
 */
export function rolloutTokenNotice(o: Pick<RolloutOptions, "ladder" | "windowMs" | "maxHolds">, env: NodeJS.ProcessEnv, now = Date.now()): string | undefined {
    const token = resolveTable(GOOGLE_ROWS, { env }).accessToken;
    if (!token) return undefined;
    const looks = 1 + o.maxHolds;
    const plannedMs = o.ladder.length * looks * (o.windowMs + CANARY_WINDOW.ingestionLagMs);
    const short = tokenShortfall(accessTokenSource(token), plannedMs, now);
    return short && `${short}: ${o.ladder.length} rungs, each up to its window and lag ${looks} times (--max-holds ${o.maxHolds})`;
}

/** One stage's analysis, given as values to the analysis' own option rules (and its env vars for the thresholds). */
export function stageAnalysis(o: RolloutOptions, env: NodeJS.ProcessEnv, deps: { write: (text: string) => void; interrupt: AbortSignal; http?: HttpClient }): RolloutDeps["analyze"] {
    return async (stage) => {
        const options = analyzeOptionsFrom(
            {
                environment: o.environment,
                canaryRevision: stage.canary,
                stableRevision: stage.stable,
                canaryPercent: stage.percent,
                windowMs: o.windowMs,
                outputDir: stage.outputDir,
                service: str(stage.outputs.controlServiceName, CONTROL.names[o.environment]),
                project: str(stage.outputs.project, GCP.project),
                region: str(stage.outputs.region, GCP.region),
                plain: o.plain,
            },
            { env, isTTY: !o.plain },
        );
        return runAnalysis(options, { write: deps.write, interrupt: deps.interrupt, http: deps.http, window: stage.window, rolloutStart: stage.rolloutStart, judge: stage.judge });
    };
}

/**
 * The checks that judge what serves; the contract tests judge the code at the deployed commit and
 * run in a job of their own (checked out at the image's commit, with no credentials: deploy.yml
 * `contract-tests`). A traffic change cannot change their verdict, so the rollout's and the
 * rollback's gates neither run them nor need OPENAGENTS_REPO; the deploy jobs' gates select the same set.
 */
export const CONTRACT_CHECK_IDS: readonly string[] = [khalaContractTests.id, crossSurfaceContractHarness.id];

export function servingCheckIds(environment: RolloutOptions["environment"]): string[] {
    return selectChecks({ environment, only: undefined })
        .map((entry) => entry.id as string)
        .filter((id) => !CONTRACT_CHECK_IDS.includes(id));
}

/** The gate on this environment (the checks of what serves), from the stack's outputs, given as values. */
export function environmentGate(
    o: RolloutOptions,
    env: NodeJS.ProcessEnv,
    deps: { write: (text: string) => void; interrupt: AbortSignal; gateIo?: Parameters<typeof runGate>[1] },
): RolloutDeps["gate"] {
    return async (outputs, outputDir) => {
        const options = resolveGateOptions(
            { environment: o.environment, only: servingCheckIds(o.environment), outputDir, plain: true },
            { env, isTTY: false, outputs: { [o.environment]: stackOutputsOf(outputs, `the ${o.environment} stack's outputs`) } },
        );
        const run = await runGate(options, { write: deps.write, interrupt: deps.interrupt, ...deps.gateIo });
        const c = run.decision.counts;
        const blockers = run.decision.blockers.map((b) => `${b.id}: ${b.cause ?? b.status}`).join("; ");
        return {
            go: run.decision.go,
            summary: `${run.decision.go ? "GO" : "NO-GO"}: ${c.passed} passed, ${c.requiredFailures} required failure(s), ${c.requiredSkipped} required skipped${blockers ? `; ${blockers}` : ""}`,
            evidence: run.files?.summary,
        };
    };
}

function clock(ms: number): string {
    const s = Math.max(0, Math.ceil(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Waits with a live countdown on a terminal, a line a minute otherwise; false when interrupted. */
export function countdown(plain: boolean, write: (text: string) => void, interrupt: AbortSignal, tickMs = 1000): RolloutDeps["wait"] {
    return async (ms, what) => {
        const until = Date.now() + ms;
        let lastLine = -1;
        write(plain ? `waiting ${clock(ms)} (${what})\n` : "");
        while (Date.now() < until) {
            const left = until - Date.now();
            if (plain) {
                const minute = Math.floor(left / 60_000);
                if (minute !== lastLine && left > 1000 && lastLine !== -1) write(`  ${clock(left)} left (${what})\n`);
                lastLine = minute;
            } else write(`\r\x1b[2Kwaiting ${clock(left)} left (${what}); Ctrl-C stops here, traffic unchanged`);
            if (!(await sleep(Math.min(tickMs, left), interrupt))) {
                if (!plain) write("\r\x1b[2K");
                return false;
            }
        }
        if (!plain) write("\r\x1b[2K");
        return true;
    };
}

/** Commits the stack file: pushed by the CI script with `push`, else a local commit, else says what to do. */
export function stackFileCommit(o: RolloutOptions): RolloutDeps["commit"] {
    return (file, message) => Promise.resolve(commitNow(o, file, message));
}

function commitNow(o: RolloutOptions, file: string, message: string): string {
    {
        const rel = path.relative(o.projectDir, file);
        if (!o.commit) return `left uncommitted (--no-commit): commit ${rel} so main holds what is deployed`;
        const git = (...args: string[]): string => execFileSync("git", ["-C", o.projectDir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
        try {
            git("rev-parse", "--is-inside-work-tree");
        } catch {
            return `not a git checkout: commit ${rel} yourself so main holds what is deployed`;
        }
        if (git("status", "--porcelain", "--", rel) === "") return `${rel} unchanged: nothing to commit`;
        try {
            if (o.push) {
                const script = path.join(o.projectDir, ".github", "scripts", "commit-stack-file.sh");
                if (!fs.existsSync(script)) return `cannot push: ${path.relative(o.projectDir, script)} is missing; commit ${rel} yourself`;
                execFileSync("bash", [script, rel, o.push, message], { cwd: o.projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
                return `${rel} committed and pushed to ${o.push}`;
            }
            git("commit", "-m", message, "--", rel);
            return `${rel} committed locally as ${git("rev-parse", "--short", "HEAD")}: push it so main holds what is deployed`;
        } catch (error) {
            const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message)
                .trim()
                .split("\n")
                .slice(-2)
                .join(" / ");
            return `the commit of ${rel} failed (${stderr.slice(0, 300)}): commit it yourself so main holds what is deployed`;
        }
    }
}

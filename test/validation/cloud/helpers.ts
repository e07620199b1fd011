// Shared by the Cloud Run state tests: a CheckContext that records the log, and API clients
// pointed at a stand-in with short backoffs (the retry logic is the same, the waits are shorter).

import { Redactor } from "../../../io/redact";
import type { CheckContext, CheckVerdict, Check } from "../../../validation/check";
import { GcpClient, type GcpClientOptions } from "../../../io/gcp/client";
import { CloudRunApi } from "../../../io/gcp/cloudrun";
import { explicitTokenSource, type AccessTokenSource } from "../../../io/gcp/credentials";
import { LoggingApi } from "../../../io/gcp/logging";
import { HttpClient } from "../../../io/http";
import { errorLogProbeCheck, type ErrorLogProbeOptions } from "../../../validation/checks/error-log-probe";
import { ALIGNED, alignedState } from "./environments";
import { CloudStandIn } from "./stand-in";

export const TOKEN = "ya29.stand-in-token";

export interface RecordingContext extends CheckContext {
    lines: string[];
    text(): string;
}

export function recordingContext(timeoutMs = 15_000): RecordingContext {
    const lines: string[] = [];
    return {
        signal: new AbortController().signal,
        deadline: Date.now() + timeoutMs,
        log: (line) => lines.push(line),
        lines,
        text: () => lines.join("\n"),
    };
}

export interface TestApis {
    cloudRun: CloudRunApi;
    logging: LoggingApi;
    http: HttpClient;
}

/** The APIs against a stand-in; `wait` replaces the real timer between attempts (a test that records the waits instead of sleeping them). */
export function apisFor(
    standIn: CloudStandIn | { url: string; state: { project: string; region: string } },
    tokens: AccessTokenSource = explicitTokenSource(TOKEN, "test"),
    wait?: GcpClientOptions["wait"],
): TestApis {
    const http = new HttpClient({ timeoutMs: 5_000 });
    const client = new GcpClient({ http, tokens, attempts: 3, baseDelayMs: 20, maxDelayMs: 2_000, wait });
    return {
        http,
        cloudRun: new CloudRunApi(client, standIn.url, { project: standIn.state.project, region: standIn.state.region }),
        logging: new LoggingApi(client, standIn.url),
    };
}

/** Runs a check the way the runner would (skips are not run), returning the verdict and the log. */
export async function runCheck(check: Check, ctx = recordingContext()): Promise<{ verdict: CheckVerdict; log: string }> {
    if (check.skipReason) throw new Error(`check ${check.id} is skipped: ${check.skipReason}`);
    const verdict = await check.run(ctx);
    return { verdict, log: ctx.text() };
}

/** A fresh stand-in (the aligned environment) and clients pointed at it, for each test of the calling suite. */
export function useStandIn(): { readonly standIn: CloudStandIn; readonly apis: TestApis } {
    const live = {} as { standIn: CloudStandIn; apis: TestApis };
    beforeEach(async () => {
        live.standIn = await new CloudStandIn(alignedState(), TOKEN).start();
        live.apis = apisFor(live.standIn);
    });
    afterEach(async () => {
        live.apis.http.close();
        await live.standIn.close();
    });
    return live;
}

/** An error log probe of the aligned control service against the stand-in, with overrides. */
export function logProbe(live: { readonly standIn: CloudStandIn; readonly apis: TestApis }, overrides: Partial<ErrorLogProbeOptions> = {}): Promise<{ verdict: CheckVerdict; log: string }> {
    return runCheck(
        errorLogProbeCheck({
            lane: "control",
            serviceName: ALIGNED.control,
            project: live.standIn.state.project,
            region: live.standIn.state.region,
            windowMinutes: 10,
            threshold: 0,
            cloudRun: () => live.apis.cloudRun,
            logging: () => live.apis.logging,
            redactor: new Redactor([TOKEN]),
            ...overrides,
        }),
    );
}

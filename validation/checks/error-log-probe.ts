// control-error-log-probe, runtime-error-log-probe: the ERROR (and worse) entries a service's
// revisions logged over a window, counted against a threshold. The old probes passed whenever
// `gcloud logging read` exited 0, even for a legacy or misspelt service name that can only
// return nothing. Here the name must be a Rust lane's and the service must exist, and the entries
// found are listed (trimmed) in the log.

import { canonicalLaneAnywhere, legacyNameReason, type CloudRunLaneId } from "../../catalog";
import type { Check, CheckContext, CheckVerdict } from "../check";
import type { CloudRunApi } from "../../io/gcp/cloudrun";
import { read, verdictOf } from "../gcp-judgement";
import { type LoggingApi, MAX_LOG_PAGES } from "../../io/gcp/logging";
import type { LogEntry } from "../../io/gcp/types";
import type { Redactor } from "../../io/redact";
import { excerpt } from "../../io/text";
import { ERROR_SEVERITY, LOG_SEVERITY, entrySeverity } from "../../io/gcp/log-severity";
import type { CloudApis } from "../../io/gcp/apis";
import { DEFAULT_LOG_LIMIT } from "../option-table";
import type { GateOptions, StateTarget } from "../resolve-options";
import { cloudCheck } from "./cloud-apis";

/** The registry entries, one per lane: the probe wired to the gate's options. */
export const controlErrorLogProbe = cloudCheck("control-error-log-probe", true, probeOf("control"));
export const runtimeErrorLogProbe = cloudCheck("runtime-error-log-probe", true, probeOf("runtime"));

function probeOf(lane: ErrorLogProbeOptions["lane"]): (target: StateTarget, options: GateOptions, apis: () => CloudApis, deps: { redactor: Redactor }) => Check {
    return (target, options, apis, deps) =>
        errorLogProbeCheck({
            lane,
            serviceName: lane === "control" ? target.controlService : target.runtimeService,
            project: target.gcpProject,
            region: target.gcpRegion,
            windowMinutes: options.logWindowMinutes,
            threshold: options.logErrorThreshold,
            limit: options.logLimit,
            cloudRun: () => apis().cloudRun,
            logging: () => apis().logging,
            redactor: deps.redactor,
            skipReason: options.runLogProbes ? undefined : "disabled by RUN_LOG_PROBES=0",
        });
}

/** Logging's own cap on one page. */
const MAX_PAGE_SIZE = 1000;
const ENTRY_TEXT_MAX = 240;

export interface ErrorLogProbeOptions {
    lane: Extract<CloudRunLaneId, "control" | "runtime">;
    serviceName: string;
    project: string;
    region: string;
    windowMinutes: number;
    /** The check fails when more entries than this are found. */
    threshold: number;
    /** Entries read at most (the old probe's limit, 50); always above the threshold so the verdict is exact. */
    limit?: number;
    cloudRun: () => CloudRunApi;
    logging: () => LoggingApi;
    /** Log entries may echo a credential: their text is redacted before it is cut. */
    redactor: Redactor;
    skipReason?: string;
    now?: () => Date;
}

/** The text of an entry, whatever payload it carries. */
export function entryText(entry: LogEntry): string {
    if (entry.textPayload) return entry.textPayload;
    const json = entry.jsonPayload;
    if (json) {
        // tracing-subscriber's JSON keeps the message under "fields" unless flattened.
        const fields = json["fields"] !== null && typeof json["fields"] === "object" ? (json["fields"] as Record<string, unknown>) : {};
        for (const key of ["message", "msg", "error", "err"]) {
            const value = json[key] ?? fields[key];
            if (typeof value === "string") return value;
        }
        return JSON.stringify(json);
    }
    const req = entry.httpRequest;
    if (req) return `${req.requestMethod ?? "?"} ${req.requestUrl ?? "?"} -> ${req.status ?? "?"}`;
    const status = entry.protoPayload?.["status"] as { message?: string } | undefined;
    if (status?.message) return status.message;
    return "<no payload>";
}

/** The LogSeverity name at or below a number (a number between names shows as the lower one). */
function severityName(n: number): string {
    let name = "DEFAULT";
    for (const [k, v] of Object.entries(LOG_SEVERITY)) if (n >= v) name = k;
    return name;
}

/** One log line per entry: time, severity, revision, trimmed text. */
export function formatEntry(entry: LogEntry, redactor: Redactor): string {
    const revision = entry.resource?.labels?.["revision_name"] ?? "?";
    const head = excerpt(`${String(entry.timestamp ?? "?")} ${severityName(entrySeverity(entry))} ${String(revision)}`, 120, redactor);
    return `${head}: ${excerpt(entryText(entry), ENTRY_TEXT_MAX, redactor)}`;
}

/** Why a name cannot be the lane's service (legacy, or another lane's name), or undefined. */
export function serviceNameProblem(lane: ErrorLogProbeOptions["lane"], name: string): string | undefined {
    if (!name.trim()) return `no ${lane} service name given: an empty query proves nothing`;
    const legacy = legacyNameReason(name);
    if (legacy) return `${legacy}: its logs say nothing about the Rust ${lane} service`;
    const canonical = canonicalLaneAnywhere(name);
    if (canonical && canonical.lane.id !== lane) return `'${name}' is the ${canonical.lane.id} lane's name, not the ${lane} service's`;
    return undefined;
}

export function errorLogProbeCheck(options: ErrorLogProbeOptions): Check {
    const entry = options.lane === "control" ? controlErrorLogProbe : runtimeErrorLogProbe;
    const minutes = options.windowMinutes;
    return {
        id: entry.id,
        required: entry.required,
        description: `${options.lane} service '${options.serviceName}': at most ${options.threshold} severity>=ERROR log entries over the last ${minutes} min`,
        command: `Cloud Logging entries:list resource.type=cloud_run_revision service_name=${options.serviceName} severity>=ERROR window ${minutes}m threshold ${options.threshold}`,
        skipReason: options.skipReason,
        skipAction: "set RUN_LOG_PROBES=1",
        run: (ctx) => probe(ctx, options),
    };
}

const LOG_ACTION = "read the ERROR entries listed in the log and fix their cause (or raise LOG_ERROR_THRESHOLD for known noise); point the probe at the canonical Rust service";

async function probe(ctx: CheckContext, options: ErrorLogProbeOptions): Promise<CheckVerdict> {
    const problems: string[] = [];
    const warnings: string[] = [];
    const nameProblem = serviceNameProblem(options.lane, options.serviceName);
    if (nameProblem) problems.push(nameProblem);
    if (!options.serviceName.trim()) return verdictOf(problems, warnings, "", LOG_ACTION);
    if (!nameProblem && !canonicalLaneAnywhere(options.serviceName)) {
        warnings.push(`'${options.serviceName}' is not a canonical ${options.lane} service name`);
    }

    // The service must exist: the logs of a service that is not there are always empty.
    const service = await read(() => options.cloudRun().getService(ctx, options.serviceName));
    if (!service.ok) {
        problems.push(
            service.error.kind === "not-found"
                ? `service '${options.serviceName}' does not exist in ${options.project}/${options.region}: an empty log answer would prove nothing`
                : `service '${options.serviceName}' could not be read: ${service.error.message}`,
        );
    }

    const now = (options.now ?? (() => new Date()))();
    const since = new Date(now.getTime() - options.windowMinutes * 60_000);
    const limit = Math.max(options.limit ?? DEFAULT_LOG_LIMIT, options.threshold + 1);
    const pageSize = Math.min(MAX_PAGE_SIZE, limit);
    const result = await read(() => options.logging().listErrors(ctx, { project: options.project, region: options.region, service: options.serviceName, since, pageSize, limit }));
    if (!result.ok) {
        problems.push(`ERROR entries of '${options.serviceName}' could not be read: ${result.error.message}`);
        return verdictOf(problems, warnings, "", LOG_ACTION);
    }
    const { more, filter, pages, stoppedBy } = result.value;
    // The query is wide (every form a level is stored in); each entry is judged on its own level.
    const entries = result.value.entries.filter((e) => entrySeverity(e) >= ERROR_SEVERITY);
    ctx.log(`filter: ${filter}`);
    const count = `${more ? "at least " : ""}${entries.length}`;
    const unread = stoppedBy === "limit" ? ` (limit ${limit} reached with more pages left)` : stoppedBy === "pages" ? ` (${pages} pages read, the bound, with more left)` : "";
    ctx.log(`${count} severity>=ERROR entries since ${since.toISOString()} in ${pages} page(s)${unread} (threshold ${options.threshold})`);
    for (const entry of entries) ctx.log(`  ${formatEntry(entry, options.redactor)}`);
    if (entries.length > options.threshold) {
        const first = entries[0] ? `; newest: ${formatEntry(entries[0], options.redactor)}` : "";
        problems.unshift(`${count} severity>=ERROR entries for '${options.serviceName}' in the last ${options.windowMinutes} min${unread} (threshold ${options.threshold})${first}`);
    } else if (stoppedBy === "pages") {
        // Fewer entries than the threshold so far, but the window was not read to its end.
        problems.unshift(`Cloud Logging gave ${pages} pages (the bound, ${MAX_LOG_PAGES}) with more left and only ${entries.length} entries: the window was not read to its end`);
    }
    for (const problem of problems) ctx.log(`FAIL ${problem}`);
    return verdictOf(problems, warnings, `${count} ERROR entries in the last ${options.windowMinutes} min (threshold ${options.threshold})`, LOG_ACTION);
}

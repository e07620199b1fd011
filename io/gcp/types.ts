// The parts of the Cloud Run Admin API v2 and Cloud Logging v2 resources the gate reads.
// Every field is optional: the gate judges what the API returned and never trusts that a
// field is there (a missing field is a finding, not a crash).

export interface Condition {
    /** "Ready", "Completed", "RoutesReady", ... */
    type?: string;
    /** "CONDITION_SUCCEEDED", "CONDITION_FAILED", "CONDITION_PENDING", "CONDITION_RECONCILING", ... */
    state?: string;
    message?: string;
    reason?: string;
    executionReason?: string;
    revisionReason?: string;
    lastTransitionTime?: string;
}

export interface Container {
    name?: string;
    image?: string;
    command?: string[];
    args?: string[];
    ports?: { name?: string; containerPort?: number }[];
}

export interface TrafficTarget {
    /** "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" or "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION". */
    type?: string;
    revision?: string;
    percent?: number;
    tag?: string;
    uri?: string;
}

export interface CloudRunService {
    name?: string;
    uri?: string;
    /** Every URL the service answers on (the deterministic and the hashed run.app URL). */
    urls?: string[];
    template?: { revision?: string; containers?: Container[] };
    latestReadyRevision?: string;
    latestCreatedRevision?: string;
    /** The split that was asked for. */
    traffic?: TrafficTarget[];
    /** The split actually in effect. */
    trafficStatuses?: TrafficTarget[];
    terminalCondition?: Condition;
    conditions?: Condition[];
}

export interface CloudRunRevision {
    name?: string;
    createTime?: string;
    containers?: Container[];
    conditions?: Condition[];
}

export interface ExecutionReference {
    name?: string;
    createTime?: string;
    completionTime?: string;
    /** "EXECUTION_SUCCEEDED", "EXECUTION_FAILED", "EXECUTION_RUNNING", "EXECUTION_PENDING", "EXECUTION_CANCELLED". */
    completionStatus?: string;
}

export interface CloudRunJob {
    name?: string;
    template?: { template?: { containers?: Container[] } };
    latestCreatedExecution?: ExecutionReference;
    terminalCondition?: Condition;
}

export interface CloudRunExecution {
    name?: string;
    createTime?: string;
    completionTime?: string;
    conditions?: Condition[];
    succeededCount?: number;
    failedCount?: number;
    cancelledCount?: number;
    runningCount?: number;
    template?: { containers?: Container[] };
}

export interface ExecutionList {
    executions?: CloudRunExecution[];
    nextPageToken?: string;
}

export interface LogEntry {
    logName?: string;
    timestamp?: string;
    severity?: string;
    resource?: { type?: string; labels?: Record<string, string> };
    textPayload?: string;
    jsonPayload?: Record<string, unknown>;
    protoPayload?: Record<string, unknown>;
    httpRequest?: { requestMethod?: string; requestUrl?: string; status?: number };
    insertId?: string;
}

export interface LogEntryList {
    entries?: LogEntry[];
    nextPageToken?: string;
}

/** The error body every Google API answers with. */
export interface GoogleApiErrorBody {
    error?: { code?: number; status?: string; message?: string };
}

/** The short name of a resource from its full path (projects/P/locations/L/services/S -> S). */
export function shortName(name: string | undefined): string {
    if (!name) return "";
    const parts = name.split("/");
    return parts[parts.length - 1] ?? "";
}

/**
 * The image a service, revision, job or execution runs: the ingress container (the one with a
 * port) when there are sidecars, else the first container.
 */
export function primaryImage(containers: readonly Container[] | undefined): string | undefined {
    if (!containers || containers.length === 0) return undefined;
    const ingress = containers.find((c) => (c.ports ?? []).length > 0);
    return (ingress ?? containers[0]).image || undefined;
}

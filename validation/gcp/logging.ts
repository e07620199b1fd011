// Cloud Logging v2 entries:list, narrowed to what the error log probes ask: the ERROR (and
// worse) entries of one Cloud Run service's revisions since a point in time.

import type { CheckContext } from "../check";
import type { GcpClient } from "./client";
import type { LogEntry, LogEntryList } from "./types";

const API = "Cloud Logging API";

export interface ErrorQuery {
    project: string;
    region: string;
    service: string;
    since: Date;
    /** Entries to fetch at most (one page). */
    pageSize: number;
}

/** The Logging filter for a service's ERROR entries; quoted values cannot break out of the filter. */
export function errorFilter(query: Omit<ErrorQuery, "pageSize" | "project">): string {
    return [
        'resource.type="cloud_run_revision"',
        `resource.labels.service_name=${JSON.stringify(query.service)}`,
        `resource.labels.location=${JSON.stringify(query.region)}`,
        "severity>=ERROR",
        `timestamp>=${JSON.stringify(query.since.toISOString())}`,
    ].join(" AND ");
}

export class LoggingApi {
    constructor(
        private readonly client: GcpClient,
        private readonly baseUrl: string,
    ) {}

    /** Newest first; `more` is true when the page was full and further entries exist. */
    async listErrors(ctx: CheckContext, query: ErrorQuery): Promise<{ entries: LogEntry[]; more: boolean; filter: string }> {
        const filter = errorFilter(query);
        const url = `${this.baseUrl.replace(/\/+$/, "")}/v2/entries:list`;
        const list = await this.client.json<LogEntryList>(ctx, API, `ERROR entries of service '${query.service}'`, "POST", url, {
            resourceNames: [`projects/${query.project}`],
            filter,
            orderBy: "timestamp desc",
            pageSize: query.pageSize,
        });
        const entries = Array.isArray(list.entries) ? list.entries : [];
        return { entries, more: Boolean(list.nextPageToken), filter };
    }
}

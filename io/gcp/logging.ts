// Cloud Logging v2 entries:list, narrowed to what the error log probes ask: the ERROR (and
// worse) entries of one Cloud Run service's revisions since a point in time.

import type { RequestContext } from "../request";
import type { GcpClient } from "./client";
import { errorLevelClause } from "./log-severity";
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
        // Every form an ERROR level is stored in, not only the severity field (see log-severity.ts).
        errorLevelClause(),
        `timestamp>=${JSON.stringify(query.since.toISOString())}`,
    ].join(" AND ");
}

/** Pages read at most for one query: an endless token chain is an API fault, not data. */
export const MAX_LOG_PAGES = 20;

export interface ErrorPage {
    entries: LogEntry[];
    /** True when entries remain unread: the limit was reached, or MAX_LOG_PAGES pages were read, with a nextPageToken left. */
    more: boolean;
    /** Why reading stopped with entries unread (undefined when the window was read to its end). */
    stoppedBy?: "limit" | "pages";
    pages: number;
    filter: string;
}

export class LoggingApi {
    constructor(
        private readonly client: GcpClient,
        private readonly baseUrl: string,
    ) {}

    /**
     * Newest first, up to `limit` entries: follows nextPageToken until the window is read to its
     * end, the limit is reached, or MAX_LOG_PAGES pages were read. An empty page with a token is
     * not the end (Logging returns those while it searches).
     */
    async listErrors(ctx: RequestContext, query: ErrorQuery & { limit: number }): Promise<ErrorPage> {
        const filter = errorFilter(query);
        const url = `${this.baseUrl.replace(/\/+$/, "")}/v2/entries:list`;
        const entries: LogEntry[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        for (;;) {
            const list = await this.client.json<LogEntryList>(ctx, API, `ERROR entries of service '${query.service}'${pages > 0 ? ` (page ${pages + 1})` : ""}`, "POST", url, {
                resourceNames: [`projects/${query.project}`],
                filter,
                orderBy: "timestamp desc",
                pageSize: Math.min(query.pageSize, query.limit - entries.length),
                ...(pageToken ? { pageToken } : {}),
            });
            pages++;
            if (Array.isArray(list.entries)) entries.push(...list.entries.filter((e) => e !== null && typeof e === "object"));
            pageToken = typeof list.nextPageToken === "string" && list.nextPageToken !== "" ? list.nextPageToken : undefined;
            if (!pageToken) return { entries, more: false, pages, filter };
            if (entries.length >= query.limit) return { entries: entries.slice(0, query.limit), more: true, stoppedBy: "limit", pages, filter };
            if (pages >= MAX_LOG_PAGES) return { entries, more: true, stoppedBy: "pages", pages, filter };
        }
    }
}

// Reads of the Cloud Run Admin API v2 the gate needs. Names are short resource names; the
// project and region come from the gate's options.

import type { RequestContext } from "../request";
import type { GcpClient } from "./client";
import type { CloudRunExecution, CloudRunJob, CloudRunRevision, CloudRunService, ExecutionList } from "./types";

const API = "Cloud Run Admin API";

export interface CloudRunLocation {
    project: string;
    region: string;
}

export class CloudRunApi {
    constructor(
        private readonly client: GcpClient,
        private readonly baseUrl: string,
        readonly location: CloudRunLocation,
    ) {}

    private url(path: string): string {
        const { project, region } = this.location;
        const base = this.baseUrl.replace(/\/+$/, "");
        return `${base}/v2/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(region)}/${path}`;
    }

    /** "<project>/<region>", for messages. */
    get where(): string {
        return `${this.location.project}/${this.location.region}`;
    }

    getService(ctx: RequestContext, service: string): Promise<CloudRunService> {
        return this.client.json(ctx, API, `service '${service}' in ${this.where}`, "GET", this.url(`services/${encodeURIComponent(service)}`));
    }

    getRevision(ctx: RequestContext, service: string, revision: string): Promise<CloudRunRevision> {
        const path = `services/${encodeURIComponent(service)}/revisions/${encodeURIComponent(revision)}`;
        return this.client.json(ctx, API, `revision '${revision}' of service '${service}'`, "GET", this.url(path));
    }

    getJob(ctx: RequestContext, job: string): Promise<CloudRunJob> {
        return this.client.json(ctx, API, `job '${job}' in ${this.where}`, "GET", this.url(`jobs/${encodeURIComponent(job)}`));
    }

    /** The job's executions, newest first (the API's own order is not relied on). */
    async listExecutions(ctx: RequestContext, job: string, pageSize = 20): Promise<CloudRunExecution[]> {
        const path = `jobs/${encodeURIComponent(job)}/executions?pageSize=${pageSize}`;
        const list = await this.client.json<ExecutionList>(ctx, API, `executions of job '${job}'`, "GET", this.url(path));
        const executions = Array.isArray(list.executions) ? list.executions : [];
        return [...executions].sort((a, b) => (b.createTime ?? "").localeCompare(a.createTime ?? ""));
    }
}

// The Cloud Run and Logging clients of a run, shared by the state, log and canary checks: one
// CloudApis per run (keyed on the run's deps) so credentials resolve once.

import type { Check, CheckDeps, CheckEntry } from "../check";
import { createCloudApis, type CloudApis } from "../gcp/apis";
import type { GateOptions } from "../resolve-options";

const apisByRun = new WeakMap<CheckDeps, CloudApis>();

/** A registry entry whose check reads the run's Cloud Run or Logging APIs. */
export function cloudCheck<const Id extends string>(
    id: Id,
    required: boolean,
    build: (options: GateOptions, apis: () => CloudApis, deps: CheckDeps) => Check,
): CheckEntry<Id> {
    return { id, required, build: (options, deps) => build(options, cloudApis(options, deps), deps) };
}

/** The run's APIs, created on first use. */
export function cloudApis(options: GateOptions, deps: CheckDeps): () => CloudApis {
    return () => {
        let apis = apisByRun.get(deps);
        if (!apis) {
            apis = createCloudApis(
                {
                    project: options.gcpProject,
                    region: options.gcpRegion,
                    cloudRunApiUrl: options.cloudRunApiUrl,
                    cloudLoggingApiUrl: options.cloudLoggingApiUrl,
                    accessToken: options.gcpAccessToken,
                    onAccessToken: (token) => deps.redactor.add(token),
                    redactor: deps.redactor,
                },
                deps.http,
            );
            apisByRun.set(deps, apis);
        }
        return apis;
    };
}

// The Cloud Run and Logging clients of a run, shared by the state, log and canary checks: one
// CloudApis per run and location (keyed on the run's deps) so credentials resolve once. A state
// check judges every environment the run covers (options.stateTargets): one verdict, each
// environment's findings named.

import type { Check, CheckContext, CheckDeps, CheckEntry, CheckVerdict } from "../check";
import { createCloudApis, type CloudApis } from "../../io/gcp/apis";
import type { GateOptions, StateTarget } from "../resolve-options";

const apisByRun = new WeakMap<CheckDeps, Map<string, CloudApis>>();

/** A registry entry whose check reads the run's Cloud Run or Logging APIs for each state target. */
export function cloudCheck<const Id extends string>(id: Id, required: boolean, build: (target: StateTarget, options: GateOptions, apis: () => CloudApis, deps: CheckDeps) => Check): CheckEntry<Id> {
    return {
        id,
        required,
        build: (options, deps) => {
            const targets = options.stateTargets.length > 0 ? options.stateTargets : [primaryTarget(options)];
            const checks = targets.map((t) => build(t, options, cloudApis(options, deps, t), deps));
            return checks.length === 1 ? checks[0] : combined(checks, targets);
        },
    };
}

/** The options' own names as one target (options built by hand, without stateTargets). */
function primaryTarget(o: GateOptions): StateTarget {
    const t = o.stateEnvironment ? o[o.stateEnvironment] : o.prod;
    return { ...o, environment: o.stateEnvironment, controlBaseUrl: t.controlBaseUrl, runtimeBaseUrl: t.runtimeBaseUrl };
}

/** One check over several environments: failed when any is, each finding prefixed with its environment. */
function combined(checks: readonly Check[], targets: readonly StateTarget[]): Check {
    const label = (i: number): string => targets[i].environment ?? `target ${i + 1}`;
    const first = checks[0];
    return {
        id: first.id,
        required: first.required,
        description: `${first.description} (${targets.map((_, i) => label(i)).join(" and ")})`,
        command: checks.map((c, i) => `${label(i)}: ${c.command}`).join("; "),
        skipReason: first.skipReason,
        skipAction: first.skipAction,
        async run(ctx: CheckContext): Promise<CheckVerdict> {
            const verdicts = await Promise.all(checks.map((c, i) => c.run({ ...ctx, log: (line) => ctx.log(`[${label(i)}] ${line}`) })));
            const failed = verdicts.map((v, i) => ({ v, i })).filter(({ v }) => v.status === "failed");
            const shown = failed.length > 0 ? failed : verdicts.map((v, i) => ({ v, i }));
            return {
                status: failed.length > 0 ? "failed" : "passed",
                cause: shown.map(({ v, i }) => `${label(i)}: ${v.cause ?? v.status}`).join("; "),
                warnings: verdicts.flatMap((v, i) => (v.warnings ?? []).map((w) => `${label(i)}: ${w}`)),
                action: failed.find(({ v }) => v.action)?.v.action,
            };
        },
    };
}

/** The run's APIs for one target's location, created on first use. */
export function cloudApis(options: GateOptions, deps: CheckDeps, target: Pick<StateTarget, "gcpProject" | "gcpRegion"> = options): () => CloudApis {
    return () => {
        let byLocation = apisByRun.get(deps);
        if (!byLocation) {
            byLocation = new Map();
            apisByRun.set(deps, byLocation);
        }
        const key = `${target.gcpProject}/${target.gcpRegion}`;
        let apis = byLocation.get(key);
        if (!apis) {
            apis = createCloudApis(
                {
                    project: target.gcpProject,
                    region: target.gcpRegion,
                    cloudRunApiUrl: options.cloudRunApiUrl,
                    cloudLoggingApiUrl: options.cloudLoggingApiUrl,
                    accessToken: options.gcpAccessToken,
                    onAccessToken: (token) => deps.redactor.add(token),
                    redactor: deps.redactor,
                },
                deps.http,
            );
            byLocation.set(key, apis);
        }
        return apis;
    };
}

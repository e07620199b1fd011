// The part-2 entries of the check list: builds the Cloud Run state, log and contract checks from
// the gate's options. One CloudApis per run (keyed on the run's deps) so credentials resolve once.

import type { Check } from "../check";
import { createCloudApis, type CloudApis } from "../gcp/apis";
import type { GateOptions } from "../options";
import { crossSurfaceHarnessCheck, khalaContractTestsCheck } from "./contract-tests";
import { controlCanaryStatusCheck, type IntendedSplit } from "./control-canary-status";
import { errorLogProbeCheck } from "./error-log-probe";
import type { CheckDeps } from "./index";
import { runtimeMigrationDriftCheck } from "./runtime-migration-drift";

const apisByRun = new WeakMap<CheckDeps, CloudApis>();

function cloudApis(options: GateOptions, deps: CheckDeps): () => CloudApis {
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

export function runtimeMigrationDrift(options: GateOptions, deps: CheckDeps): Check {
    const apis = cloudApis(options, deps);
    return runtimeMigrationDriftCheck({
        api: () => apis().cloudRun,
        serviceName: options.runtimeService,
        jobName: options.migrateJob,
        expectedImage: options.expectedRuntimeImage,
        skipReason: options.runRuntimeDriftCheck ? undefined : "disabled by RUN_RUNTIME_DRIFT_CHECK=0",
    });
}

export function khalaContractTests(options: GateOptions): Check {
    return khalaContractTestsCheck({ repo: options.openagentsRepo, enabled: options.runKhalaContractTests });
}

export function crossSurfaceContractHarness(options: GateOptions): Check {
    return crossSurfaceHarnessCheck({ repo: options.openagentsRepo, enabled: options.runCrossSurface });
}

export function errorLogProbe(lane: "control" | "runtime"): (options: GateOptions, deps: CheckDeps) => Check {
    return (options, deps) => {
        const apis = cloudApis(options, deps);
        return errorLogProbeCheck({
            lane,
            serviceName: lane === "control" ? options.controlService : options.runtimeService,
            project: options.gcpProject,
            region: options.gcpRegion,
            windowMinutes: options.logWindowMinutes,
            threshold: options.logErrorThreshold,
            limit: options.logLimit,
            cloudRun: () => apis().cloudRun,
            logging: () => apis().logging,
            redactor: deps.redactor,
            skipReason: options.runLogProbes ? undefined : "disabled by RUN_LOG_PROBES=0",
        });
    };
}

/**
 * The split the stack meant, when its outputs (or CONTROL_CANARY_PERCENT) say. With a percent
 * but no controlRevision, the share of the latest ready revision is judged against it.
 */
export function intendedSplit(options: GateOptions): IntendedSplit | undefined {
    if (!options.controlRevision) return options.intendedCanaryPercent === undefined ? undefined : { canaryPercent: options.intendedCanaryPercent };
    const stable = options.controlStableRevision;
    return {
        revision: options.controlRevision,
        stableRevision: stable,
        canaryPercent: options.intendedCanaryPercent ?? (stable ? 0 : 100),
    };
}

export function controlCanaryStatus(options: GateOptions, deps: CheckDeps): Check {
    const apis = cloudApis(options, deps);
    return controlCanaryStatusCheck({
        api: () => apis().cloudRun,
        serviceName: options.controlService,
        intended: intendedSplit(options),
        expectedImage: options.expectedControlImage,
    });
}

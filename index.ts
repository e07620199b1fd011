// The OpenAgents Rust lanes on Cloud Run: one stack per environment (Pulumi.<stack>.yaml).
import { LaneEnvironment, loadStackConfig } from "./services";

// Validated before anything is declared: a bad stack file declares nothing.
const config = loadStackConfig();
const lanes = new LaneEnvironment(`openagents-${config.environment}`, { config });

export const {
    environment,
    project,
    region,
    controlServiceName,
    controlServiceUrl,
    controlBaseUrl,
    controlImage,
    controlRevision,
    controlStableRevision,
    controlCanaryPercent,
    runtimeServiceName,
    runtimeServiceUrl,
    runtimeImage,
    migrateJobName,
    migrateJobImage,
} = lanes.outputs;

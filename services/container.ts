// Container building blocks shared by the service and job templates: env (plain and secret
// references) and HTTP probes on the lane's health paths.

import type * as gcpInputs from "@pulumi/gcp/types/input";
import { CloudRunServiceLane } from "../catalog";
import type { EnvVar, SecretRef } from "./stack-config";

// The service and job env shapes are the same; the job's is the narrower type.
type ContainerEnv = gcpInputs.cloudrunv2.JobTemplateTemplateContainerEnv;
type StartupProbe = gcpInputs.cloudrunv2.ServiceTemplateContainerStartupProbe;
type LivenessProbe = gcpInputs.cloudrunv2.ServiceTemplateContainerLivenessProbe;

/** Plain env first, then secret references; Secret Manager names only, never values. */
export function containerEnv(plain: EnvVar[], secrets: SecretRef[]): ContainerEnv[] {
    return [...plain.map((e) => ({ name: e.name, value: e.value })), ...secrets.map((s) => ({ name: s.env, valueSource: { secretKeyRef: { secret: s.secret, version: s.version } } }))];
}

/**
 * Startup on readiness (a revision takes traffic only once ready), liveness on /healthz (the
 * container probe reaches the container directly, unlike external /healthz requests).
 */
export function containerProbes(lane: CloudRunServiceLane): { startupProbe: StartupProbe; livenessProbe: LivenessProbe } {
    return {
        startupProbe: {
            httpGet: { path: lane.health.readiness, port: lane.containerPort },
            initialDelaySeconds: 0,
            periodSeconds: 5,
            timeoutSeconds: 3,
            // Up to 4 minutes to become ready, Cloud Run's cap for a startup probe
            // (failureThreshold x periodSeconds <= 240 s).
            failureThreshold: 48,
        },
        livenessProbe: {
            httpGet: { path: lane.health.liveness, port: lane.containerPort },
            periodSeconds: 15,
            timeoutSeconds: 3,
            failureThreshold: 3,
        },
    };
}

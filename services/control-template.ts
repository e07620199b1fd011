// The control service's revision template and the revision name it gives, as one pure
// function: the component declares it, and config validation computes the same name to refuse
// a canary split between this deploy's revision and itself before anything is declared.

import { createRequire } from "node:module";
import { CONTROL, Environment, MAINTENANCE, imageFromTag } from "../catalog";
import type { StackConfig } from "./stack-config";
import { containerEnv, containerProbes } from "./container";
import { accountId, laneLabels, revisionName } from "./naming";

/**
 * The version of the Google provider that sends the template (@pulumi/gcp bridges one
 * terraform-provider-google-beta release). It is part of the revision name: another provider may
 * send the same config differently, and a name re-sent with another template is refused (409).
 */
export const GCP_PROVIDER_VERSION: string = (createRequire(__filename)("@pulumi/gcp/package.json") as { version: string }).version;

/**
 * Cloud Run's protocol name for an HTTP/1 port (k8s.min.proto:184-186@f8291d2b, "http1" or "h2c").
 * Declared, never left to the server: the provider fills an undeclared Optional+Computed field from
 * its last read, so the template it sends would depend on history (docs/canary.md).
 */
const HTTP1_PORT_NAME = "http1";

/** The revision template (the service account is added by the component), its secrets and labels, and the revision name. */
export function controlTemplate(s: StackConfig["control"], environment: Environment, secretVersion: string, providerVersion = GCP_PROVIDER_VERSION) {
    const m = s.maintenance;
    const plainEnv = [
        { name: CONTROL.bindAddrEnv, value: `0.0.0.0:${CONTROL.containerPort}` },
        { name: "OA_CONTROL_STATIC_DIR", value: "/app/web-shell/dist" },
        { name: "OA_AUTH_PROVIDER_MODE", value: s.authProviderMode },
        { name: MAINTENANCE.enabledEnv, value: String(m.enabled) },
        { name: MAINTENANCE.allowedPathsEnv, value: m.allowedPaths.join(",") },
        { name: MAINTENANCE.cookieNameEnv, value: m.cookieName },
        { name: MAINTENANCE.cookieTtlEnv, value: String(m.cookieTtlSeconds) },
        ...s.env,
    ];
    const secrets = [
        { env: "OA_SYNC_TOKEN_SIGNING_KEY", secret: s.syncTokenSigningKeySecret, version: secretVersion },
        { env: MAINTENANCE.bypassTokenEnv, secret: m.bypassTokenSecret, version: secretVersion },
        ...s.secrets,
    ];

    const container = {
        image: imageFromTag(CONTROL.imageRepository, s.imageTag),
        ports: { name: HTTP1_PORT_NAME, containerPort: CONTROL.containerPort },
        envs: containerEnv(plainEnv, secrets),
        resources: { limits: { cpu: s.cpu, memory: s.memory }, startupCpuBoost: s.startupCpuBoost, cpuIdle: true },
        ...containerProbes(CONTROL),
    };
    const labels = laneLabels(environment, CONTROL.id);
    const template = {
        labels,
        containers: [container],
        scaling: { minInstanceCount: s.minInstances, maxInstanceCount: s.maxInstances },
        maxInstanceRequestConcurrency: s.concurrency,
        timeout: `${s.timeoutSeconds}s`,
    };
    // Named from everything the provider sends as the template, and from nothing else: moving
    // traffic (canary percent, stable revision) or mapping a domain keeps the revision, so each
    // rung of the ladder and the rollback move traffic between the same two revisions, and a name
    // is only ever sent with the template that created it (docs/canary.md, "Traffic updates and
    // revision names"). The account is known by its id here.
    const revision = revisionName(s.name, s.imageTag, { template, account: accountId("control", environment), provider: providerVersion });
    return { secrets, labels, template, revision };
}

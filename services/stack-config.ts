// The shape of a stack's validated config: what services/config.ts returns and the components
// and the revision template read. Types only, so every reader can import it without a circle.

import type { Environment } from "../catalog";

export interface SecretRef {
    /** Env var the container reads. */
    env: string;
    /** Secret Manager secret name. */
    secret: string;
    version: string;
}

export interface EnvVar {
    name: string;
    value: string;
}

export interface ContainerSizing {
    cpu: string;
    memory: string;
}

export interface ServiceSettings extends ContainerSizing {
    name: string;
    imageTag: string;
    minInstances: number;
    maxInstances: number;
    concurrency: number;
    timeoutSeconds: number;
    startupCpuBoost: boolean;
    ingress: string;
    env: EnvVar[];
    secrets: SecretRef[];
}

export interface StackConfig {
    environment: Environment;
    project: string;
    region: string;
    deletionProtection: boolean;
    control: ServiceSettings & {
        authProviderMode: "workos" | "mock";
        stableRevision: string;
        canaryPercent: number;
        domain: string;
        maintenance: { enabled: boolean; allowedPaths: string[]; cookieName: string; cookieTtlSeconds: number; bypassTokenSecret: string };
        syncTokenSigningKeySecret: string;
    };
    runtime: ServiceSettings & { databaseUrlSecret: string; smokeInvoker: string };
    migrate: ContainerSizing & { name: string; timeoutSeconds: number; maxRetries: number; rerun: number };
    secretVersion: string;
}

/** One refused config value: the full key, the expected form, the value given. */
export interface ConfigProblem {
    key: string;
    expected: string;
    got?: string;
}

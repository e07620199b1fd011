// The shape every policy of this pack has: the SDK's policy objects plus the metadata the
// issue asks each to carry (severity and remediation text are required here, optional in the SDK).

import type { ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

type Required<P> = P & { severity: Severity; remediationSteps: string; enforcementLevel: "mandatory" | "advisory" };

export type PackResourcePolicy = Required<ResourceValidationPolicy>;
export type PackStackPolicy = Required<StackValidationPolicy>;
export type PackPolicy = PackResourcePolicy | PackStackPolicy;

/** Props as the engine hands them over: plain JSON read through the unknown-checking proxy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;

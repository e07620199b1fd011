// The test side of the offline engine: run one policy (or the pack) on resources exactly as
// `pulumi preview --policy-pack` would, with a policy config given as the CLI takes it.

import { unknown as pulumiUnknown } from "@pulumi/pulumi/output";
import { POLICIES } from "../../policies/all";
import type { PackPolicy } from "../../policies/lib/types";
import { parsePolicyConfig, reconcilePolicyConfig } from "../../policies/offline/config";
import { AnalysisResult, EngineResource, OfflineAnalyzer } from "../../policies/offline/engine";

export interface RunOptions {
    /** The JSON object the CLI's --policy-pack-config file would hold. */
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

function analyzer(policies: readonly PackPolicy[], opts: RunOptions): OfflineAnalyzer {
    const config = reconcilePolicyConfig(policies, parsePolicyConfig(JSON.stringify(opts.config ?? {})));
    return new OfflineAnalyzer(policies, { config, stackTags: opts.stackTags });
}

/** One resource policy on one resource (the engine's Analyze call). */
export function runOn(policy: PackPolicy, resource: EngineResource, opts: RunOptions = {}): Promise<AnalysisResult> {
    return analyzer([policy], opts).analyzeResource(resource);
}

/** One stack policy on a stack (the engine's AnalyzeStack call). */
export function runOnStack(policy: PackPolicy, resources: EngineResource[], opts: RunOptions = {}): Promise<AnalysisResult> {
    return analyzer([policy], opts).analyzeStack(resources);
}

/** The whole pack on a stack: every resource, then the stack. */
export function runPack(resources: EngineResource[], opts: RunOptions = {}): Promise<AnalysisResult> {
    return analyzer(POLICIES, opts).analyzeAll(resources);
}

export function messages(result: AnalysisResult): string[] {
    return result.verdicts.map((v) => v.message);
}

export function mandatory(result: AnalysisResult): string[] {
    return result.verdicts.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`);
}

/** A value unknown during preview, as the mock runtime hands it over. */
export const UNKNOWN = pulumiUnknown;

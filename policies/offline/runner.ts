// The offline policy run `npm run review` uses: a recorded stack plan in, verdicts out, with
// the same pack, config semantics and SDK analyzer as `pulumi preview --policy-pack policies`.
// It takes the plan structurally so the pack stays independent of review/.

import { POLICIES } from "../all";
import type { PackPolicy } from "../lib/types";
import { GivenPolicyConfig, reconcilePolicyConfig } from "./config";
import { AnalysisResult, EngineResource, OfflineAnalyzer, Verdict } from "./engine";

/** What the review's StackPlan carries that a policy run needs. */
export interface PlanForPolicies {
    stack: string;
    project: string;
    resources: readonly {
        type: string;
        name: string;
        urn: string;
        inputs: Record<string, unknown>;
        parent?: string;
        dependencies: readonly string[];
        customTimeouts?: EngineResource["customTimeouts"];
    }[];
}

export interface PolicyRunOptions {
    /** Parsed --policy-pack-config JSON (see config.ts); defaults apply either way. */
    config?: Record<string, GivenPolicyConfig>;
    /** User stack tags (e.g. {environment: "prod"}); the built-in pulumi:* tags are added. */
    stackTags?: Record<string, string>;
    policies?: readonly PackPolicy[];
    packVersion?: string;
}

export interface StackVerdicts {
    stack: string;
    verdicts: Verdict[];
    /** Mandatory violations: any makes `pulumi preview` fail, and the review exit 1. */
    mandatory: number;
    advisory: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACK_VERSION = (require("../package.json") as { version: string }).version;

export function toEngineResources(plan: PlanForPolicies): EngineResource[] {
    return plan.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
        parent: r.parent,
        dependencies: [...r.dependencies],
        ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
    }));
}

/** Runs every policy on every resource, then the stack policies: what the engine does in a preview. */
export async function runPolicies(plan: PlanForPolicies, options: PolicyRunOptions = {}): Promise<StackVerdicts> {
    const policies = options.policies ?? POLICIES;
    const config = reconcilePolicyConfig(policies, options.config ?? {});
    const stackTags = { "pulumi:project": plan.project, "pulumi:runtime": "nodejs", ...options.stackTags };
    const analyzer = new OfflineAnalyzer(policies, { config, stackTags, packVersion: options.packVersion ?? PACK_VERSION });
    const result: AnalysisResult = await analyzer.analyzeAll(toEngineResources(plan));
    return {
        stack: plan.stack,
        verdicts: result.verdicts,
        mandatory: result.verdicts.filter((v) => v.level === "mandatory").length,
        advisory: result.verdicts.filter((v) => v.level === "advisory").length,
    };
}

/** One line per verdict: level, policy, resource, message (the review's text output). */
export function renderVerdicts(result: StackVerdicts): string {
    const head = `Policy verdicts (${result.stack}): ${result.mandatory} mandatory, ${result.advisory} advisory`;
    const lines = result.verdicts.map((v) => `  ${v.level.padEnd(9)} ${v.policy.padEnd(28)} ${v.resource ?? v.urn ?? "(stack)"}: ${v.message.replace(/\n/g, " ")}`);
    return [head, ...(lines.length ? lines : ["  none"])].join("\n");
}

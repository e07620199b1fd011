// The policy pack on synthetic stacks of 500 and 5,000 resources (copies of a compliant
// environment: accounts, grants, services, jobs, IAM, domain mappings), run through the offline
// engine exactly as a preview runs it (every resource, then the stack). The run must stay
// linear: 10x the resources may cost at most about 12x the time (stack policies index the stack
// once instead of scanning it per resource). Absolute figures are printed too.

import { POLICIES } from "../policies/all";
import { runtimeImageLock } from "../policies/image-lock";
import type { PackPolicy } from "../policies/lib/types";
import { EngineResource, OfflineAnalyzer } from "../policies/offline/engine";
import { compliantStack } from "../test/policies/fixtures";
import type { Bench } from "./figure";

const RUNS = 3;

/** `count` resources: copies of both compliant environments with unique names, URNs and dependencies. */
export function syntheticStack(count: number): EngineResource[] {
    const template = [...compliantStack("prod"), ...compliantStack("staging")];
    const out: EngineResource[] = [];
    for (let copy = 0; out.length < count; copy++) {
        const rename = (urn: string) => `${urn}-${copy}`;
        for (const r of template) {
            if (out.length === count) break;
            const c = structuredClone(r);
            c.name = `${r.name}-${copy}`;
            c.urn = rename(r.urn ?? r.name);
            c.dependencies = (r.dependencies ?? []).map(rename);
            out.push(c);
        }
    }
    return out;
}

async function best(policies: readonly PackPolicy[], resources: EngineResource[], stackOnly: boolean): Promise<number> {
    const analyzer = new OfflineAnalyzer(policies);
    let fastest = Infinity;
    for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const result = stackOnly ? await analyzer.analyzeStack(resources) : await analyzer.analyzeAll(resources);
        const elapsed = performance.now() - started;
        if (result.verdicts.some((v) => v.level === "mandatory")) throw new Error(`synthetic stack is not compliant: ${result.verdicts[0].message}`);
        fastest = Math.min(fastest, elapsed);
    }
    return fastest;
}

const bench: Bench = async () => {
    const small = syntheticStack(500);
    const large = syntheticStack(5_000);
    await best(POLICIES, small, false); // warm-up: module loading and JIT
    const pack500 = await best(POLICIES, small, false);
    const pack5000 = await best(POLICIES, large, false);
    const stack500 = await best([runtimeImageLock], small, true);
    const stack5000 = await best([runtimeImageLock], large, true);
    return [
        {
            name: `policy pack, all 11 policies, 5,000 resources (${pack5000.toFixed(0)} ms; 500: ${pack500.toFixed(0)} ms)`,
            measured: pack5000,
            baselineLabel: "the same run on 500 resources",
            baseline: pack500,
            unit: "ms",
            goalRatio: 12,
        },
        {
            name: `stack policy runtime-image-lock alone, 5,000 resources (${stack5000.toFixed(0)} ms; 500: ${stack500.toFixed(0)} ms)`,
            measured: stack5000,
            baselineLabel: "the same run on 500 resources",
            baseline: stack500,
            unit: "ms",
            goalRatio: 12,
        },
    ];
};

export default bench;

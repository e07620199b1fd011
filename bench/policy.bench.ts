// The policy pack on synthetic stacks of 500 and 5,000 resources (copies of a compliant
// environment: accounts, grants, services, jobs, IAM, domain mappings), run through the offline
// engine exactly as a preview runs it (every resource, then the stack). The run must stay
// linear: 10x the resources may cost at most about 12x the time (stack policies index the stack
// once instead of scanning it per resource). Absolute figures are printed too. The stack policy
// alone takes only milliseconds on 500 resources, where timer and GC noise decided the ratio
// (anywhere from 8x to 16x), so that figure compares 1,000 with 10,000 resources, interleaved,
// each run after a full GC, as the median of several runs (9x here, run after run).

import * as v8 from "node:v8";
import * as vm from "node:vm";
import { POLICIES } from "../policies/all";
import { runtimeImageLock } from "../policies/runtime-image-lock";
import type { PackPolicy } from "../policies/lib/types";
import { EngineResource, OfflineAnalyzer } from "../policies/offline/engine";
import { compliantStack, loadBaselines } from "../test/policies/fixtures";
import type { Bench } from "./figure";
import { median } from "./lib/timing";

const RUNS = 3;
const STACK_RUNS = 9;

/** `count` resources: copies of both compliant environments with unique names, URNs and dependencies. */
export function syntheticStack(count: number): EngineResource[] {
    const template = [...compliantStack("prod"), ...compliantStack("staging")];
    // A partial copy takes no service or job: a migrate job cut off from its runtime service is a finding, not a benchmark.
    const partial = template.filter((r) => !/^gcp:cloudrunv2\/(service|job):/.test(r.type));
    const out: EngineResource[] = [];
    for (let copy = 0; out.length < count; copy++) {
        const rename = (urn: string) => `${urn}-${copy}`;
        const whole = count - out.length >= template.length;
        for (const r of whole ? template : partial) {
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

/** A full garbage collection, so every timed run starts from the same heap (no --expose-gc needed). */
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

/**
 * Median times of the stack policy alone on a small and a large stack, measured interleaved
 * (small, large, small, ...) after a warm-up of each and a full GC before each run, so neither
 * a busy spell nor the garbage the previous run left decides the ratio.
 */
async function stackMedians(small: EngineResource[], large: EngineResource[]): Promise<[number, number]> {
    const analyzer = new OfflineAnalyzer([runtimeImageLock]);
    const time = async (resources: EngineResource[]): Promise<number> => {
        collectGarbage();
        const started = performance.now();
        const result = await analyzer.analyzeStack(resources);
        const elapsed = performance.now() - started;
        if (result.verdicts.length > 0) throw new Error(`synthetic stack is not compliant: ${result.verdicts[0].message}`);
        return elapsed;
    };
    await time(small);
    await time(large);
    const smallTimes: number[] = [];
    const largeTimes: number[] = [];
    for (let i = 0; i < STACK_RUNS; i++) {
        smallTimes.push(await time(small));
        largeTimes.push(await time(large));
    }
    return [median(smallTimes), median(largeTimes)];
}

/** Fastest of RUNS full pack runs (every resource, then the stack). */
async function best(policies: readonly PackPolicy[], resources: EngineResource[]): Promise<number> {
    const analyzer = new OfflineAnalyzer(policies);
    let fastest = Infinity;
    for (let i = 0; i < RUNS; i++) {
        collectGarbage();
        const started = performance.now();
        const result = await analyzer.analyzeAll(resources);
        const elapsed = performance.now() - started;
        if (result.verdicts.some((v) => v.level === "mandatory")) throw new Error(`synthetic stack is not compliant: ${result.verdicts[0].message}`);
        fastest = Math.min(fastest, elapsed);
    }
    return fastest;
}

const bench: Bench = async () => {
    await loadBaselines();
    const small = syntheticStack(500);
    const large = syntheticStack(5_000);
    await best(POLICIES, small); // warm-up: module loading and JIT
    const pack500 = await best(POLICIES, small);
    const pack5000 = await best(POLICIES, large);
    const [stackSmall, stackLarge] = await stackMedians(syntheticStack(1_000), syntheticStack(10_000));
    return [
        {
            name: `policy pack, all ${POLICIES.length} policies, 5,000 resources (${pack5000.toFixed(0)} ms; 500: ${pack500.toFixed(0)} ms)`,
            measured: pack5000,
            baselineLabel: "the same run on 500 resources",
            baseline: pack500,
            unit: "ms",
            goalRatio: 12,
        },
        {
            name: `stack policy runtime-image-lock alone, 10,000 resources (${stackLarge.toFixed(0)} ms; 1,000: ${stackSmall.toFixed(0)} ms; median of ${STACK_RUNS})`,
            measured: stackLarge,
            baselineLabel: "the same run on 1,000 resources",
            baseline: stackSmall,
            unit: "ms",
            goalRatio: 12,
        },
    ];
};

export default bench;

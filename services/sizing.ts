// Cloud Run's limits on a container's CPU and memory, checked at config time so a stack file
// that Cloud Run would refuse fails in review rather than halfway through `pulumi up`.

/** Whole CPUs Cloud Run offers; below 1, fractions from 0.08 in millicores. */
const WHOLE_CPUS = [1, 2, 4, 6, 8];
const MIN_FRACTION = 0.08;
const MIN_MEMORY_MIB = 128;
const MAX_MEMORY_MIB = 32 * 1024;
/** Memory each whole CPU allows: 4 GiB per CPU (1 -> 4Gi, 2 -> 8Gi, ... 8 -> 32Gi). */
const MIB_PER_CPU = 4 * 1024;

/** "1", "2", "500m", "2000m" -> CPUs; undefined when Cloud Run would not accept it. */
export function parseCpu(value: string): number | undefined {
    const m = /^([0-9]+)(m?)$/.exec(value.trim());
    if (!m) return undefined;
    const cpus = m[2] === "m" ? Number(m[1]) / 1000 : Number(m[1]);
    if (WHOLE_CPUS.includes(cpus)) return cpus;
    return cpus >= MIN_FRACTION && cpus < 1 ? cpus : undefined;
}

/** "512Mi", "4Gi" -> MiB; undefined when outside Cloud Run's range. */
export function parseMemory(value: string): number | undefined {
    const m = /^([0-9]+)(Mi|Gi)$/.exec(value.trim());
    if (!m) return undefined;
    const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
    return mib >= MIN_MEMORY_MIB && mib <= MAX_MEMORY_MIB ? mib : undefined;
}

/** Why a CPU/memory/concurrency combination is refused by Cloud Run, or undefined. */
export function sizingProblem(cpus: number, memoryMib: number, concurrency?: number): string | undefined {
    if (cpus < 1 && concurrency !== undefined && concurrency > 1) return `less than 1 CPU allows a concurrency of 1 only, not ${concurrency}`;
    if (cpus >= 1 && memoryMib > cpus * MIB_PER_CPU) return `${cpus} CPU allows at most ${(cpus * MIB_PER_CPU) / 1024}Gi of memory`;
    return undefined;
}

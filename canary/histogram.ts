// Percentiles of a Cloud Monitoring distribution: the buckets a bucketOptions describes
// (exponential, linear or explicit), merging histograms of one layout, and a quantile
// interpolated linearly inside the bucket it falls in. Pure functions, no I/O.

export interface ExponentialBuckets {
    numFiniteBuckets: number;
    growthFactor: number;
    scale: number;
}

export interface LinearBuckets {
    numFiniteBuckets: number;
    width: number;
    /** Absent when 0. */
    offset?: number;
}

export interface BucketOptions {
    exponentialBuckets?: ExponentialBuckets;
    linearBuckets?: LinearBuckets;
    explicitBuckets?: { bounds: number[] };
}

/** A histogram: the finite bounds of its buckets and a count per bucket (underflow first, overflow last). */
export interface Histogram {
    /** Ascending bounds b0..bN: bucket 0 is (-inf, b0), bucket i is [b(i-1), b(i)), bucket N+1 is [bN, +inf). */
    bounds: number[];
    /** One count per bucket, bounds.length + 1 of them (a shorter list means zeros after it). */
    counts: number[];
    /** Total count. */
    count: number;
}

const MAX_BUCKETS = 10_000;

/** The finite bounds of a bucketOptions; undefined when it is not one of the three valid layouts. */
export function bucketBounds(options: BucketOptions | undefined): number[] | undefined {
    if (!options || typeof options !== "object") return undefined;
    const { exponentialBuckets: e, linearBuckets: l, explicitBuckets: x } = options;
    const positiveInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0 && (n as number) <= MAX_BUCKETS;
    if (e) {
        if (!positiveInt(e.numFiniteBuckets) || !(e.growthFactor > 1) || !(e.scale > 0)) return undefined;
        return Array.from({ length: e.numFiniteBuckets + 1 }, (_, i) => e.scale * Math.pow(e.growthFactor, i));
    }
    if (l) {
        // proto3 JSON omits a field at its default: an offset of 0 arrives as no offset
        // (google/api/distribution.proto:86@f8291d2b, Linear.offset; the mapping's default-value rule).
        const offset = l.offset ?? 0;
        if (!positiveInt(l.numFiniteBuckets) || !(l.width > 0) || !Number.isFinite(offset)) return undefined;
        return Array.from({ length: l.numFiniteBuckets + 1 }, (_, i) => offset + l.width * i);
    }
    if (x) {
        const bounds = x.bounds;
        if (!Array.isArray(bounds) || bounds.length === 0 || bounds.length > MAX_BUCKETS) return undefined;
        if (!bounds.every((b, i) => typeof b === "number" && Number.isFinite(b) && (i === 0 || b > bounds[i - 1]))) return undefined;
        return [...bounds];
    }
    return undefined;
}

/** Sums histograms of one layout; undefined when their bounds differ (they cannot be merged). */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram | undefined {
    if (histograms.length === 0) return undefined;
    const bounds = histograms[0].bounds;
    const counts = new Array<number>(bounds.length + 1).fill(0);
    let count = 0;
    for (const h of histograms) {
        if (h.bounds.length !== bounds.length || h.bounds.some((b, i) => Math.abs(b - bounds[i]) > 1e-9 * Math.max(1, Math.abs(b)))) return undefined;
        h.counts.forEach((c, i) => (counts[i] += c));
        count += h.count;
    }
    return { bounds, counts, count };
}

/**
 * The q-quantile (0 < q <= 1) of a histogram, interpolated linearly inside its bucket. The
 * underflow bucket reaches down to 0 (or to b0 when b0 is negative); a quantile in the overflow
 * bucket is its lower bound, reported as `atLeast`. Undefined for an empty histogram.
 */
export function histogramQuantile(h: Histogram, q: number): { value: number; atLeast: boolean } | undefined {
    const total = h.counts.reduce((s, c) => s + c, 0);
    if (total <= 0) return undefined;
    const rank = Math.min(Math.max(q, 0), 1) * total;
    let before = 0;
    for (let i = 0; i < h.counts.length; i++) {
        const c = h.counts[i];
        if (c <= 0) continue;
        if (before + c >= rank) {
            if (i > h.bounds.length - 1) return { value: h.bounds[h.bounds.length - 1], atLeast: true };
            const hi = h.bounds[i];
            const lo = i === 0 ? Math.min(0, hi) : h.bounds[i - 1];
            const fraction = Math.max(0, rank - before) / c;
            return { value: lo + fraction * (hi - lo), atLeast: false };
        }
        before += c;
    }
    return { value: h.bounds[h.bounds.length - 1], atLeast: true };
}

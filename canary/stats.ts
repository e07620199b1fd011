// Exact (Clopper-Pearson) one-sided bounds of a binomial rate, and order-statistic ranks of a
// quantile: the statistics a canary stage is judged with. Pure functions, no I/O.

/** ln Γ(x) (Lanczos, g = 7): accurate to about 15 digits for x > 0. */
export function logGamma(x: number): number {
    const c = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
    if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    const z = x - 1;
    let a = c[0];
    const t = z + 7.5;
    for (let i = 1; i < 9; i++) a += c[i] / (z + i);
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
    const tiny = 1e-300;
    let c = 1;
    let d = 1 - ((a + b) * x) / (a + 1);
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    let h = d;
    for (let m = 1; m <= 300; m++) {
        const m2 = 2 * m;
        let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny) c = tiny;
        d = 1 / d;
        const step = d * c;
        h *= step;
        if (Math.abs(step - 1) < 1e-12) break;
    }
    return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
    return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The q-quantile of Beta(a, b), by bisection (60 halvings: far below any rate that matters). */
export function betaQuantile(q: number, a: number, b: number): number {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (incompleteBeta(mid, a, b) < q) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

export interface RateBounds {
    /** Observed rate k/n (0 when n is 0). */
    rate: number;
    /** One-sided lower bound at the confidence: the true rate is above it with that confidence. */
    lower: number;
    /** One-sided upper bound at the confidence. */
    upper: number;
}

/** Clopper-Pearson one-sided bounds of k successes in n trials (n 0: nothing known, [0, 1]). */
export function rateBounds(k: number, n: number, confidence: number): RateBounds {
    if (n <= 0) return { rate: 0, lower: 0, upper: 1 };
    const alpha = 1 - confidence;
    const lower = k <= 0 ? 0 : betaQuantile(alpha, k, n - k + 1);
    const upper = k >= n ? 1 : betaQuantile(1 - alpha, k + 1, n - k);
    return { rate: k / n, lower, upper };
}

/** z such that P(Z <= z) = p for a standard normal (Acklam's rational approximation). */
export function normalQuantile(p: number): number {
    const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
    const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    const low = 0.02425;
    if (p < low) {
        const q = Math.sqrt(-2 * Math.log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) return -normalQuantile(1 - p);
    const q = p - 0.5;
    const r = q * q;
    return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The quantile levels whose sample values bound the true q-quantile of n samples, one-sided at
 * the confidence each way (the normal approximation of the order statistics' binomial ranks).
 */
export function quantileLevelBounds(q: number, n: number, confidence: number): { lower: number; upper: number } {
    if (n <= 0) return { lower: 0, upper: 1 };
    const z = normalQuantile(confidence);
    const spread = z * Math.sqrt(n * q * (1 - q));
    const lowRank = Math.max(0, Math.floor(n * q - spread));
    const highRank = Math.min(n, Math.ceil(n * q + spread) + 1);
    return { lower: lowRank / n, upper: highRank / n };
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
    return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** A beta prior over a rate: the mixing distribution of the confidence sequences below. */
export interface RatePrior {
    a: number;
    b: number;
}

/**
 * ln of Robbins' beta-binomial mixture martingale at rate q after k successes in n trials: the
 * prior-weighted likelihood of every rate over the likelihood of q. Under rate q its expectation
 * is 1 at every n, so by Ville's inequality it ever reaches 1/alpha with probability at most
 * alpha, however often it is looked at. k and n may be fractional (counts read from histograms).
 */
export function logMixture(k: number, n: number, q: number, prior: RatePrior): number {
    const hits = k > 0 ? k * Math.log(q) : 0;
    const misses = n - k > 0 ? (n - k) * Math.log1p(-q) : 0;
    return logBeta(prior.a + k, prior.b + n - k) - logBeta(prior.a, prior.b) - hits - misses;
}

/**
 * The confidence sequence of a rate at k of n: every q the mixture has not rejected at alpha.
 * The set is an interval holding k/n (the mixture is convex in ln q and at most 1 at k/n), found
 * by bisection on each side; n 0 knows nothing.
 */
export function rateSequence(k: number, n: number, alpha: number, prior: RatePrior): { lower: number; upper: number } {
    if (!(n > 0)) return { lower: 0, upper: 1 };
    const hits = Math.min(Math.max(k, 0), n);
    const mle = hits / n;
    const limit = Math.log(1 / alpha);
    const rejected = (q: number): boolean => logMixture(hits, n, q, prior) >= limit;
    let lower = 0;
    if (hits > 0) {
        let lo = 0;
        let hi = mle;
        for (let i = 0; i < 40; i++) {
            const mid = (lo + hi) / 2;
            if (rejected(mid)) lo = mid;
            else hi = mid;
        }
        lower = lo;
    }
    let upper = 1;
    if (hits < n) {
        let lo = mle;
        let hi = 1;
        for (let i = 0; i < 40; i++) {
            const mid = (lo + hi) / 2;
            if (rejected(mid)) hi = mid;
            else lo = mid;
        }
        upper = hi;
    }
    return { lower, upper };
}

/**
 * The counts of n the same sequence finds consistent with rate q (Howard and Ramdas' quantile
 * sequence: with q the share above a quantile, the values at these ranks bound the quantile).
 */
export function countSequence(q: number, n: number, alpha: number, prior: RatePrior): { low: number; high: number } {
    if (!(n > 0)) return { low: 0, high: 0 };
    const limit = Math.log(1 / alpha);
    const rejected = (k: number): boolean => logMixture(k, n, q, prior) >= limit;
    const centre = n * q;
    let lo = 0;
    let hi = centre;
    if (rejected(0)) {
        for (let i = 0; i < 40; i++) {
            const mid = (lo + hi) / 2;
            if (rejected(mid)) lo = mid;
            else hi = mid;
        }
    } else hi = 0;
    const low = hi;
    let top = n;
    if (rejected(n)) {
        let a = centre;
        let b = n;
        for (let i = 0; i < 40; i++) {
            const mid = (a + b) / 2;
            if (rejected(mid)) b = mid;
            else a = mid;
        }
        top = a;
    }
    return { low, high: top };
}

/**
 * ln of a one-sided mixture SPRT against "the rate is at most p0": the even average of Wald's
 * likelihood ratios of the alternatives m * p0 (each m > 1) over p0, after k of n. Each ratio is
 * a supermartingale under any rate at or below p0, also for observations in [0, 1] (weighted
 * AM-GM), so the average reaches 1/alpha with probability at most alpha, however often it is
 * looked at. It grows with k: a larger count is never less evidence.
 */
export function logRateSprt(k: number, n: number, p0: number, multiples: readonly number[]): number {
    if (!(n > 0) || !(p0 > 0) || p0 >= 1) return 0;
    const hits = Math.min(Math.max(k, 0), n);
    const terms = multiples.map((m) => {
        const q = Math.min(m * p0, (1 + p0) / 2);
        return hits * Math.log(q / p0) + (n - hits) * Math.log((1 - q) / (1 - p0));
    });
    const top = Math.max(...terms);
    return top + Math.log(terms.reduce((s, x) => s + Math.exp(x - top), 0) / terms.length);
}

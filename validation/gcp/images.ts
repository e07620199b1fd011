// Image identity as the gate compares it: the same repository (host and path compared without
// case) and the same build. A tag and a digest can only be compared like for like: the Admin
// API reports the reference as deployed, so ":abc" and "@sha256:..." are not provably equal.

import { parseImageRef } from "../../catalog";

/** True when both references name the same image build. */
export function sameImage(a: string, b: string): boolean {
    if (a.trim() === b.trim()) return true;
    const ra = parseImageRef(a);
    const rb = parseImageRef(b);
    if (!ra || !rb) return a.trim().toLowerCase() === b.trim().toLowerCase();
    if (ra.repository !== rb.repository) return false;
    if (ra.digest && rb.digest) return ra.digest === rb.digest;
    if (ra.tag && rb.tag && !ra.digest && !rb.digest) return ra.tag === rb.tag;
    // One side pinned by digest, the other by tag: equal only if they share the tag and a digest.
    return ra.tag !== undefined && ra.tag === rb.tag && (ra.digest === undefined) === (rb.digest === undefined);
}

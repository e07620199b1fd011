// Deterministic fragments of DNS labels, shared by the names the program derives (revisions,
// execution tokens) and the pack that checks them.

import { createHash } from "node:crypto";

/** The first `length` hex characters of the SHA-256 of the value's JSON. */
export function shortHash(value: unknown, length: number): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}

/** "a1b2c3d" or "sha256:abcd..." -> a DNS-label-safe fragment of at most `max` characters. */
export function tagFragment(tagOrDigest: string, max: number): string {
    const t = tagOrDigest
        .toLowerCase()
        .replace(/^sha256:/, "")
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return t.slice(0, max).replace(/-+$/, "");
}

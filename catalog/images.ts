// Container image references and their identity, shared by config validation, the policy pack
// and the gate. Hosts are case-insensitive, repository paths are compared lowercased, and a
// reference may carry a tag, a digest or both.

export interface ImageRef {
    /** Registry host, lowercased (e.g. us-central1-docker.pkg.dev). */
    host: string;
    /** Repository path below the host, lowercased (e.g. openagentsgemini/runtime/runtime). */
    path: string;
    /** host/path: what the catalog's imageRepository values look like. */
    repository: string;
    tag?: string;
    /** "sha256:<hex>" when pinned by digest. */
    digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+([._-][a-z0-9]+)*$/;

export function isValidTag(tag: string): boolean {
    return TAG.test(tag);
}

export function isValidDigest(digest: string): boolean {
    return DIGEST.test(digest);
}

/** Parses "host/path[:tag][@sha256:...]"; undefined when it is not a well-formed reference. */
export function parseImageRef(reference: string): ImageRef | undefined {
    const ref = reference.trim();
    if (ref === "" || /\s/.test(ref)) return undefined;
    let rest = ref;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1).toLowerCase();
        rest = rest.slice(0, at);
        if (!isValidDigest(digest)) return undefined;
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!isValidTag(tag)) return undefined;
    }
    const slash = rest.indexOf("/");
    if (slash <= 0) return undefined;
    const host = rest.slice(0, slash).toLowerCase();
    const path = rest.slice(slash + 1).toLowerCase();
    if (!HOST.test(host) || !host.includes(".")) return undefined;
    if (path === "" || !path.split("/").every((c) => PATH_COMPONENT.test(c))) return undefined;
    return { host, path, repository: `${host}/${path}`, tag, digest };
}

/** True when the reference names an exact build: a digest, or a tag other than "latest". */
export function isPinned(ref: ImageRef): boolean {
    if (ref.digest) return true;
    return ref.tag !== undefined && ref.tag.toLowerCase() !== "latest";
}

/** Builds "<repository>:<tag>" or "<repository>@<digest>" from a catalog repository and a config value. */
export function imageFromTag(repository: string, tagOrDigest: string): string {
    return isValidDigest(tagOrDigest) ? `${repository}@${tagOrDigest}` : `${repository}:${tagOrDigest}`;
}

/**
 * True when both references name the same image build: the same repository, then the digest when
 * both carry one (a tag beside a digest is a label: `repo@sha256:X` and `repo:tag@sha256:X` are one
 * image), else the same tag with no digest on either side. A tag and a digest are never provably
 * equal. References that do not parse are equal only as the same text.
 */
export function sameImage(a: string, b: string): boolean {
    const ra = parseImageRef(a);
    const rb = parseImageRef(b);
    if (!ra || !rb) return a.trim() === b.trim();
    if (ra.repository !== rb.repository) return false;
    if (ra.digest !== undefined || rb.digest !== undefined) return ra.digest === rb.digest;
    return ra.tag === rb.tag;
}

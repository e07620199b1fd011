// Which URLs the gate may send a request (and a credential) to: https anywhere but the metadata
// server and link-local addresses, plain http only to loopback, never a user or password in the
// URL. Targets and API base URLs are held to the same rule before anything is sent.

/** The GCE metadata server's names: it hands out the machine's credentials to whoever asks. */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.google.internal.", "metadata", "metadata.goog"]);

/** The hostname of a URL without IPv6 brackets, lowercased. */
function bareHost(url: URL): string {
    return url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
}

/** IPv4 dotted quad of a host (also inside an IPv4-mapped IPv6 address), or undefined. */
function ipv4Of(host: string): number[] | undefined {
    const mapped = /^::ffff:(.+)$/.exec(host)?.[1] ?? host;
    const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mapped);
    if (dotted) return dotted.slice(1).map(Number);
    // The URL parser prints a mapped address in hex: ::ffff:a9fe:a9fe.
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
    if (hex && mapped !== host) {
        const hi = parseInt(hex[1], 16);
        const lo = parseInt(hex[2], 16);
        return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
    }
    return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
    if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
    const v4 = ipv4Of(host);
    return v4 !== undefined && v4[0] === 127;
}

function isLinkLocal(host: string): boolean {
    const v4 = ipv4Of(host);
    if (v4) return v4[0] === 169 && v4[1] === 254;
    return /^fe[89ab][0-9a-f]?:/.test(host) || host === "fd00:ec2::254";
}

/** Why the gate must not send requests to this URL; undefined when it may. */
export function endpointProblem(text: string): string | undefined {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return "is not a URL";
    }
    if (url.username !== "" || url.password !== "") return "must not carry a user or password (credentials come from the token env vars)";
    if (url.protocol !== "https:" && url.protocol !== "http:") return `uses ${url.protocol.replace(/:$/, "")}, not https`;
    const host = bareHost(url);
    if (METADATA_HOSTS.has(host) || isLinkLocal(host)) return "addresses the metadata server or a link-local address";
    if (url.protocol === "http:" && !isLoopbackHost(host)) return "uses plain http off loopback (https is required: requests carry credentials)";
    return undefined;
}

/** A URL fit to show in an error: never a user or password, and at most 200 characters. */
export function displayUrl(text: string): string {
    try {
        const url = new URL(text);
        if (url.username !== "" || url.password !== "") {
            url.username = "";
            url.password = "";
            return `${url.protocol}//***@${url.host}${url.pathname}`.slice(0, 200);
        }
        return url.toString().slice(0, 200);
    } catch {
        const shown = text.slice(0, 80).replace(/\/\/[^/@]*@/, "//***@");
        return JSON.stringify(shown) + (text.length > 80 ? "…" : "");
    }
}

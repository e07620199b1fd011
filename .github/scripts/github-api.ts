// The GitHub REST calls the workflow scripts make (issues, comments): a bearer token, one
// JSON answer, `Link: rel="next"` pagination, and every failure an error that names the call.

export interface GitHub {
    apiUrl: string;
    repository: string;
    token: string;
}

export class GitHubError extends Error {}

export async function call<T>(gh: GitHub, method: string, route: string, body?: unknown): Promise<{ status: number; data: T; link: string | null }> {
    const url = route.startsWith("http") ? route : `${gh.apiUrl.replace(/\/$/, "")}/repos/${gh.repository}${route}`;
    const res = await fetch(url, {
        method,
        headers: {
            accept: "application/vnd.github+json",
            authorization: `Bearer ${gh.token}`,
            "x-github-api-version": "2022-11-28",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok && !(method === "GET" && res.status === 404)) {
        throw new GitHubError(`${method} ${new URL(url).pathname}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
    return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T, link: res.headers.get("link") };
}

/** The first item of a paginated list that matches, following rel="next" links. */
export async function findInPages<T>(gh: GitHub, route: string, match: (item: T) => boolean): Promise<T | undefined> {
    let next: string | null = route;
    while (next) {
        const page: { data: T[]; link: string | null } = await call<T[]>(gh, "GET", next);
        const hit = (page.data ?? []).find(match);
        if (hit) return hit;
        next = /<([^>]+)>;\s*rel="next"/.exec(page.link ?? "")?.[1] ?? null;
    }
    return undefined;
}

/** Text fit for a workflow command (`::error::...`): a newline in it cannot start a forged command of its own. */
export function commandText(text: string): string {
    return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

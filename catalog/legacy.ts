// What a legacy Laravel or Elixir target looks like, in every form it has taken: a name, an
// image, a command, env residue, a secret, a revision, a URL. A newly found marker is one edit
// here; the program's config validation, the policy pack and the gate all read these matchers.

import { parseImageRef } from "./images";
import { GCP } from "./lanes";

export type LegacyStack = "laravel" | "elixir";

export interface LegacyResource {
    name: string;
    kind: "service" | "job";
    stack: LegacyStack;
    note: string;
}

export const LEGACY_RESOURCES: readonly LegacyResource[] = [
    { name: "openagents-web", kind: "service", stack: "laravel", note: "Laravel web (still served openagents.com on 2026-02-21)" },
    { name: "openagents-web-staging", kind: "service", stack: "laravel", note: "Laravel web, staging" },
    { name: "openagents-migrate", kind: "job", stack: "laravel", note: "php artisan migrate --force" },
    { name: "openagents-maintenance-down", kind: "job", stack: "laravel", note: "php artisan down" },
    { name: "openagents-runtime", kind: "service", stack: "elixir", note: "Elixir runtime" },
    { name: "openagents-runtime-migrate", kind: "job", stack: "elixir", note: "bin/openagents_runtime eval" },
];

/**
 * Name fragments that mark a resource name as legacy wherever they appear, compared on the
 * name with case and separators removed ("OpenAgents_Web2" -> "openagentsweb2"). Each legacy
 * resource is covered by its stem; "laravel", "elixir" and "phoenix" have no place in a Rust
 * lane's resource name.
 */
export const LEGACY_NAME_STEMS: readonly string[] = [
    "openagents-web",
    "openagents-migrate",
    "openagents-maintenance",
    "openagents-runtime",
    "laravel",
    "elixir",
    "phoenix",
];

/** Artifact Registry repositories (below the project) that hold legacy images. */
export const LEGACY_IMAGE_REPOSITORIES: readonly string[] = [
    "openagents-web/laravel",
    "openagents-runtime/runtime",
];

/** Any image whose repository path has one of these segments is legacy too. */
export const LEGACY_IMAGE_SEGMENTS: readonly string[] = ["openagents-web", "openagents-runtime", "laravel", "elixir", "php", "php-fpm"];

/** Executables of the legacy stacks, as the first word of a command or any word of a shell line. */
export const LEGACY_EXECUTABLES: readonly string[] = [
    "php",
    "artisan",
    "php-fpm",
    "composer",
    "mix",
    "iex",
    "elixir",
    "erl",
    "bin/openagents_runtime",
    "openagents_runtime",
];

export interface LegacyEnvMarker {
    name: string;
    stack: LegacyStack;
    /** When set, only a value matching this marks it (DB_HOST alone is generic). */
    valuePattern?: RegExp;
}

/** Env residue of the legacy services (`gcloud run deploy --image` kept all of it). */
export const LEGACY_ENV: readonly LegacyEnvMarker[] = [
    { name: "APP_KEY", stack: "laravel" },
    { name: "APP_ENV", stack: "laravel" },
    { name: "APP_DEBUG", stack: "laravel" },
    { name: "DB_CONNECTION", stack: "laravel" },
    { name: "DB_HOST", stack: "laravel", valuePattern: /^\/cloudsql\//i },
    { name: "REDIS_HOST", stack: "laravel" },
    { name: "SESSION_DRIVER", stack: "laravel" },
    { name: "CACHE_DRIVER", stack: "laravel" },
    { name: "CACHE_STORE", stack: "laravel" },
    { name: "QUEUE_CONNECTION", stack: "laravel" },
    { name: "BROADCAST_DRIVER", stack: "laravel" },
    { name: "LOG_CHANNEL", stack: "laravel" },
    { name: "PHX_SERVER", stack: "elixir" },
    { name: "PHX_HOST", stack: "elixir" },
    { name: "SECRET_KEY_BASE", stack: "elixir" },
    { name: "RELEASE_DISTRIBUTION", stack: "elixir" },
    { name: "RELEASE_COOKIE", stack: "elixir" },
    { name: "RELEASE_NODE", stack: "elixir" },
    { name: "MIX_ENV", stack: "elixir" },
    { name: "ERL_AFLAGS", stack: "elixir" },
];

/** Secret Manager name prefixes of the legacy Laravel service. */
export const LEGACY_SECRET_PREFIXES: readonly string[] = ["openagents-web-", "openagents-web_"];

/** Traits of a legacy HTTP answer (what the gate recognises as "not the Rust service"). */
export const LEGACY_HTTP = {
    healthPath: "/up",
    poweredByPattern: /php/i,
    laravelCookiePattern: /^(laravel_session|XSRF-TOKEN)=/i,
    bodyPatterns: [/laravel/i, /<meta name="csrf-token"/i, /phoenix/i],
} as const;

/** Paths of the archived legacy deploy assets: never a deploy source. */
export const LEGACY_DEPLOY_PATHS: readonly string[] = [
    "apps/openagents.com/deploy/archived-laravel/",
    "apps/openagents.com/docs/archived/legacy-laravel-deploy/",
];

function squash(value: string): string {
    // NFKD folds full-width and compatibility forms to ASCII before separators are dropped.
    return value.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]/g, "");
}

const SQUASHED_STEMS = LEGACY_NAME_STEMS.map(squash);

/** Why a resource (service, job or revision) name is legacy, or undefined when it is not. */
export function legacyNameReason(name: string): string | undefined {
    const squashed = squash(name);
    for (const [i, stem] of SQUASHED_STEMS.entries()) {
        if (squashed.includes(stem)) {
            const exact = LEGACY_RESOURCES.find((r) => r.name === name.trim().toLowerCase());
            return exact
                ? `'${name}' is the legacy ${exact.stack} ${exact.kind} (${exact.note})`
                : `'${name}' carries the legacy name '${LEGACY_NAME_STEMS[i]}'`;
        }
    }
    return undefined;
}

/** Why an image reference is legacy, or undefined. Hosts in any case and digests are handled. */
export function legacyImageReason(image: string): string | undefined {
    // A scheme ("docker://", "https://") is not part of a reference but must not hide one.
    const bare = image.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
    const ref = parseImageRef(bare);
    const path = ref ? ref.path : bare.toLowerCase().replace(/[@:].*$/, "");
    const segments = path.split("/").filter((s) => s !== "");
    // Repositories below a project: "<project>/<repo>/<image>".
    const belowProject = segments.slice(1).join("/");
    for (const repo of LEGACY_IMAGE_REPOSITORIES) {
        if (belowProject === repo || belowProject.startsWith(`${repo}/`) || path === repo) {
            return `image '${image}' is from the legacy repository '${repo}'`;
        }
    }
    for (const segment of segments) {
        // Exact words ("php" in "php-fpm", "php8.2") and name stems anywhere ("openagents-web-v2").
        const words = segment.split(/[-_.]+/);
        const word = LEGACY_IMAGE_SEGMENTS.find((w) => segment === w || words.includes(w)) ?? words.find((w) => /^php[0-9]+$/.test(w));
        const stem = word ? undefined : SQUASHED_STEMS.findIndex((st) => squash(segment).includes(st));
        if (word !== undefined || (stem !== undefined && stem >= 0)) {
            return `image '${image}' has the legacy path segment '${segment}'`;
        }
    }
    return undefined;
}

/** Why a container command line (command + args) runs a legacy stack, or undefined. */
export function legacyCommandReason(words: readonly string[]): string | undefined {
    // Shell wrappers ("sh -c 'php artisan migrate'") hide the real words inside one argument;
    // quotes, escapes and ${IFS}-style expansions can split or glue a word ('p''hp', php${IFS}artisan).
    const tokens = words
        .map((w) => w.replace(/['"\\]/g, ""))
        .flatMap((w) => w.split(/[\s;&|()`$={}<>]+/))
        .filter((t) => t !== "");
    for (const token of tokens) {
        const t = token.toLowerCase();
        const base = t.split("/").pop() ?? t;
        for (const exe of LEGACY_EXECUTABLES) {
            if (t === exe || t.endsWith(`/${exe}`) || base === exe || /^php[0-9.]+$/.test(base) || /^php-fpm[0-9.]*$/.test(base)) {
                return `command '${words.join(" ")}' runs the legacy '${token}'`;
            }
        }
    }
    return undefined;
}

/** Env name prefixes only the legacy frameworks use. */
export const LEGACY_ENV_PREFIXES: readonly { prefix: string; stack: LegacyStack }[] = [
    { prefix: "LARAVEL_", stack: "laravel" },
    { prefix: "PHX_", stack: "elixir" },
];

/** Why an env var is legacy residue, or undefined. A value that addresses a legacy service counts too. */
export function legacyEnvReason(name: string, value?: string): string | undefined {
    const upper = name.trim().toUpperCase();
    const marker = LEGACY_ENV.find((m) => m.name === upper);
    if (marker && !(marker.valuePattern && !(value !== undefined && marker.valuePattern.test(value)))) {
        return `env ${name} is ${marker.stack === "laravel" ? "Laravel" : "Elixir"} residue`;
    }
    const prefixed = LEGACY_ENV_PREFIXES.find((p) => upper.startsWith(p.prefix));
    if (prefixed) return `env ${name} is ${prefixed.stack === "laravel" ? "Laravel" : "Elixir"} residue`;
    if (value !== undefined && /^https?:\/\//i.test(value.trim())) {
        const url = legacyUrlReason(value.trim());
        if (url) return `env ${name}: ${url}`;
    }
    return undefined;
}

/** Why a Secret Manager secret name belongs to the legacy service, or undefined. */
export function legacySecretReason(secret: string): string | undefined {
    // Accept the full resource form projects/P/secrets/NAME[/versions/V] too.
    const afterSecrets = secret.trim().toLowerCase().split("/secrets/").pop() ?? "";
    const name = afterSecrets.split("/")[0];
    const prefix = LEGACY_SECRET_PREFIXES.find((p) => name.startsWith(p));
    // Separator variants of the same prefix: openagents_web-*, openagentsweb-*, openagents.web-*.
    if (prefix || /^openagents[-_.]?web([-_.]|$)/.test(name)) {
        return `secret '${secret}' belongs to the legacy Laravel service`;
    }
    return undefined;
}

/**
 * The Cloud Run service a run.app URL addresses, for both URL shapes:
 * https://<service>-<hash>-<region>.a.run.app and https://<service>-<project-number>.<region>.run.app.
 */
export function serviceFromRunAppUrl(url: string): string | undefined {
    let host: string;
    try {
        host = new URL(url).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    const hashed = /^(.+)-[a-z0-9]{10}-[a-z]{2,4}\.a\.run\.app$/.exec(host);
    if (hashed) return hashed[1];
    const numbered = /^(.+)-[0-9]{6,}\.[a-z0-9-]+\.run\.app$/.exec(host);
    if (numbered) return numbered[1];
    return undefined;
}

/** Why a URL targets a legacy service or path, or undefined. */
export function legacyUrlReason(url: string): string | undefined {
    const service = serviceFromRunAppUrl(url);
    if (service) {
        const reason = legacyNameReason(service);
        if (reason) return `URL ${url} addresses a legacy service: ${reason}`;
    }
    return undefined;
}

/** True when a service account email is the project's default compute account. */
export function isDefaultComputeAccount(email: string): boolean {
    const e = email.trim().toLowerCase().replace(/^serviceaccount:/, "");
    return e === GCP.defaultComputeServiceAccount || /^[0-9]+-compute@developer\.gserviceaccount\.com$/.test(e);
}

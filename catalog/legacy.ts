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

/**
 * Image path segments that mark an image as legacy when a segment IS one of them (compared
 * exactly, lowercased): the legacy repository and resource names, and PHP/Laravel/Elixir base
 * images. Exact, not substring: the Rust runtime's own binary is `openagents-runtime-service`.
 */
export const LEGACY_IMAGE_SEGMENTS: readonly string[] = [
    "openagents-web",
    "openagents-runtime",
    ...LEGACY_RESOURCES.map((r) => r.name),
    "laravel",
    "elixir",
    "php",
    "php-fpm",
    "frankenphp",
];

/**
 * Executables of the legacy stacks, judged as the program a container runs (its first word,
 * past env/exec-style wrappers; inside `sh -c` each command's first word). Also legacy:
 * php with a version (`php8.2`, `php8.2-fpm`) and `openagents-runtime` spelled with a dash.
 */
export const LEGACY_EXECUTABLES: readonly string[] = [
    "php",
    "artisan",
    "php-fpm",
    "frankenphp",
    "composer",
    "mix",
    "iex",
    "elixir",
    "erl",
    "openagents_runtime",
    "openagents-runtime",
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

/** A name with case and separators removed ("OpenAgents_Web2" -> "openagentsweb2"), as the name matchers compare. */
export function squashName(value: string): string {
    // NFKD folds full-width and compatibility forms to ASCII before separators are dropped.
    return value.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]/g, "");
}

const SQUASHED_STEMS = LEGACY_NAME_STEMS.map(squashName);

/**
 * Why a resource (service, job or revision) name is legacy, or undefined when it is not.
 * `extraStems` are further legacy names or fragments (e.g. from policy config), matched alike.
 */
export function legacyNameReason(name: string, extraStems: readonly string[] = []): string | undefined {
    const squashed = squashName(name);
    for (const [i, stem] of SQUASHED_STEMS.entries()) {
        if (squashed.includes(stem)) {
            const exact = LEGACY_RESOURCES.find((r) => r.name === name.trim().toLowerCase());
            return exact
                ? `'${name}' is the legacy ${exact.stack} ${exact.kind} (${exact.note})`
                : `'${name}' carries the legacy name '${LEGACY_NAME_STEMS[i]}'`;
        }
    }
    const extra = extraStems.find((n) => squashName(n) !== "" && squashed.includes(squashName(n)));
    return extra !== undefined ? `'${name}' carries the legacy name '${extra}' (added by config)` : undefined;
}

/** Cloud Run's generated revision suffix (-00097-jr6) or the program's template hash (-270c70). */
const REVISION_SUFFIX = /-([0-9]{5}-[a-z0-9]{3}|[0-9a-f]{6})$/;

/** Whether a revision or traffic tag belongs to `service` (`<service>-...`) and that service is not legacy itself. */
export function isOwnRevision(ref: string, service: string | undefined): boolean {
    if (service === undefined || legacyNameReason(service) !== undefined) return false;
    return ref.trim().toLowerCase().startsWith(`${service.trim().toLowerCase()}-`);
}

/**
 * Why a revision is legacy. Revisions are named `<service>-<suffix>`, and the program's suffix
 * carries the image tag, which may say anything ("drop-laravel-1"): a revision of `ownService`
 * (not legacy itself) is fine; any other is judged by its service part
 * (`openagents-web-00097-jr6` -> `openagents-web`).
 */
export function legacyRevisionReason(revision: string, ownService?: string, extraStems: readonly string[] = []): string | undefined {
    if (isOwnRevision(revision, ownService)) return undefined;
    const owner = revision.trim().toLowerCase().replace(REVISION_SUFFIX, "");
    const why = legacyNameReason(owner, extraStems);
    return why ? `'${revision}' belongs to '${owner}': ${why}` : undefined;
}

/** A scheme ("docker://", "https://") is not part of an image reference but must not hide one. */
function withoutScheme(image: string): string {
    return image.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
}

/** php, php8.2, php-fpm, php8.2-fpm, php-fpm8.2: the PHP interpreter and FPM in their distribution names. */
const PHP_VERSIONED = /^php([0-9][0-9.]*)?(-fpm[0-9.]*)?$/;

/**
 * Why an image reference is legacy, or undefined. Hosts in any case, schemes and digests are
 * handled. `extraRepositories` are further legacy repositories (host/path, e.g. from policy config).
 */
export function legacyImageReason(image: string, extraRepositories: readonly string[] = []): string | undefined {
    const bare = withoutScheme(image);
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
    const segment = segments.find((s) => LEGACY_IMAGE_SEGMENTS.includes(s) || PHP_VERSIONED.test(s));
    if (segment !== undefined) return `image '${image}' has the legacy path segment '${segment}'`;
    const repository = ref ? ref.repository : path;
    const extra = extraRepositories.find((r) => {
        const repo = withoutScheme(r).toLowerCase().replace(/\/+$/, "");
        return repo !== "" && (repository === repo || repository.startsWith(`${repo}/`));
    });
    return extra !== undefined ? `image '${image}' is from the legacy repository '${extra}' (added by config)` : undefined;
}

/** Words that run the next word rather than being the program: `env A=1 php`, `exec php`, `nice -n 5 php`. */
const COMMAND_WRAPPERS: readonly string[] = ["env", "exec", "nice", "nohup", "time", "timeout", "stdbuf", "ionice", "setsid", "tini", "dumb-init", "command", "builtin"];
/** Shell words that come before a command rather than being one. */
const SHELL_KEYWORDS: readonly string[] = ["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"];
const SHELLS: readonly string[] = ["sh", "bash", "dash", "ash", "zsh"];
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** How a shell line splits into commands: ; && || | & newlines, subshells and substitutions. */
const COMMAND_SEPARATORS = /[;&|\n()`]+|\$\(/;

function baseName(word: string): string {
    return (word.toLowerCase().split("/").pop() ?? "").trim();
}

function isLegacyExecutable(word: string): boolean {
    const base = baseName(word);
    return LEGACY_EXECUTABLES.includes(base) || PHP_VERSIONED.test(base);
}

/** The program a word list runs, past wrappers, their options and VAR=value words; undefined when none. */
function programIndex(words: readonly string[]): number | undefined {
    let wrapped = false;
    for (const [i, raw] of words.entries()) {
        const word = raw.trim();
        if (word === "" || ASSIGNMENT.test(word) || SHELL_KEYWORDS.includes(word)) continue;
        // After a wrapper: its options ("-n", "--") and numeric arguments ("nice -n 10", "timeout 30s").
        if (wrapped && (word.startsWith("-") || /^[0-9][0-9.]*[a-z]?$/i.test(word))) continue;
        if (COMMAND_WRAPPERS.includes(baseName(word))) {
            wrapped = true;
            continue;
        }
        return i;
    }
    return undefined;
}

/** Quotes and escapes can split or glue a word ('p''hp', p\hp); $IFS stands for a space. */
function unquote(script: string): string {
    return script.replace(/\$\{IFS\}|\$IFS\b/g, " ").replace(/['"\\]/g, "");
}

/** The legacy program a word list runs (inside shells too), or undefined. */
function legacyProgram(words: readonly string[], depth: number): string | undefined {
    const at = programIndex(words);
    if (at === undefined) return undefined;
    const program = unquote(words[at]).trim();
    if (isLegacyExecutable(program)) return program;
    if (!SHELLS.includes(baseName(program)) || depth > 3) return undefined;
    // A shell runs the string after -c (also bundled: -lc, -ec), else the script file it is given.
    const rest = words.slice(at + 1);
    const flag = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/i.test(w.trim()));
    if (flag < 0) {
        const script = rest.find((w) => !w.trim().startsWith("-"));
        return script !== undefined && isLegacyExecutable(unquote(script)) ? unquote(script).trim() : undefined;
    }
    const line = unquote(rest[flag + 1] ?? "");
    for (const command of line.split(COMMAND_SEPARATORS)) {
        const found = legacyProgram(command.split(/\s+/), depth + 1);
        if (found !== undefined) return found;
    }
    return undefined;
}

/**
 * Why a container command line (command + args, as one list) runs a legacy stack, or undefined.
 * Judges the program it executes (commands[0], or args[0] when there are no commands) and, for a
 * shell, every command of its -c line; the other words are arguments and may mention anything
 * ("--banner 'no php here'").
 */
export function legacyCommandReason(words: readonly string[]): string | undefined {
    const program = legacyProgram(words, 0);
    return program !== undefined ? `command '${words.join(" ")}' runs the legacy '${program}'` : undefined;
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

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
 * Name fragments that mark a resource name as legacy, compared on the name with case and
 * separators removed ("OpenAgents_Web2" -> "openagentsweb2"). An openagents-* stem must end
 * where a word of the name ends ("openagents-web", "openagents-web2", "openagentsweb"), so
 * "openagents-webhooks" is no legacy name; "laravel", "elixir" and "phoenix" have no place
 * anywhere in a Rust lane's resource name.
 */
export const LEGACY_NAME_STEMS: readonly string[] = ["openagents-web", "openagents-migrate", "openagents-maintenance", "openagents-runtime", "laravel", "elixir", "phoenix"];

/** Stems that must end where a word ends (the rest match anywhere). */
const WORD_END_STEMS: readonly string[] = ["openagents-web", "openagents-migrate", "openagents-maintenance", "openagents-runtime"];

/** Words of the legacy stacks that mark a name only as a whole word ("oa-php-web", not "graphql"). */
export const LEGACY_NAME_WORDS: readonly string[] = ["php", "phpfpm", "artisan", "phx", "octane"];

/** Artifact Registry repositories (below the project) that hold legacy images. */
export const LEGACY_IMAGE_REPOSITORIES: readonly string[] = ["openagents-web/laravel", "openagents-runtime/runtime"];

/**
 * Image path segments that mark an image as legacy when a segment IS one of them (compared
 * exactly, lowercased): the legacy repository and resource names, and PHP/Laravel/Elixir base
 * images. Exact, not substring: the Rust runtime's own binary is `openagents-runtime-service`.
 */
export const LEGACY_IMAGE_SEGMENTS: readonly string[] = ["openagents-web", "openagents-runtime", ...LEGACY_RESOURCES.map((r) => r.name), "laravel", "elixir", "php", "php-fpm", "frankenphp"];

/**
 * Executables of the legacy stacks, judged as the program a container runs (its first word,
 * past env/exec-style wrappers; inside `sh -c` each command's first word). Also legacy:
 * php with a version (`php8.2`, `php8.2-fpm`) and `openagents-runtime` spelled with a dash.
 */
export const LEGACY_EXECUTABLES: readonly string[] = ["php", "artisan", "php-fpm", "frankenphp", "composer", "mix", "iex", "elixir", "erl", "openagents_runtime", "openagents-runtime"];

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
    // Names no Rust lane reads: the rest of each framework's .env and release env.
    { name: "APP_NAME", stack: "laravel" },
    { name: "DB_DATABASE", stack: "laravel" },
    { name: "DB_USERNAME", stack: "laravel" },
    { name: "MAIL_MAILER", stack: "laravel" },
    { name: "FILESYSTEM_DISK", stack: "laravel" },
    { name: "RELEASE_NAME", stack: "elixir" },
    { name: "RELEASE_VSN", stack: "elixir" },
    { name: "RELEASE_TMP", stack: "elixir" },
    { name: "POOL_SIZE", stack: "elixir" },
    { name: "DNS_CLUSTER_QUERY", stack: "elixir" },
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
export const LEGACY_DEPLOY_PATHS: readonly string[] = ["apps/openagents.com/deploy/archived-laravel/", "apps/openagents.com/docs/archived/legacy-laravel-deploy/"];

/** A name with case and separators removed ("OpenAgents_Web2" -> "openagentsweb2"), as the name matchers compare. */
export function squashName(value: string): string {
    // NFKD folds full-width and compatibility forms to ASCII before separators are dropped.
    return value
        .normalize("NFKD")
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "");
}

const SQUASHED_STEMS = LEGACY_NAME_STEMS.map((stem) => ({ stem, squashed: squashName(stem), wordEnd: WORD_END_STEMS.includes(stem) }));
const SQUASHED_WORDS = LEGACY_NAME_WORDS.map((word) => ({ word, squashed: squashName(word) }));

/**
 * A name squashed as squashName does, with the positions in the squashed text where a word of
 * the original ends or starts: at a separator, between a letter and a digit, before an
 * upper-case letter that follows a lower-case one, and at both ends.
 */
function squashWithBoundaries(value: string): { squashed: string; boundaries: Set<number> } {
    const chars = [...value.normalize("NFKD")];
    let squashed = "";
    const boundaries = new Set<number>([0]);
    let previous = "";
    for (const ch of chars) {
        const lower = ch.toLowerCase();
        if (!/[a-z0-9]/.test(lower)) {
            boundaries.add(squashed.length);
            previous = "";
            continue;
        }
        const kind = /[0-9]/.test(ch) ? "digit" : ch !== lower ? "upper" : "lower";
        const before = previous === "" ? "" : /[0-9]/.test(previous) ? "digit" : previous !== previous.toLowerCase() ? "upper" : "lower";
        if (before !== "" && ((before === "digit") !== (kind === "digit") || (before === "lower" && kind === "upper"))) boundaries.add(squashed.length);
        squashed += lower;
        previous = ch;
    }
    boundaries.add(squashed.length);
    return { squashed, boundaries };
}

function matchesAt(squashed: string, boundaries: Set<number>, needle: string, wordStart: boolean, wordEnd: boolean): boolean {
    for (let at = squashed.indexOf(needle); at >= 0; at = squashed.indexOf(needle, at + 1)) {
        if ((!wordStart || boundaries.has(at)) && (!wordEnd || boundaries.has(at + needle.length))) return true;
    }
    return false;
}

/**
 * Why a resource (service, job or revision) name is legacy, or undefined when it is not.
 * `extraStems` are further legacy names or fragments (e.g. from policy config), matched alike.
 */
export function legacyNameReason(name: string, extraStems: readonly string[] = []): string | undefined {
    const { squashed, boundaries } = squashWithBoundaries(name);
    for (const { stem, squashed: needle, wordEnd } of SQUASHED_STEMS) {
        if (matchesAt(squashed, boundaries, needle, false, wordEnd)) {
            const exact = LEGACY_RESOURCES.find((r) => r.name === name.trim().toLowerCase());
            return exact ? `'${name}' is the legacy ${exact.stack} ${exact.kind} (${exact.note})` : `'${name}' carries the legacy name '${stem}'`;
        }
    }
    const word = SQUASHED_WORDS.find(({ squashed: needle }) => matchesAt(squashed, boundaries, needle, true, true));
    if (word) return `'${name}' carries the legacy word '${word.word}'`;
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

export const COMMAND_SOURCES = {
    expansion:
        "https://cloud.google.com/run/docs/reference/rest/v2/Container (command, args: variable references $(VAR_NAME) are expanded using the " +
        "container's environment; $$(VAR_NAME) escapes to a literal $(VAR_NAME); an unresolvable reference stays as written)",
    shell: "POSIX sh, 2.2 Quoting and 2.9 Shell Commands: quotes group a word and hide separators; $(...) and `...` run a command even inside double quotes",
} as const;

/**
 * Words that run the next word rather than being the program, with how many arguments they
 * take before it: `env A=1 php`, `exec php`, `nice -n 5 php`, `gosu www-data php`, `busybox sh`.
 */
const COMMAND_WRAPPERS: Readonly<Record<string, number>> = {
    env: 0,
    exec: 0,
    nice: 0,
    nohup: 0,
    time: 0,
    timeout: 0,
    stdbuf: 0,
    ionice: 0,
    setsid: 0,
    tini: 0,
    "dumb-init": 0,
    command: 0,
    builtin: 0,
    eval: 0,
    busybox: 0,
    sudo: 0,
    doas: 0,
    runuser: 0,
    catatonit: 0,
    "s6-setuidgid": 1,
    gosu: 1,
    "su-exec": 1,
    chpst: 0,
    chroot: 1,
    xargs: 0,
    "start-stop-daemon": 0,
};
/** Wrapper options that take the next word as their value (`sudo -u www-data php`, `exec -a name php`). */
const OPTIONS_WITH_VALUE: readonly string[] = ["-u", "-g", "-a", "-s", "--user", "--group", "--signal", "--kill-after"];
/** Shell words that come before a command rather than being one. */
const SHELL_KEYWORDS: readonly string[] = ["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"];
const SHELLS: readonly string[] = ["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox-sh"];
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

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
    let skip = 0;
    for (const [i, raw] of words.entries()) {
        const word = raw.trim();
        if (skip > 0) {
            skip -= 1;
            continue;
        }
        if (word === "" || ASSIGNMENT.test(word) || SHELL_KEYWORDS.includes(word)) continue;
        if (wrapped && word === "--") continue;
        // After a wrapper: its options (a value option takes the next word) and numeric arguments ("timeout 30s").
        if (wrapped && word.startsWith("-")) {
            if (OPTIONS_WITH_VALUE.includes(word)) skip = 1;
            continue;
        }
        if (wrapped && /^[0-9][0-9.]*[a-z]?$/i.test(word)) continue;
        const wrapper = COMMAND_WRAPPERS[baseName(word)];
        if (wrapper !== undefined) {
            wrapped = true;
            skip = wrapper;
            continue;
        }
        return i;
    }
    return undefined;
}

/**
 * A shell line split as sh reads it: into commands at ; & | newlines and subshells, plus the
 * command lines of substitutions ($(...) and backquotes, which run even inside double quotes), each command
 * into words with quotes removed ('p''hp' is php) and kept together ("a; php" is one word).
 * $IFS stands for a space. Deliberately small: enough to find each command's program.
 */
export function shellCommands(line: string, depth = 0): string[][] {
    const commands: string[][] = [];
    let words: string[] = [];
    let word = "";
    let inWord = false;
    let quote: "'" | '"' | undefined;
    const endWord = () => {
        if (inWord) words.push(word);
        word = "";
        inWord = false;
    };
    const endCommand = () => {
        endWord();
        if (words.length > 0) commands.push(words);
        words = [];
    };
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quote === "'") {
            if (ch === "'") quote = undefined;
            else word += ch;
            continue;
        }
        if (ch === "\\" && i + 1 < line.length) {
            word += line[i + 1];
            inWord = true;
            i += 1;
            continue;
        }
        const ifs = /^\$(\{IFS\}|IFS\b)/.exec(line.slice(i));
        if (ifs) {
            if (quote === '"') word += " ";
            else endWord();
            i += ifs[0].length - 1;
            continue;
        }
        if (ch === "`" || (ch === "$" && line[i + 1] === "(")) {
            // A substitution runs its own command line, even inside double quotes; its output is unknown text here.
            const end = ch === "`" ? line.indexOf("`", i + 1) : closingParen(line, i + 2);
            const inner = line.slice(ch === "`" ? i + 1 : i + 2, end < 0 ? line.length : end);
            if (depth < 4) commands.push(...shellCommands(inner, depth + 1));
            inWord = true;
            i = end < 0 ? line.length : end;
            continue;
        }
        if (quote === '"') {
            if (ch === '"') quote = undefined;
            else word += ch;
            continue;
        }
        if (ch === "'" || ch === '"') {
            quote = ch;
            inWord = true;
            continue;
        }
        if (/[;&|\n()]/.test(ch)) {
            endCommand();
            continue;
        }
        if (/\s/.test(ch)) {
            endWord();
            continue;
        }
        word += ch;
        inWord = true;
    }
    endCommand();
    return commands;
}

/** Where the ")" that closes a $( opened just before `from` is, or -1; quotes inside are skipped. */
function closingParen(line: string, from: number): number {
    let open = 1;
    let quote: string | undefined;
    for (let j = from; j < line.length; j++) {
        const c = line[j];
        if (quote !== undefined) {
            if (c === quote) quote = undefined;
            continue;
        }
        if (c === "'" || c === '"') quote = c;
        else if (c === "(") open += 1;
        else if (c === ")" && --open === 0) return j;
    }
    return -1;
}

/** The legacy program a word list runs (inside shells too), or undefined. */
function legacyProgram(words: readonly string[], depth: number): string | undefined {
    const at = programIndex(words);
    if (at === undefined) return undefined;
    const program = words[at].trim();
    if (isLegacyExecutable(program)) return program;
    const base = baseName(program);
    const rest = words.slice(at + 1);
    // `env -S 'php artisan serve'` splits its argument into a command line.
    const split = words.slice(0, at).findIndex((w) => w.trim() === "-S" || w.trim() === "--split-string");
    if (split >= 0 && depth <= 3) {
        const found = legacyInLine(words[split + 1] ?? "", depth + 1);
        if (found !== undefined) return found;
    }
    if (!SHELLS.includes(base) || depth > 3) return undefined;
    // A shell runs the string after -c (also bundled: -lc, -ec), else the script file it is given.
    const flag = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/i.test(w.trim()));
    if (flag < 0) {
        const script = rest.find((w) => !w.trim().startsWith("-"));
        return script !== undefined && isLegacyExecutable(script) ? script.trim() : undefined;
    }
    return legacyInLine(rest[flag + 1] ?? "", depth + 1);
}

function legacyInLine(line: string, depth: number): string | undefined {
    for (const command of shellCommands(line)) {
        const found = legacyProgram(command, depth);
        if (found !== undefined) return found;
    }
    return undefined;
}

/**
 * The words as Cloud Run runs them: each $(NAME) replaced by the container's env value NAME
 * (COMMAND_SOURCES.expansion), $$(NAME) left as the literal $(NAME), an unknown NAME as written.
 */
export function expandContainerWords(words: readonly string[], env: ReadonlyMap<string, string>): string[] {
    return words.map((w) =>
        w.replace(/\$\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, escaped: string | undefined, name: string | undefined) => {
            if (escaped !== undefined) return `$(${escaped})`;
            const value = env.get(name ?? "");
            return value !== undefined ? value : whole;
        }),
    );
}

/**
 * Why a container command line (command + args, as one list) runs a legacy stack, or undefined.
 * Judges the program it executes (commands[0], or args[0] when there are no commands) past
 * wrappers and, for a shell, every command of its -c line; the other words are arguments and
 * may mention anything ("--banner 'no php here'"). `env` are the container's literal env values:
 * Cloud Run expands $(NAME) in the words before it runs them.
 */
export function legacyCommandReason(words: readonly string[], env: ReadonlyMap<string, string> = new Map()): string | undefined {
    const expanded = expandContainerWords(words, env);
    // A single word with spaces is one program name to Cloud Run (no shell splits it).
    const program = legacyProgram(expanded, 0);
    return program !== undefined ? `command '${expanded.join(" ")}' runs the legacy '${program}'` : undefined;
}

/** Env name prefixes only the legacy frameworks use. */
export const LEGACY_ENV_PREFIXES: readonly { prefix: string; stack: LegacyStack }[] = [
    { prefix: "LARAVEL_", stack: "laravel" },
    { prefix: "SANCTUM_", stack: "laravel" },
    { prefix: "TELESCOPE_", stack: "laravel" },
    { prefix: "HORIZON_", stack: "laravel" },
    { prefix: "OCTANE_", stack: "laravel" },
    { prefix: "PHX_", stack: "elixir" },
    { prefix: "ECTO_", stack: "elixir" },
    { prefix: "ERL_", stack: "elixir" },
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

/**
 * The Cloud Run job a Cloud Run Admin API URL runs, for the v2 and v1 forms:
 * https://run.googleapis.com/v2/projects/P/locations/L/jobs/J:run and
 * https://L-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/P/jobs/J:run.
 */
export function jobFromRunApiUrl(url: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return undefined;
    }
    if (!/(^|-)run\.googleapis\.com$/i.test(parsed.hostname)) return undefined;
    const m = /\/jobs\/([^/:]+)(:run)?$/i.exec(decodeURIComponent(parsed.pathname));
    return m ? m[1] : undefined;
}

/** Why a URL targets a legacy service or job, or undefined. `extraStems` as for legacyNameReason. */
export function legacyUrlReason(url: string, extraStems: readonly string[] = []): string | undefined {
    const service = serviceFromRunAppUrl(url);
    if (service) {
        const reason = legacyNameReason(service, extraStems);
        if (reason) return `URL ${url} addresses a legacy service: ${reason}`;
    }
    const job = jobFromRunApiUrl(url);
    if (job) {
        const reason = legacyNameReason(job, extraStems);
        if (reason) return `URL ${url} runs a legacy job: ${reason}`;
    }
    return undefined;
}

export const GOOGLE_ACCOUNT_SOURCE =
    "https://cloud.google.com/iam/docs/service-account-types (default service accounts of other products: App Engine " +
    "<project>@appspot.gserviceaccount.com, Compute <number>-compute@developer.gserviceaccount.com; Google-managed service agents " +
    "service-<number>@gcp-sa-*.iam.gserviceaccount.com, <number>@cloudservices / @cloudbuild.gserviceaccount.com)";

/**
 * Why an account is not a workload identity of this project but a Google product's own account
 * (GOOGLE_ACCOUNT_SOURCE), or undefined. The legacy lanes ran as such default accounts.
 */
export function googleProductAccountReason(member: string): string | undefined {
    const e = member
        .trim()
        .toLowerCase()
        .replace(/^serviceaccount:/, "");
    if (isDefaultComputeAccount(e)) return `'${e}' is the default compute account`;
    if (/@appspot\.gserviceaccount\.com$/.test(e)) return `'${e}' is App Engine's default account`;
    if (/@cloudbuild\.gserviceaccount\.com$/.test(e)) return `'${e}' is Cloud Build's account`;
    if (/@cloudservices\.gserviceaccount\.com$/.test(e)) return `'${e}' is the Google APIs service agent`;
    if (/@(gcp-sa-[a-z0-9-]+|serverless-robot-prod|container-engine-robot|compute-system)\.iam\.gserviceaccount\.com$/.test(e)) return `'${e}' is a Google-managed service agent`;
    return undefined;
}

/** True when a service account email is the project's default compute account. */
export function isDefaultComputeAccount(email: string): boolean {
    const e = email
        .trim()
        .toLowerCase()
        .replace(/^serviceaccount:/, "");
    return e === GCP.defaultComputeServiceAccount || /^[0-9]+-compute@developer\.gserviceaccount\.com$/.test(e);
}

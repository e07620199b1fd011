// The evasion corpus: legacy targets in every disguise seen or plausible (a name, an image, a
// command, env residue, a secret, a domain mapping, a traffic pin), each built by changing one
// thing on a compliant resource. All must be rejected; the look-alikes must not be.

import * as assert from "node:assert/strict";
import { noLegacyTargets } from "../../policies/no-legacy-targets";
import type { EngineResource } from "../../policies/offline/engine";
import { TYPES } from "../../policies/lib/resources";
import { Json, compliantStack, controlService, domainMapping, iamMember, migrateJob, mutate, runtimeService, secretGrant, serverlessNeg } from "./fixtures";
import { mandatory, runOn, runPack } from "./harness";

const named = (base: () => EngineResource) => (name: string) => mutate(base(), (p) => (p.name = name));
const controlImage = (image: string) => mutate(controlService(), (p) => (p.template.containers[0].image = image));
const jobCommand = (commands: string[], args: string[] = []) => mutate(migrateJob(), (p) => Object.assign(p.template.template.containers[0], { commands, args }));
const controlEnv = (env: Json) => mutate(controlService(), (p) => p.template.containers[0].envs.push(env));
const secretEnv = (secret: string) => controlEnv({ name: "OA_EXTRA", valueSource: { secretKeyRef: { secret, version: "latest" } } });
const pinned = (revision: string) => mutate(controlService(), (p) => (p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision, percent: 100 }]));

/** The v1 API's shape of the same service. */
function v1Service(name: string, image = "us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:a1b2c3d"): EngineResource {
    return {
        type: TYPES.serviceV1,
        name: "legacy-v1",
        props: {
            name,
            location: "us-central1",
            metadata: { labels: { environment: "prod", lane: "control", "managed-by": "pulumi" } },
            template: { spec: { serviceAccountName: "oa-control-prod@openagentsgemini.iam.gserviceaccount.com", containers: [{ image }] } },
            traffics: [{ latestRevision: true, percent: 100 }],
        },
    };
}

function secretGrantOf(type: string, secretId: string): EngineResource {
    return mutate(secretGrant(secretId), (p, r) => {
        r.type = type;
        delete p.member;
        if (type === TYPES.secretIamPolicy) {
            delete p.role;
            p.policyData = JSON.stringify({ bindings: [{ role: "roles/secretmanager.secretAccessor", members: ["serviceAccount:oa-control-prod@openagentsgemini.iam.gserviceaccount.com"] }] });
        } else {
            p.members = ["serviceAccount:oa-control-prod@openagentsgemini.iam.gserviceaccount.com"];
        }
    });
}

const DIGEST = `sha256:${"0f".repeat(32)}`;

const CORPUS: [string, () => EngineResource][] = [
    // Names: exact, case, separators, prefix/suffix variants, full-width forms, v1 and v2, jobs.
    ["service openagents-web", () => named(controlService)("openagents-web")],
    ["service OpenAgents-Web", () => named(controlService)("OpenAgents-Web")],
    ["service openagents-web-staging", () => named(controlService)("openagents-web-staging")],
    ["service openagents_web", () => named(controlService)("openagents_web")],
    ["service openagentsweb", () => named(controlService)("openagentsweb")],
    ["service openagents-web-v2", () => named(controlService)("openagents-web-v2")],
    ["service new-openagents-web", () => named(controlService)("new-openagents-web")],
    ["service ' openagents-web '", () => named(controlService)(" openagents-web ")],
    ["service full-width ｏｐｅｎａｇｅｎｔｓ-web", () => named(controlService)("ｏｐｅｎａｇｅｎｔｓ-web")],
    ["service openagents-runtime", () => named(runtimeService)("openagents-runtime")],
    ["service OPENAGENTS-RUNTIME-STAGING", () => named(runtimeService)("OPENAGENTS-RUNTIME-STAGING")],
    ["service laravel-web", () => named(controlService)("laravel-web")],
    ["service runtime-elixir", () => named(runtimeService)("runtime-elixir")],
    ["job openagents-migrate", () => named(migrateJob)("openagents-migrate")],
    ["job openagents-maintenance-down", () => named(migrateJob)("openagents-maintenance-down")],
    ["job openagents-runtime-migrate", () => named(migrateJob)("openagents-runtime-migrate")],
    ["v1 service openagents-web", () => v1Service("openagents-web")],
    ["v1 service Openagents-Web-Staging", () => v1Service("Openagents-Web-Staging")],
    [
        "auto-named v2 service (logical name openagents-web)",
        () =>
            mutate(controlService(), (p, r) => {
                delete p.name;
                r.name = "openagents-web";
            }),
    ],
    // Images: legacy repositories, digests, host case, schemes, PHP base images.
    ["image laravel:latest", () => controlImage("us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:latest")],
    ["image laravel by digest", () => controlImage(`us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel@${DIGEST}`)],
    ["image laravel, host upper case", () => controlImage("US-CENTRAL1-DOCKER.PKG.DEV/openagentsgemini/openagents-web/laravel:abc")],
    ["image elixir runtime", () => controlImage("us-central1-docker.pkg.dev/openagentsgemini/openagents-runtime/runtime:v1")],
    ["image elixir runtime tag+digest", () => controlImage(`us-central1-docker.pkg.dev/openagentsgemini/openagents-runtime/runtime:v1@${DIGEST}`)],
    ["image with docker:// scheme", () => controlImage("docker://us-central1-docker.pkg.dev/openagentsgemini/openagents-web/laravel:1")],
    ["image php:8.3-fpm", () => controlImage("php:8.3-fpm")],
    ["image docker.io/library/php", () => controlImage("docker.io/library/php:8.2-apache")],
    ["image openagents-web-staging repo", () => controlImage("us-central1-docker.pkg.dev/openagentsgemini/openagents-web-staging/app:1")],
    ["v1 service with laravel image", () => v1Service("openagents-control-service", "gcr.io/openagentsgemini/laravel:1")],
    // Commands, also shell-wrapped, quoted, with absolute paths and in args only.
    ["command php artisan migrate", () => jobCommand(["php", "artisan", "migrate", "--force"])],
    ["command /usr/local/bin/php", () => jobCommand(["/usr/local/bin/php", "artisan", "down"])],
    ["command PHP8.2 upper case", () => jobCommand(["PHP8.2", "artisan"])],
    ["shell-wrapped php artisan", () => jobCommand(["/bin/sh", "-c", "cd /app && php artisan migrate --force"])],
    ["args-only shell php", () => jobCommand(["sh"], ["-c", "exec php artisan queue:work"])],
    ["shell php${IFS}artisan", () => jobCommand(["sh", "-c", "php${IFS}artisan migrate"])],
    ["shell quoted 'p''hp'", () => jobCommand(["bash", "-c", "'p''hp' artisan migrate"])],
    ["command mix ecto.migrate", () => jobCommand(["mix", "ecto.migrate"])],
    ["env-wrapped mix", () => jobCommand(["env", "MIX_ENV=prod", "mix", "phx.server"])],
    ["command bin/openagents_runtime eval", () => jobCommand(["bin/openagents_runtime", "eval", "OpenAgentsRuntime.Release.migrate"])],
    ["command /app/bin/openagents_runtime", () => jobCommand(["/app/bin/openagents_runtime", "start"])],
    ["command php8.2-fpm", () => jobCommand(["php8.2-fpm"])],
    ["command frankenphp php-server", () => jobCommand(["frankenphp", "php-server"])],
    ["command bin/openagents-runtime eval", () => jobCommand(["bin/openagents-runtime", "eval", "Release.migrate"])],
    ["args-only php (no command)", () => jobCommand([], ["php", "artisan", "migrate"])],
    ["nice -n 10 php", () => jobCommand(["nice", "-n", "10", "php", "artisan", "migrate"])],
    ["env -i VAR=value /usr/bin/php8.3", () => jobCommand(["env", "-i", "APP_ENV=prod", "/usr/bin/php8.3", "artisan"])],
    ["tini -- php-fpm", () => jobCommand(["tini", "--", "php-fpm"])],
    ["bash -lc with php after ;", () => jobCommand(["bash", "-lc", "cd /app; php artisan migrate"])],
    ["shell pipe into mix", () => jobCommand(["sh", "-c", "echo start | mix run"])],
    ["shell || frankenphp on a new line", () => jobCommand(["dash", "-c", "test -f x || true\nFRANKENPHP run"])],
    // Env residue, any case, by value, and by URL.
    ["env APP_KEY", () => controlEnv({ name: "APP_KEY", value: "base64:x" })],
    ["env app_key lower case", () => controlEnv({ name: "app_key", value: "x" })],
    ["env DB_CONNECTION", () => controlEnv({ name: "DB_CONNECTION", value: "pgsql" })],
    ["env DB_HOST=/cloudsql", () => controlEnv({ name: "DB_HOST", value: "/cloudsql/openagentsgemini:us-central1:db" })],
    ["env SESSION_DRIVER", () => controlEnv({ name: "SESSION_DRIVER", value: "redis" })],
    ["env PHX_SERVER", () => controlEnv({ name: "PHX_SERVER", value: "true" })],
    ["env SECRET_KEY_BASE from a secret", () => controlEnv({ name: "SECRET_KEY_BASE", valueSource: { secretKeyRef: { secret: "skb", version: "1" } } })],
    ["env LARAVEL_* prefix", () => controlEnv({ name: "LARAVEL_OCTANE", value: "1" })],
    ["env pointing at the legacy run.app URL", () => controlEnv({ name: "OA_UPSTREAM", value: "https://openagents-web-ezxz4mgdsq-uc.a.run.app" })],
    // Secrets.
    ["secret openagents-web-app-key", () => secretEnv("openagents-web-app-key")],
    ["secret by full resource path, mixed case", () => secretEnv("projects/157437760789/secrets/OpenAgents-Web-DB-Password")],
    ["secret openagents_web_*", () => secretEnv("openagents_web_mail")],
    ["secret volume openagents-web-*", () => mutate(controlService(), (p) => (p.template.volumes = [{ name: "env", secret: { secret: "openagents-web-dotenv" } }]))],
    ["secret grant on openagents-web-*", () => secretGrant("openagents-web-app-key")],
    // Domain mappings and grants on legacy services.
    ["domain mapping to openagents-web", () => domainMapping("openagents-web")],
    ["domain mapping to a path, upper case", () => domainMapping("namespaces/openagentsgemini/services/OPENAGENTS-WEB")],
    ["invoker grant on openagents-web", () => iamMember("openagents-web", "allUsers")],
    ["secret binding on openagents-web-*", () => secretGrantOf(TYPES.secretIamBinding, "openagents-web-app-key")],
    ["secret policy on openagents-web-*", () => secretGrantOf(TYPES.secretIamPolicy, "projects/openagentsgemini/secrets/openagents-web-db-password")],
    ["serverless NEG in front of openagents-web", () => serverlessNeg("openagents-web")],
    ["serverless NEG in front of OpenAgents-Web-Staging", () => serverlessNeg("OpenAgents-Web-Staging")],
    // Traffic pinned to a legacy revision (the February 2026 trap), v2 and v1, any case.
    ["traffic pinned to openagents-web-00097-jr6", () => pinned("openagents-web-00097-jr6")],
    ["traffic pinned, upper case", () => pinned("OPENAGENTS-WEB-00097-JR6")],
    ["template revision named like the legacy one", () => mutate(controlService(), (p) => (p.template.revision = "openagents-web-00098-abc"))],
    ["v1 traffic pinned to a legacy revision", () => mutate(v1Service("openagents-control-service"), (p) => (p.traffics = [{ revisionName: "openagents-web-00097-jr6", percent: 100 }]))],
];

const LOOK_ALIKES: [string, () => EngineResource][] = [
    ["control service whose description mentions Laravel", () => mutate(controlService(), (p) => (p.description = "Rust control service; replaces the Laravel openagents-web lane"))],
    [
        "runtime reading the canonical openagents-runtime-signing-key secret",
        () =>
            mutate(runtimeService(), (p) =>
                p.template.containers[0].envs.push({ name: "OA_SYNC_TOKEN_SIGNING_KEY", valueSource: { secretKeyRef: { secret: "openagents-runtime-signing-key", version: "latest" } } }),
            ),
    ],
    ["env value that merely mentions php", () => controlEnv({ name: "OA_NOTE", value: "no php here" })],
    ["env DB_HOST without /cloudsql", () => controlEnv({ name: "DB_HOST", value: "10.0.0.5" })],
    ["env whose name contains WEB", () => controlEnv({ name: "OA_WEB_SHELL_DIR", value: "/app/web-shell/dist" })],
    ["control args that contain php inside a word", () => mutate(controlService(), (p) => (p.template.containers[0].args = ["--banner", "php-free since 2026"]))],
    [
        "shell line that only mentions php-fpm-less",
        () => mutate(controlService(), (p) => Object.assign(p.template.containers[0], { commands: ["sh", "-c", "exec openagents-control-service # phpless"] })),
    ],
    [
        "canary split between two Rust revisions",
        () =>
            mutate(
                controlService(),
                (p) => (
                    (p.template.revision = "openagents-control-service-new-222222"),
                    (p.traffics = [
                        { revision: "openagents-control-service-old-111111", percent: 95, type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
                        { revision: "openagents-control-service-new-222222", percent: 5, type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
                    ])
                ),
            ),
    ],
    ["control service with a web-shell annotation", () => mutate(controlService(), (p) => (p.annotations = { "openagents/web-shell": "laravel-free" }))],
    ["image tag that names a migration off Laravel", () => controlImage("us-central1-docker.pkg.dev/openagentsgemini/openagents-control-service/control:from-laravel-1")],
    ["args with a banner that mentions php", () => mutate(controlService(), (p) => (p.template.containers[0].args = ["--banner", "no php here"]))],
    ["args --strategy=mix", () => mutate(controlService(), (p) => (p.template.containers[0].args = ["--strategy=mix"]))],
    ["args naming an /srv/elixir directory", () => mutate(controlService(), (p) => (p.template.containers[0].args = ["--static-dir", "/srv/elixir"]))],
    [
        "shell line whose later words mention php",
        () => mutate(controlService(), (p) => Object.assign(p.template.containers[0], { commands: ["sh", "-c", "exec openagents-control-service --motd 'php mix artisan'"] })),
    ],
    [
        "the program's own revision whose image tag names Laravel",
        () =>
            mutate(controlService(), (p) => {
                p.template.revision = "openagents-control-service-drop-laravel-1-270c70";
                p.traffics = [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "openagents-control-service-drop-laravel-1-270c70", percent: 100, tag: "current" }];
            }),
    ],
];

describe("evasion corpus: legacy targets in every disguise", () => {
    it(`has at least 40 variants (${CORPUS.length})`, () => {
        assert.ok(CORPUS.length >= 40);
    });

    for (const [label, resource] of CORPUS) {
        it(`rejects ${label}`, async () => {
            const result = await runOn(noLegacyTargets, resource());
            const blocking = result.verdicts.filter((v) => v.level === "mandatory");
            assert.ok(blocking.length > 0, `not rejected: ${JSON.stringify(result.verdicts)}`);
        });
    }

    it("rejects 100 % of the corpus when the whole pack runs", async () => {
        const rejected = [];
        for (const [, resource] of CORPUS) rejected.push(mandatory(await runPack([resource()])).some((m) => m.startsWith("no-legacy-targets: ")));
        assert.equal(rejected.filter(Boolean).length, CORPUS.length);
    });
});

describe("legitimate look-alikes", () => {
    for (const [label, resource] of LOOK_ALIKES) {
        it(`accepts ${label}`, async () => {
            const lookAlike = resource();
            const stack = compliantStack("prod").map((r) => (r.urn === lookAlike.urn ? lookAlike : r));
            assert.deepEqual(mandatory(await runPack(stack)), []);
        });
    }
});

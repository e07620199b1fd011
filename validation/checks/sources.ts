// Where the HTTP checks' contracts come from: the services' public source (OpenAgentsInc/openagents)
// at the commit this project targets. Every step cites file:line@commit; paths are under `apps/`
// (service/ = apps/openagents.com/service, web-shell/ = apps/openagents.com/web-shell, runtime/ =
// apps/runtime) or `crates/` (client-core/ = crates/openagents-client-core, app-state/ =
// crates/openagents-app-state, the web shell's command bus).

/** The contract: the cutover era's commit (2026-02-22); images are tagged with a short commit of that repository. */
export const CONTRACT_COMMIT = "c41c3629";

/** The last commit with both services (2026-02-25), which changed the control service's routes. */
export const LATER_COMMIT = "b118d632";

export type SourceFile =
    | "service/src/lib.rs"
    | "service/src/config.rs"
    | "service/src/auth.rs"
    | "service/src/route_split.rs"
    | "service/src/api_envelope.rs"
    | "service/src/sync_token.rs"
    | "service/src/openapi.rs"
    | "web-shell/src/lib.rs"
    | "web-shell/build-dist.sh"
    | "web-shell/host/host-shim.js"
    | "client-core/src/compatibility.rs"
    | "app-state/src/command_bus.rs"
    | "runtime/src/server.rs"
    | "runtime/src/config.rs"
    | "runtime/src/types.rs"
    | "runtime/src/orchestration.rs"
    | "runtime/src/authority.rs"
    | "runtime/src/event_log.rs"
    | "runtime/src/run_state_machine.rs"
    | "runtime/src/bin/runtime-smoke.rs";

/** `file:lines@c41c3629`. */
export function cite(file: SourceFile, lines: string): string {
    return `${file}:${lines}@${CONTRACT_COMMIT}`;
}

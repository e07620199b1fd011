// `canary rollback`: the control service back to its stable revision (or --to REVISION) at once:
// controlCanaryPercent 0, `up`, the gate, the stack file committed. It needs nothing of another
// environment, so a production rollback never waits for staging.

import type { RolloutDeps } from "./rollout";
import { StackError } from "./stack";

export interface RollbackResult {
    exitCode: number;
    message: string;
    /** The gate said NO-GO after a signal came: it may have been cut short, so the rollback is unverified. */
    cutShort?: boolean;
}

export async function runRollback(
    to: string | undefined,
    deps: Pick<RolloutDeps, "stack" | "gate" | "commit" | "write" | "readTraffic"> & { cancelUp?: AbortSignal; interrupt?: AbortSignal },
    gateDir: string,
): Promise<RollbackResult> {
    const stable = to ?? ((await deps.stack.getConfig("controlStableRevision")) || undefined);
    if (!stable) return { exitCode: 2, message: "nothing to roll back to: controlStableRevision is empty (the new revision serves alone); pass --to <revision>" };
    const current = await deps.stack.outputs();
    const serving = await deps.readTraffic(current);
    if (serving.length === 1 && serving[0].revision === stable && serving[0].percent === 100) {
        // After a promotion the stable revision is the one serving: "rolling back" to it changes nothing.
        return {
            exitCode: 2,
            message: `nothing to roll back: ${stable} already serves 100 % (a promotion made it the stable revision); pass --to <the revision before it> (rollout.json of that rollout names it as stableRevision)`,
        };
    }
    const before = { stable: await deps.stack.getConfig("controlStableRevision"), percent: await deps.stack.getConfig("controlCanaryPercent") };
    await deps.stack.setConfig("controlStableRevision", stable);
    await deps.stack.setConfig("controlCanaryPercent", "0");
    deps.write(`pulumi up: controlStableRevision=${stable}, controlCanaryPercent=0`);
    try {
        const up = await deps.stack.up({ onOutput: (l) => deps.write(`  | ${l}`), signal: deps.cancelUp });
        deps.write(`pulumi up: ${up.result}`);
    } catch (error) {
        await deps.stack.setConfig("controlStableRevision", before.stable ?? "");
        await deps.stack.setConfig("controlCanaryPercent", before.percent ?? "100");
        return { exitCode: 4, message: `${error instanceof StackError ? error.message : String(error)}; the stack file's config is back to what was deployed` };
    }
    const outputs = await deps.stack.outputs();
    const after = await deps.readTraffic(outputs);
    const shown = after.map((t) => `${t.revision} ${t.percent} %`).join(", ");
    const gate = await deps.gate(outputs, gateDir);
    const commit = await deps.commit(deps.stack.stackFile, `Roll back the control service on ${deps.stack.name} to ${stable}`);
    const ok = gate.go && after.length === 1 && after[0].revision === stable;
    return {
        exitCode: ok ? 0 : 1,
        cutShort: !gate.go && deps.interrupt?.aborted === true,
        message: `${stable} ${ok ? "serves" : "should serve"} 100 % (Cloud Run serves ${shown || "nothing"}); gate: ${gate.summary}; ${commit}`,
    };
}

/**
 * The exit code of a rollback a signal may have reached: the outcome's whenever the work ran to its
 * end (0 rolled back, 4 its up failed, 1 NO-GO on its own), the signal's only when it cut the gate short.
 */
export function rollbackExitCode(result: RollbackResult, signalCode: number | undefined): number {
    return result.cutShort ? (signalCode ?? 130) : result.exitCode;
}

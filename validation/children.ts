// Child processes of the gate (cargo and what it starts) run as their own process groups, so a
// stop reaches all of them: SIGTERM first, SIGKILL after a short grace for a group that ignores
// it, and SIGKILL to whatever is still alive when the gate exits.

/** How long a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // already gone
    }
}

/** Tracks a detached child's process group until it closes; returns the function that untracks it. */
export function trackGroup(pid: number): () => void {
    liveGroups.add(pid);
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        // Synchronous, so it runs on process.exit() too: nothing of the gate outlives it.
        process.on("exit", () => {
            for (const group of liveGroups) signalGroup(group, "SIGKILL");
        });
    }
    return () => void liveGroups.delete(pid);
}

/** SIGTERM to the group now, SIGKILL after the grace if it is still tracked (still running). */
export function terminateGroup(pid: number, graceMs = KILL_GRACE_MS): void {
    signalGroup(pid, "SIGTERM");
    const timer = setTimeout(() => {
        if (liveGroups.has(pid)) signalGroup(pid, "SIGKILL");
    }, graceMs);
    timer.unref();
}

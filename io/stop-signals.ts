// SIGINT/SIGTERM/SIGHUP for the project's CLIs: each signal aborts the next stage of a stop (the first
// one asks the run to wind down and write its evidence; later ones what each CLI says), and the
// exit code is the first signal's (130 SIGINT, 143 SIGTERM, 129 SIGHUP: a closed terminal or SSH
// session must not leave evidence that is not final). A signal past the last stage exits at once.

export interface StopSignals {
    /** Aborted by the first signal, the second, ...: one controller per stage. */
    readonly stages: readonly AbortController[];
    /** 130, 143 or 129 once a signal came; undefined before. */
    exitCode: () => number | undefined;
}

/** 128 + the signal's number. */
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * A closed terminal (SIGHUP) or a gone reader closes stdout and stderr too: the next write fails
 * with EIO or EPIPE, an 'error' event that, unheard, crashes the process mid-stop (and a crash
 * mid-up cancels the up its first signal promised to let finish). The stop outlives its output.
 */
function outliveClosedOutput(): void {
    for (const stream of [process.stdout, process.stderr]) if (stream.listenerCount("error") === 0) stream.on("error", () => undefined);
}

/**
 * The same signal again within this long is the same stop, not the next stage: a Ctrl-C on a
 * terminal reaches node from the terminal and again from `npm run`, which forwards the SIGINT and
 * SIGTERM it gets to its child (@npmcli/run-script 10 lib/signal-manager.js, npm 11), a few
 * milliseconds apart. A person's second Ctrl-C comes later.
 */
export const SAME_SIGNAL_MS = 1000;

/** `messages[i]` is printed on the (i+1)th signal, as that stage's controller aborts. */
export function onStopSignals(messages: readonly string[], now: () => number = () => performance.now()): StopSignals {
    outliveClosedOutput();
    const stages = messages.map(() => new AbortController());
    let code: number | undefined;
    let count = 0;
    let last: { signal: NodeJS.Signals; at: number } | undefined;
    const on = (signal: NodeJS.Signals): void => {
        const at = now();
        if (last && last.signal === signal && at - last.at < SAME_SIGNAL_MS) return;
        last = { signal, at };
        code ??= EXIT_CODES[signal] ?? 143;
        if (count >= stages.length) process.exit(code);
        // stderr may be closed too (the terminal that sent SIGHUP): the stop goes on regardless.
        try {
            process.stderr.write(`\n${signal}: ${messages[count]}\n`);
        } catch {
            // Nobody to tell.
        }
        stages[count++].abort();
    };
    for (const signal of Object.keys(EXIT_CODES) as NodeJS.Signals[]) process.on(signal, on);
    return { stages, exitCode: () => code };
}

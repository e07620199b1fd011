// SIGINT/SIGTERM for the project's CLIs: each signal aborts the next stage of a stop (the first
// one asks the run to wind down and write its evidence; later ones what each CLI says), and the
// exit code is the first signal's (130 SIGINT, 143 SIGTERM). A signal past the last stage exits at once.

export interface StopSignals {
    /** Aborted by the first signal, the second, ...: one controller per stage. */
    readonly stages: readonly AbortController[];
    /** 130 or 143 once a signal came; undefined before. */
    exitCode: () => number | undefined;
}

/** `messages[i]` is printed on the (i+1)th signal, as that stage's controller aborts. */
export function onStopSignals(messages: readonly string[]): StopSignals {
    const stages = messages.map(() => new AbortController());
    let code: number | undefined;
    let count = 0;
    const on = (signal: NodeJS.Signals): void => {
        code ??= signal === "SIGINT" ? 130 : 143;
        if (count >= stages.length) process.exit(code);
        process.stderr.write(`\n${signal}: ${messages[count]}\n`);
        stages[count++].abort();
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
    return { stages, exitCode: () => code };
}

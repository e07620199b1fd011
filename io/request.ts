// What a request needs from whoever sends it: a signal that cuts it short, the time by which it
// must be done, and a log line sink. The gate's CheckContext is one; the canary analysis makes its own.

export interface RequestContext {
    /** Aborted when the caller's deadline passes or the run is interrupted: pass it to every request. */
    readonly signal: AbortSignal;
    /** Epoch milliseconds after which the caller stops waiting (retries end before it). */
    readonly deadline: number;
    /** Appends a line to the caller's log (the caller redacts secrets before writing). */
    log: (line: string) => void;
}

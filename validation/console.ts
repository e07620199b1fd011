// What the gate prints while it runs: on a terminal, one live line per check, redrawn in place;
// in CI (or --plain), one plain line per finished check. Results arrive redacted (the runner
// redacts their values); a line is never redacted whole, so no secret can rewrite an id or a status.

import type { Check, CheckResult } from "./check";

export interface Progress {
    start(check: Check): void;
    finish(result: CheckResult): void;
    /** Stops redrawing (before the final lines are printed). */
    stop(): void;
}

const LABEL: Record<CheckResult["status"], string> = { passed: "PASS", failed: "FAIL", skipped: "SKIP" };

export function formatResultLine(r: CheckResult): string {
    const req = r.required ? "required" : "optional";
    const warn = r.warnings.length > 0 ? ` [${r.warnings.length} warning${r.warnings.length > 1 ? "s" : ""}]` : "";
    return `${LABEL[r.status]} ${r.id} (${req}, ${r.durationMs} ms)${r.cause ? `: ${r.cause}` : ""}${warn}`;
}

export function plainProgress(write: (text: string) => void): Progress {
    return {
        start: () => undefined,
        finish: (r) => write(`${formatResultLine(r)}\n`),
        stop: () => undefined,
    };
}

/** Live lines: the block of check lines is redrawn in place with ANSI cursor movements. */
export function liveProgress(checks: readonly Check[], write: (text: string) => void, columns = 120): Progress {
    const state = new Map<string, { started?: number; result?: CheckResult }>();
    for (const c of checks) state.set(c.id, {});
    let drawn = 0;
    const line = (c: Check): string => {
        const s = state.get(c.id)!;
        let text: string;
        if (s.result) text = formatResultLine(s.result);
        else if (s.started !== undefined) text = `.... ${c.id} running ${Math.round((Date.now() - s.started) / 1000)}s`;
        else text = `     ${c.id} waiting`;
        return text.length > columns - 1 ? `${text.slice(0, columns - 4)}...` : text;
    };
    const draw = (): void => {
        let out = drawn > 0 ? `\x1b[${drawn}A` : "";
        for (const c of checks) out += `\x1b[2K${line(c)}\n`;
        drawn = checks.length;
        write(out);
    };
    const timer = setInterval(draw, 500);
    timer.unref();
    draw();
    return {
        start: (c) => {
            state.get(c.id)!.started = Date.now();
            draw();
        },
        finish: (r) => {
            const s = state.get(r.id);
            if (s) s.result = r;
            draw();
        },
        stop: () => {
            clearInterval(timer);
            draw();
        },
    };
}

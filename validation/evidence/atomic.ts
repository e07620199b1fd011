// Atomic file writes: write a temporary file next to the target, flush it, rename it over the
// target. A crash leaves either the old file or the new one, never half of one.

import * as fs from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = fs.openSync(tmp, "w", 0o644);
    try {
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    try {
        fs.renameSync(tmp, file);
    } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw error;
    }
}

/** Proves a directory can take the evidence (creating it if needed); throws one line saying why not. */
export function assertWritableDir(dir: string, what: string): void {
    try {
        writeFileAtomic(path.join(dir, ".write-probe"), "");
        fs.rmSync(path.join(dir, ".write-probe"), { force: true });
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`${what} ${dir} cannot take the evidence (${code ?? (error as Error).message}): nothing was probed; choose a writable directory`);
    }
}

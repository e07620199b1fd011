// Atomic file writes and directories that can take them. A file is written next to its target,
// flushed and renamed over it: a crash leaves the old file or the new one, never half of one.
// Directories are made one level at a time: Node's recursive mkdir spins forever at full CPU on a
// path under /proc (each level answers ENOENT), blocking the event loop and so every signal.

import * as fs from "node:fs";
import * as path from "node:path";

/** Kernel filesystems that hold no files of ours (statfs f_type, linux/magic.h). */
const SPECIAL_FS: ReadonlyMap<number, string> = new Map([
    [0x9fa0, "proc"],
    [0x62656572, "sysfs"],
    [0x1cd1, "devpts"],
    [0x27e0eb, "cgroup"],
    [0x63677270, "cgroup2"],
    [0x64626720, "debugfs"],
    [0x74726163, "tracefs"],
    [0x73636673, "securityfs"],
    [0x42494e4d, "binfmt_misc"],
    [0xcafe4a11, "bpf"],
]);
/** Trees of the system's own: nothing a run writes belongs there. */
const SPECIAL_TREES = ["/proc", "/sys", "/dev"];

/** An error with the errno code a caller names in its one line. */
function refusal(code: string, message: string): NodeJS.ErrnoException {
    return Object.assign(new Error(message), { code });
}

/** The nearest existing ancestor of an absolute path (the path itself when it exists). */
function existingAncestor(abs: string): string {
    let at = abs;
    for (;;) {
        try {
            fs.lstatSync(at);
            return at;
        } catch {
            const up = path.dirname(at);
            if (up === at) return at;
            at = up;
        }
    }
}

/** Why a directory cannot hold files of ours (a kernel filesystem, a device tree); undefined when it may. */
export function specialDirProblem(dir: string): string | undefined {
    const abs = path.resolve(dir);
    let real: string;
    try {
        real = fs.realpathSync(existingAncestor(abs));
    } catch {
        real = existingAncestor(abs);
    }
    for (const tree of SPECIAL_TREES) {
        if (abs === tree || abs.startsWith(`${tree}/`) || real === tree || real.startsWith(`${tree}/`)) return `under ${tree}, a system tree`;
    }
    try {
        const kind = SPECIAL_FS.get(Number(fs.statfsSync(real).type));
        if (kind) return `on a ${kind} filesystem`;
    } catch {
        // statfs unsupported here: the tree check above still holds.
    }
    return undefined;
}

/** mkdir -p, one level at a time, refusing kernel filesystems; throws an errno-coded error. */
export function makeDirs(dir: string): void {
    const abs = path.resolve(dir);
    const special = specialDirProblem(abs);
    if (special) throw refusal("ESPECIAL", `${abs} is ${special}`);
    const missing: string[] = [];
    let at = abs;
    for (;;) {
        let stat: fs.Stats | undefined;
        try {
            stat = fs.statSync(at);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
        if (stat) {
            if (!stat.isDirectory()) throw refusal("ENOTDIR", `${at} is not a directory`);
            break;
        }
        const up = path.dirname(at);
        if (up === at) break;
        missing.push(at);
        at = up;
    }
    for (const level of missing.reverse()) {
        try {
            fs.mkdirSync(level);
        } catch (error) {
            // Made meanwhile by someone else: fine when it is a directory.
            if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !fs.statSync(level).isDirectory()) throw error;
        }
    }
}

export function writeFileAtomic(file: string, content: string): void {
    makeDirs(path.dirname(file));
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = fs.openSync(tmp, "wx", 0o644);
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
    const special = specialDirProblem(dir);
    if (special) throw new Error(`${what} ${dir} cannot take the evidence (${special}): nothing was probed; choose a writable directory`);
    try {
        writeFileAtomic(path.join(dir, ".write-probe"), "");
        fs.rmSync(path.join(dir, ".write-probe"), { force: true });
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`${what} ${dir} cannot take the evidence (${code ?? (error as Error).message}): nothing was probed; choose a writable directory`);
    }
}

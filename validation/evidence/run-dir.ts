// A run owns its output directory from its first request to its decision: a lock keeps a second
// run out, the evidence an earlier run left is removed before anything is probed, and a marker
// says "not final" until the decision is written. A run cut short (SIGKILL, a power cut) leaves
// the marker and a results.json that says NO-GO, never an earlier run's GO.

import * as fs from "node:fs";
import * as path from "node:path";
import { assertWritableDir, writeFileAtomic } from "../../io/evidence/atomic";
import { RESULTS_SCHEMA_VERSION } from "./json";

export const LOCK_FILE = ".gate.lock";
/** Present while the run has not written its decision. */
export const NOT_FINAL_MARKER = "NOT-FINAL";
/** The files and the log directory a run writes: what an earlier run left of them is removed. */
export const EVIDENCE_FILES = ["results.tsv", "results.json", "junit.xml", "SUMMARY.md"] as const;
export const LOG_DIR = "logs";

export interface OwnedDir {
    dir: string;
    /** The decision is written: the marker goes, then the lock. */
    finish(): void;
    /** The lock goes (the marker stays: the evidence is not final). */
    release(): void;
}

/** Whether a process of that id runs (a lock of a dead run can be taken over). */
function alive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Locks this process holds ("<pid> <nonce>"): a second run in the same process is another run too. */
const HELD = new Set<string>();

/** Takes the lock; returns its content (what release compares). */
function takeLock(file: string, what: string, dir: string): string {
    const mine = `${process.pid} ${Math.random().toString(36).slice(2)}`;
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = fs.openSync(file, "wx", 0o644);
            fs.writeSync(fd, `${mine}\n`);
            fs.closeSync(fd);
            HELD.add(mine);
            return mine;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        const held = fs.readFileSync(file, "utf8").trim();
        const holder = Number(held.split(" ")[0]);
        if (holder === process.pid ? HELD.has(held) : alive(holder)) {
            throw new Error(`${what} ${dir} is in use by another run (pid ${holder}, ${LOCK_FILE}): give each run its own directory`);
        }
        // A run that died without releasing it (SIGKILL): its evidence is stale, and so is its lock.
        fs.rmSync(file, { force: true });
    }
    throw new Error(`${what} ${dir}: could not take ${LOCK_FILE}`);
}

/** Removes what an earlier run wrote here (only the gate's own files; anything else stays). */
function clearEarlierEvidence(dir: string): void {
    for (const name of [...EVIDENCE_FILES, NOT_FINAL_MARKER]) fs.rmSync(path.join(dir, name), { force: true });
    const logs = path.join(dir, LOG_DIR);
    // A link named logs is removed, never followed: the run writes its own directory there.
    if (fs.existsSync(logs) && fs.lstatSync(logs).isSymbolicLink()) fs.rmSync(logs, { force: true });
    else if (fs.existsSync(logs) && fs.statSync(logs).isDirectory()) {
        for (const name of fs.readdirSync(logs)) if (name.endsWith(".log") || name.endsWith(".tmp")) fs.rmSync(path.join(logs, name), { force: true });
    }
    for (const name of fs.readdirSync(dir)) if (/^\..+\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}

/** What results.json says until the decision is written (a reader of a cut-short run sees NO-GO). */
export function notFinalResults(startedAt: string): string {
    return `${JSON.stringify(
        { schemaVersion: RESULTS_SCHEMA_VERSION, final: false, overall: "failed", decision: "NO-GO", startedAt, cause: "the run has not written its decision (still running, or cut short)" },
        null,
        2,
    )}\n`;
}

/** Takes the directory for one run; throws one line saying why not (nothing was sent yet). */
export function ownOutputDir(dir: string, what: string, startedAt = new Date().toISOString()): OwnedDir {
    assertWritableDir(dir, what);
    const lock = path.join(dir, LOCK_FILE);
    let mine: string;
    try {
        mine = takeLock(lock, what, dir);
    } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw new Error(e.code ? `${what} ${dir} cannot take the evidence (${e.code}): nothing was probed` : e.message);
    }
    try {
        clearEarlierEvidence(dir);
        writeFileAtomic(path.join(dir, NOT_FINAL_MARKER), `This directory's evidence is not final: the run started at ${startedAt} (pid ${process.pid}) has not written its decision.\n`);
        writeFileAtomic(path.join(dir, "results.json"), notFinalResults(startedAt));
    } catch (error) {
        fs.rmSync(lock, { force: true });
        HELD.delete(mine);
        throw new Error(`${what} ${dir} cannot take the evidence (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): nothing was probed`);
    }
    let released = false;
    const release = (): void => {
        if (released) return;
        released = true;
        HELD.delete(mine);
        try {
            if (fs.readFileSync(lock, "utf8").trim() === mine) fs.rmSync(lock, { force: true });
        } catch {
            // Gone already.
        }
    };
    return {
        dir,
        finish: () => {
            fs.rmSync(path.join(dir, NOT_FINAL_MARKER), { force: true });
            release();
        },
        release,
    };
}

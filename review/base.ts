// The program of a git ref, to compare with the working tree: REF's own code and stack files
// (not today's code with REF's stack files). When every file the working tree's program loaded
// is byte-identical at REF (a pull request that changes only stack files, the common case), REF's
// program is this one: only REF's Pulumi.yaml and stack files are read out of git, into a
// temporary directory. Otherwise REF is unpacked with `git archive` into a temporary directory
// (the repository itself is not touched) that reuses the installed node_modules.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export class BaseRefError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BaseRefError";
    }
}

export interface BaseCheckout {
    ref: string;
    commit: string;
    /** Where REF's program runs from: this checkout when REF's code is the same, else the unpacked tree. */
    dir: string;
    /** Where REF's Pulumi.yaml and stack files are. */
    stackDir: string;
    /** True when REF's program is byte-for-byte the working tree's (only the stack files were read from git). */
    sameProgram: boolean;
    remove(): void;
}

function git(repo: string, args: string[], input?: Buffer): { ok: boolean; out: Buffer; err: string } {
    const r = spawnSync("git", ["-C", repo, ...args], { maxBuffer: 512 * 1024 * 1024, input });
    return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0), err: (r.stderr ?? Buffer.alloc(0)).toString().trim().split("\n")[0] ?? "" };
}

/** The object id git gives a file's bytes (`git hash-object`, without filters). */
export function blobId(bytes: Buffer): string {
    return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Path (relative to the repository, `/`-separated) -> blob id of every file at a commit. */
function treeOf(repo: string, commit: string): Map<string, string> {
    const r = git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit]);
    const tree = new Map<string, string>();
    for (const entry of r.out.toString("utf8").split("\0")) {
        // "<mode> blob <id>\t<path>"
        const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
        if (m) tree.set(m[2], m[1]);
    }
    return tree;
}

/** Whether every given file of the working tree is, byte for byte, the file at REF. */
function unchangedAt(repo: string, tree: Map<string, string>, files: readonly string[]): boolean {
    return files.every((file) => {
        const rel = path.relative(repo, file).split(path.sep).join("/");
        if (rel.startsWith("..")) return true;
        const id = tree.get(rel);
        if (id === undefined) return false;
        try {
            return blobId(fs.readFileSync(file)) === id;
        } catch {
            return false;
        }
    });
}

/** Writes REF's blobs of the given paths into dir (one `git cat-file --batch`). */
function writeBlobs(repo: string, tree: Map<string, string>, paths: readonly string[], dir: string): void {
    const wanted = paths.filter((p) => tree.has(p));
    const r = git(repo, ["cat-file", "--batch"], Buffer.from(wanted.map((p) => `${tree.get(p)}\n`).join("")));
    let at = 0;
    for (const p of wanted) {
        const eol = r.out.indexOf(0x0a, at);
        const size = Number(r.out.subarray(at, eol).toString().split(" ")[2]);
        fs.writeFileSync(path.join(dir, p), r.out.subarray(eol + 1, eol + 1 + size));
        at = eol + 1 + size + 1;
    }
}

/**
 * REF of the repository at `repo`, ready to run. `programFiles` are the files the working tree's
 * program loaded: when all are unchanged at REF, REF's program is this one and nothing is unpacked.
 */
export function checkoutBase(repo: string, ref: string, programFiles: readonly string[] = []): BaseCheckout {
    const rev = git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    const commit = rev.out.toString().trim();
    if (!rev.ok || !/^[0-9a-f]{40}$/.test(commit)) throw new BaseRefError(`--base ${ref}: not a commit of ${repo}${rev.err ? ` (${rev.err})` : ""}`);
    const tree = treeOf(repo, commit);
    if (!tree.has("index.ts") || !tree.has("Pulumi.yaml")) throw new BaseRefError(`--base ${ref}: ${commit.slice(0, 12)} has no Pulumi program (index.ts, Pulumi.yaml) to run`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
    const remove = () => fs.rmSync(tmp, { recursive: true, force: true });
    if (programFiles.length > 0 && unchangedAt(repo, tree, programFiles)) {
        writeBlobs(
            repo,
            tree,
            [...tree.keys()].filter((p) => /^Pulumi(\.[^/]+)?\.yaml$/.test(p)),
            tmp,
        );
        return { ref, commit, dir: repo, stackDir: tmp, sameProgram: true, remove };
    }
    const archive = git(repo, ["archive", "--format=tar", commit]);
    const untar = spawnSync("tar", ["-x", "-C", tmp], { input: archive.out });
    if (!archive.ok || untar.status !== 0) {
        remove();
        throw new BaseRefError(`--base ${ref}: cannot unpack ${commit.slice(0, 12)} (${archive.err || untar.stderr.toString().trim() || "tar failed"})`);
    }
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(tmp, "node_modules"), "dir");
    return { ref, commit, dir: tmp, stackDir: tmp, sameProgram: false, remove };
}

/** The commit to diff against by default: the merge base of HEAD with origin/main, else main; undefined when there is none. */
export function defaultBase(repo: string): { commit: string; against: string } | undefined {
    for (const against of ["origin/main", "main"]) {
        const r = git(repo, ["merge-base", "HEAD", against]);
        const commit = r.out.toString().trim();
        if (r.ok && /^[0-9a-f]{40}$/.test(commit)) return { commit, against };
    }
    return undefined;
}

// The program of a git ref, to compare with the working tree: REF's own code and stack files
// (not today's code with REF's stack files), unpacked with `git archive` into a temporary
// directory (the repository itself is not touched) that reuses the installed node_modules.

import { spawnSync } from "node:child_process";
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
    dir: string;
    remove(): void;
}

function git(repo: string, args: string[]): { ok: boolean; out: Buffer; err: string } {
    const r = spawnSync("git", ["-C", repo, ...args], { maxBuffer: 512 * 1024 * 1024 });
    return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0), err: (r.stderr ?? Buffer.alloc(0)).toString().trim().split("\n")[0] ?? "" };
}

/** Unpacks REF of the repository at `repo` and links the checkout's node_modules into it. */
export function checkoutBase(repo: string, ref: string): BaseCheckout {
    // `git archive` resolves the ref itself: one process fewer than rev-parse first.
    const archive = git(repo, ["archive", "--format=tar", `${ref}^{commit}`]);
    if (!archive.ok) throw new BaseRefError(`--base ${ref}: not a commit of ${repo}${archive.err ? ` (${archive.err})` : ""}`);
    // The commit id is in the archive's pax header (git writes it as a global comment).
    const commit = /comment=([0-9a-f]{40})/.exec(archive.out.subarray(0, 1024).toString("latin1"))?.[1] ?? ref;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.out });
    if (untar.status !== 0) {
        remove();
        throw new BaseRefError(`--base ${ref}: cannot unpack ${commit.slice(0, 12)} (${untar.stderr.toString().trim() || "tar failed"})`);
    }
    if (!fs.existsSync(path.join(dir, "index.ts")) || !fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        remove();
        throw new BaseRefError(`--base ${ref}: ${commit.slice(0, 12)} has no Pulumi program (index.ts, Pulumi.yaml) to run`);
    }
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
    return { ref, commit, dir, remove };
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

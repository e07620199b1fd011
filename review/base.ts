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
    const commit = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (!commit.ok) throw new BaseRefError(`--base ${ref}: not a commit of ${repo}${commit.err ? ` (${commit.err})` : ""}`);
    const sha = commit.out.toString().trim();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    const archive = git(repo, ["archive", "--format=tar", sha]);
    const untar = archive.ok ? spawnSync("tar", ["-x", "-C", dir], { input: archive.out }) : undefined;
    if (!archive.ok || untar?.status !== 0) {
        remove();
        throw new BaseRefError(`--base ${ref}: cannot unpack ${sha.slice(0, 12)} (${archive.err || untar?.stderr.toString().trim() || "tar failed"})`);
    }
    if (!fs.existsSync(path.join(dir, "index.ts")) || !fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        remove();
        throw new BaseRefError(`--base ${ref}: ${sha.slice(0, 12)} has no Pulumi program (index.ts, Pulumi.yaml) to run`);
    }
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
    return { ref, commit: sha, dir, remove };
}

// Runs `npm run review` as a user does (a child process started as the npm script starts it).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { run } from "../../review/cli";

const root = path.resolve(__dirname, "../..");

export interface ReviewRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** The review of this checkout's working tree; the plan alone (--no-base) unless a test asks for a diff. */
export function review(...args: string[]): ReviewRun {
    const plan = args.includes("--base") || args.includes("--help") ? args : [...args, "--no-base"];
    const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", "review/cli.ts", ...plan], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
        timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same review in this process (no child, no npm): for the cases where the exit code, not the process, is what is tested. */
export async function reviewInProcess(...args: string[]): Promise<ReviewRun> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { out: (t) => void out.push(t), err: (t) => void err.push(t) });
    return { code, stdout: out.join(""), stderr: err.join("") };
}

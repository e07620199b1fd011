// A fake OpenAgents checkout and a fake `cargo` that prints libtest's own output format, so the
// contract-test checks run a real child process and parse real bytes without a Rust toolchain.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type CargoBehaviour = "pass" | "zero" | "fail" | "no-summary";

/** libtest's output for a run of `passed` tests and `failed` failures, as cargo test prints it. */
export function cargoOutput(passed: number, failed: number, filteredOut: number): string {
    const lines: string[] = [];
    lines.push("    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.31s");
    lines.push("     Running unittests src/lib.rs (target/debug/deps/openagents_runtime_service-3f2a)");
    lines.push("");
    lines.push(`running ${passed + failed} tests`);
    for (let i = 0; i < passed; i++) lines.push(`test server::tests::khala_topic_messages_case_${i} ... ok`);
    for (let i = 0; i < failed; i++) lines.push(`test server::tests::khala_topic_messages_broken_${i} ... FAILED`);
    lines.push("");
    const verdict = failed > 0 ? "FAILED" : "ok";
    lines.push(`test result: ${verdict}. ${passed} passed; ${failed} failed; 0 ignored; 0 measured; ${filteredOut} filtered out; finished in 0.02s`);
    lines.push("");
    // Doc-tests run too, and match nothing: they must not count as passes nor as "zero".
    lines.push("   Doc-tests openagents_runtime_service");
    lines.push("");
    lines.push("running 0 tests");
    lines.push("");
    lines.push("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
    return lines.join("\n") + "\n";
}

export interface FakeRepo {
    repo: string;
    /** A directory holding the fake `cargo`; put it first on PATH. */
    bin: string;
    /** PATH with the fake first. */
    path: string;
    /** Arguments the fake cargo was called with, one run per line. */
    calls(): string[];
    cleanup(): void;
}

export function fakeOpenAgentsRepo(behaviour: CargoBehaviour, options: { harness?: "pass" | "fail" } = {}): FakeRepo {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-openagents-"));
    const repo = path.join(root, "openagents");
    const bin = path.join(root, "bin");
    fs.mkdirSync(path.join(repo, "apps", "runtime"), { recursive: true });
    fs.mkdirSync(path.join(repo, "scripts"), { recursive: true });
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(repo, "apps", "runtime", "Cargo.toml"), '[package]\nname = "openagents-runtime-service"\n');
    const output = path.join(root, "cargo-output.txt");
    const callsFile = path.join(root, "cargo-calls.txt");
    const [text, code] =
        behaviour === "pass"
            ? [cargoOutput(7, 0, 212), 0]
            : behaviour === "zero"
              ? [cargoOutput(0, 0, 219), 0]
              : behaviour === "fail"
                ? [cargoOutput(6, 1, 212), 101]
                : ["    Finished `test` profile\n", 0];
    fs.writeFileSync(output, text);
    fs.writeFileSync(path.join(bin, "cargo"), `#!/bin/sh\necho "$PWD $*" >> '${callsFile}'\ncat '${output}'\necho "warning: unused import" >&2\nexit ${code}\n`, { mode: 0o755 });
    const harnessCode = options.harness === "fail" ? 1 : 0;
    fs.writeFileSync(path.join(repo, "scripts", "run-cross-surface-contract-harness.sh"), `#!/bin/sh\necho "cross-surface harness: web, desktop, ios"\nexit ${harnessCode}\n`, { mode: 0o755 });
    return {
        repo,
        bin,
        path: `${bin}:${process.env.PATH ?? ""}`,
        calls: () => (fs.existsSync(callsFile) ? fs.readFileSync(callsFile, "utf8").trim().split("\n") : []),
        cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}

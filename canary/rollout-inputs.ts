// What a rollout is given: its settings and the things it drives (each a real thing in the CLI,
// a stand-in-backed one in tests). Only types.

import type { ServingTarget } from "../io/gcp/traffic";
import type { Redactor } from "../io/redact";
import type { AnalyzeRun, StageRule } from "./analyze";
import type { LookWindow } from "./rung-looks";
import type { RolloutStack } from "./stack";

export interface RolloutSettings {
    environment: "staging" | "prod";
    /** The rungs after 0 %, ending at 100. */
    ladder: readonly number[];
    /** Today's window plus Monitoring's ingestion lag: a rung lasts at most (1 + maxHolds) of these. */
    waitMs: number;
    maxHolds: number;
    /** Between looks at a rung (default CANARY_SEQUENTIAL.lookEveryMs). */
    lookEveryMs?: number;
    /** Monitoring's ingestion lag: no look before it has passed (default CANARY_WINDOW.ingestionLagMs). */
    ingestionLagMs?: number;
    outputDir: string;
    /** The command a person runs to resume (printed on a hold or an interrupt). */
    resumeCommand: string;
    rollbackCommand: string;
    /** Stop once the new revision is up at 0 % (the gate runs as its own CI step). */
    stage?: boolean;
    /** The 0 % gate already passed (CI runs it as its own step): a resume at 0 % goes straight to the first rung. */
    gated?: boolean;
}

export interface GateOutcome {
    go: boolean;
    /** One line: the verdict and its blockers. */
    summary: string;
    evidence?: string;
}

/** What the rollout needs besides the stack: each is a real thing in the CLI and a stand-in-backed one in tests. */
export interface RolloutDeps {
    stack: RolloutStack;
    /** The control service's split as Cloud Run serves it. */
    readTraffic(outputs: Record<string, unknown>): Promise<ServingTarget[]>;
    /**
     * When Cloud Run created a revision of the control service (Revision.create_time): where the
     * canary's evidence starts, so every run of one rollout pools from the same start. Throws when
     * unreadable; absent, a run pools from its own first judged rung.
     */
    revisionCreated?(outputs: Record<string, unknown>, revision: string): Promise<Date>;
    /** The canary analysis of one look at a stage (its evidence goes to outputDir): the window it reads and the rule that judges it. */
    analyze(stage: {
        canary: string;
        stable: string;
        percent: number;
        outputs: Record<string, unknown>;
        outputDir: string;
        window?: LookWindow;
        rolloutStart?: Date;
        judge?: StageRule;
    }): Promise<AnalyzeRun>;
    /** The post-deploy gate on this environment, from these outputs. */
    gate(outputs: Record<string, unknown>, outputDir: string): Promise<GateOutcome>;
    /** Waits ms (a countdown while it does); false when interrupted. */
    wait(ms: number, what: string): Promise<boolean>;
    /** Commits the stack file; returns what happened, in one line. */
    commit(file: string, message: string): Promise<string>;
    write(line: string): void;
    now(): Date;
    /** Aborted on the first SIGINT/SIGTERM. */
    interrupt: AbortSignal;
    /** Aborted on a second signal: an `up` in flight is cancelled then. */
    cancelUp: AbortSignal;
    stepSummaryFile?: string;
    /** The run's secrets: the evidence is redacted with them. */
    redactor?: Redactor;
}

// Every policy of the pack is total: whatever JSON a resource carries, it gives a verdict or
// nothing. This wrapper is the backstop behind each policy's own care: a throw (a bug, or a
// stack overflow on absurd nesting) becomes that policy's violation on that resource instead
// of failing the whole analysis and hiding every later policy, and every message is one line
// of bounded length whatever names or values it quotes.

import type { ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { PackPolicy } from "./types";

// @pulumi/policy exports UnknownValueError at run time but strips it from its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require("@pulumi/policy") as { UnknownValueError: new (...args: never[]) => Error };

/** Longest message a violation carries: a few hundred bytes, however long the names it quotes. */
export const MAX_MESSAGE_CHARS = 400;

export function boundedMessage(message: string): string {
    const line = message.replace(/[\r\n]+/g, " ");
    return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}...` : line;
}

function failure(policy: string, err: unknown): string {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : typeof err;
    return `policy ${policy} could not judge this resource (${what}); it is refused until the policy can`;
}

type Validate = (args: never, report: ReportViolation) => void | Promise<void>;

function guard<F extends Validate>(policy: string, fn: F): F {
    const guarded = (args: ResourceValidationArgs | StackValidationArgs, report: ReportViolation): void | Promise<void> => {
        const bounded: ReportViolation = (message, urn) => report(boundedMessage(message), urn);
        // notApplicable() throws the SDK's own (unexported) error: it must reach the SDK untouched.
        let skipped = false;
        const notApplicable = (reason?: string): never => {
            skipped = true;
            return (args as ResourceValidationArgs).notApplicable(reason);
        };
        const fail = (err: unknown): void => {
            // A preview unknown is the engine's to report ("can't run policy ... during preview").
            if (skipped || err instanceof sdk.UnknownValueError) throw err;
            bounded(failure(policy, err));
        };
        try {
            const result = (fn as unknown as (a: unknown, r: ReportViolation) => void | Promise<void>)({ ...args, notApplicable }, bounded);
            return result instanceof Promise ? result.catch(fail) : undefined;
        } catch (err) {
            fail(err);
        }
    };
    // Keep the SDK's type fast path (validateResourceOfType tags the function with its type).
    const pulumiType = (fn as unknown as { __pulumiType?: string }).__pulumiType;
    if (pulumiType) (guarded as unknown as { __pulumiType?: string }).__pulumiType = pulumiType;
    return guarded as unknown as F;
}

/** The policy with every validation function guarded. */
export function total<P extends PackPolicy>(policy: P): P {
    if ("validateResource" in policy && policy.validateResource) {
        const v = policy.validateResource;
        return { ...policy, validateResource: Array.isArray(v) ? v.map((f) => guard(policy.name, f)) : guard(policy.name, v) };
    }
    if ("validateStack" in policy && policy.validateStack) return { ...policy, validateStack: guard(policy.name, policy.validateStack) };
    return policy;
}

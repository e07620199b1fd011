// Reading a value the engine does not know yet (a preview of a resource that is still to be
// created) throws the SDK's UnknownValueError out of the props proxy; the engine then reports
// "can't run policy during preview". A few checks can decide without the value (an account
// created in this very deployment is not the default compute account): they use readKnown.

// @pulumi/policy exports UnknownValueError at run time but strips it from its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require("@pulumi/policy") as { UnknownValueError: new (...args: never[]) => Error };

export const UNKNOWN: unique symbol = Symbol("unknown during preview");

/** The value, or UNKNOWN when reading it hit a preview unknown. Other errors propagate. */
export function readKnown<T>(read: () => T): T | typeof UNKNOWN {
    try {
        return read();
    } catch (e) {
        if (e instanceof sdk.UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/**
 * Independent sub-checks of one policy on one resource: a preview unknown only skips the
 * sub-check that read it. When some sub-check was skipped and none reported anything, finish()
 * rethrows the first unknown (the SDK's own error, untouched) so the engine still says "can't
 * run policy ... during preview" instead of a silent pass.
 */
export class SubChecks {
    private firstUnknown: Error | undefined;
    private reported = false;

    constructor(private readonly reportViolation: (message: string) => void) {}

    readonly report = (message: string): void => {
        this.reported = true;
        this.reportViolation(message);
    };

    run(check: () => void): void {
        try {
            check();
        } catch (e) {
            if (!(e instanceof sdk.UnknownValueError)) throw e;
            this.firstUnknown ??= e;
        }
    }

    finish(): void {
        if (this.firstUnknown !== undefined && !this.reported) throw this.firstUnknown;
    }
}

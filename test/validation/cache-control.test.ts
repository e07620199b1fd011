// Cache-Control as RFC 9111 §5.2 directives: parsed, compared as a set to what the service's rule
// writes, total on any header text.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { cacheControlProblem, parseCacheControl } from "../../validation/checks/cache-control";
import { CACHE, isHashedAssetName } from "../../validation/checks/control-steps";

describe("validation/checks/cache-control", () => {
    it("reads directives with and without arguments, quoted strings, any case and spacing", () => {
        const parsed = parseCacheControl('No-Cache,  max-age=60 ,private="set-cookie, x-a", , immutable');
        assert.ok(parsed.ok);
        assert.deepEqual(
            [...parsed.directives],
            [
                ["no-cache", true],
                ["max-age", "60"],
                ["private", "set-cookie, x-a"],
                ["immutable", true],
            ],
        );
    });

    it("accepts each of the service's own values as exactly its rule, in any order or case", () => {
        for (const value of Object.values(CACHE)) assert.equal(cacheControlProblem(value, value), undefined, value);
        assert.equal(cacheControlProblem("MUST-REVALIDATE, no-store,no-cache", CACHE.manifest), undefined);
    });

    it("names what is missing and what the rule never writes", () => {
        assert.match(cacheControlProblem("no-cache", CACHE.manifest)!, /lacks no-store, must-revalidate/);
        assert.match(cacheControlProblem("public, max-age=600", CACHE.manifest)!, /lacks no-cache, no-store, must-revalidate and adds public, max-age=600/);
        assert.match(cacheControlProblem("public, max-age=60, immutable", CACHE.immutable)!, /lacks max-age=31536000/);
        assert.match(cacheControlProblem(CACHE.manifest, CACHE.shortLived)!, /lacks public, max-age=60 and adds no-cache/);
        assert.match(cacheControlProblem(undefined, CACHE.manifest)!, /without cache-control/);
    });

    it("is never fooled by a look-alike: a directive is a whole token, never a substring", () => {
        assert.ok(cacheControlProblem("x-no-cache, no-storey, must-revalidated", CACHE.manifest));
        assert.ok(cacheControlProblem('private="no-cache, no-store, must-revalidate"', CACHE.manifest));
        assert.ok(cacheControlProblem("max-age=315360000, public, immutable", CACHE.immutable));
    });

    it("calls malformed headers malformed: a repeated directive, an open quote, a dangling '='", () => {
        assert.match(cacheControlProblem("no-cache, no-cache, no-store, must-revalidate", CACHE.manifest)!, /no-cache appears twice/);
        assert.match(cacheControlProblem('private="open', CACHE.manifest)!, /no closing quote/);
        assert.match(cacheControlProblem("max-age=", CACHE.shortLived)!, /has no argument/);
    });

    it("is total: any header text gives a problem or nothing, never a throw", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 80 }), (header) => {
                const problem = cacheControlProblem(header, CACHE.manifest);
                assert.ok(problem === undefined || typeof problem === "string");
            }),
        );
    });

    it("passes a shuffled, re-spaced, re-cased copy of the rule and nothing with one directive dropped", () => {
        const parts = ["no-cache", "no-store", "must-revalidate"];
        fc.assert(
            fc.property(
                fc.shuffledSubarray(parts, { minLength: 3, maxLength: 3 }),
                fc.array(fc.constantFrom(" ", "\t", ""), { minLength: 3, maxLength: 3 }),
                fc.boolean(),
                fc.nat(2),
                (order, spaces, upper, drop) => {
                    const full = order.map((d, i) => `${spaces[i]}${upper ? d.toUpperCase() : d}`).join(",");
                    assert.equal(cacheControlProblem(full, CACHE.manifest), undefined, full);
                    const dropped = order.filter((_, i) => i !== drop).join(", ");
                    assert.ok(cacheControlProblem(dropped, CACHE.manifest), dropped);
                },
            ),
        );
    });

    it("a content-hashed name is the service's rule: the stem's last '-' part, 8+ letters or digits", () => {
        assert.ok(isHashedAssetName("app-3f9a2c1d7b.js"));
        assert.ok(isHashedAssetName("openagents_web_shell-Ab12Cd34Ef.js"));
        assert.ok(!isHashedAssetName("openagents_web_shell.js"));
        assert.ok(!isHashedAssetName("app-1234567.js"));
        assert.ok(!isHashedAssetName("deadbeefcafe.js"), "a hex run without '-' is not a hash to the service");
        assert.ok(!isHashedAssetName("app-3f9a2c1d_7b.js"));
    });
});

import * as assert from "node:assert/strict";
import { MASK, Redactor } from "../../validation/redact";

describe("validation/redact", () => {
    it("masks registered values, also URL-encoded and base64", () => {
        const r = new Redactor(["tok/en+1234"]);
        assert.equal(r.redact("a tok/en+1234 b"), `a ${MASK} b`);
        assert.equal(r.redact(`q=${encodeURIComponent("tok/en+1234")}`), `q=${MASK}`);
        assert.equal(r.redact(Buffer.from("tok/en+1234").toString("base64")), MASK);
    });

    it("masks credential headers, bearer tokens, secret query parameters, JWTs and Google access tokens whatever their value", () => {
        const r = new Redactor();
        assert.equal(r.redact("Authorization: Bearer abc.def"), `Authorization: ${MASK}`);
        assert.equal(r.redact("cookie: oa_maintenance_bypass=granted"), `cookie: ${MASK}`);
        assert.equal(r.redact('{"set-cookie":"laravel_session=x"}'), `{"set-cookie":"${MASK}"}`);
        assert.equal(r.redact("sent Bearer abcdef123"), `sent Bearer ${MASK}`);
        assert.equal(r.redact("GET https://h/?maintenance_bypass=xyz&a=1"), `GET https://h/?maintenance_bypass=${MASK}&a=1`);
        assert.equal(r.redact("https://h/cb?a=1&access_token=ya29.zzz"), `https://h/cb?a=1&access_token=${MASK}`);
        assert.equal(r.redact("id eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl end"), `id ${MASK} end`);
        assert.equal(r.redact("token ya29.a0AfH6SMBx-yz end"), `token ${MASK} end`);
    });

    it("ignores values too short to mask safely", () => {
        const r = new Redactor(["ab", ""]);
        assert.equal(r.size, 0);
        assert.equal(r.redact("abc"), "abc");
    });
});

import * as assert from "node:assert/strict";
import { MASK, Redactor } from "../../io/redact";
import { escapeControl, excerpt } from "../../io/text";

describe("io/redact", () => {
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

    it("masks what a cut left of a secret: a head or a tail of 8+ characters anywhere, a head of 4+ before a cut mark or a line end", () => {
        const secret = "Zq7XwPa9Lm3Rt6Yb";
        const r = new Redactor([secret]);
        assert.equal(r.redact(`echo ${secret.slice(0, 10)}"}`), `echo ${MASK}"}`);
        assert.equal(r.redact(`{"t":"${secret.slice(6)} end`), `{"t":"${MASK} end`);
        assert.equal(r.redact(`body: ...${secret.slice(0, 5)}…`), `body: ...${MASK}…`);
        assert.equal(r.redact(`a line ending ${secret.slice(0, 6)}\nnext`), `a line ending ${MASK}\nnext`);
        // Ordinary text that only shares a few letters stays as it is.
        assert.equal(r.redact("Zq7 is fine, Zq7X too… and Zq7XwPa9L"), `Zq7 is fine, Zq7X too… and ${MASK}`);
    });
});

describe("io/text: server text made safe", () => {
    it("redacts a secret whole before it cuts, so the cut never leaves a piece of it", () => {
        const secret = "Zq7XwPa9Lm3Rt6Yb";
        const r = new Redactor([secret]);
        for (let at = 0; at < 40; at++) {
            const shown = excerpt(`${"x".repeat(at)}${secret} and more text after it`, 30, r);
            for (let i = 0; i + 4 <= secret.length; i++) assert.ok(!shown.includes(secret.slice(i, i + 4)), `${shown} (secret at ${at})`);
            assert.ok(shown.length <= 30);
        }
    });

    it("shows control characters instead of interpreting them, and never ends inside an escape", () => {
        assert.equal(escapeControl("a\nb\r\tc\u001b[2J\u0007\u009b\u2028\u202e"), "a\\nb\\r\\tc\\x1b[2J\\x07\\x9b\\u2028\\u202e");
        assert.equal(escapeControl(escapeControl("x\ny")), escapeControl("x\ny"), "idempotent");
        const cut = excerpt(`${"y".repeat(10)}\u001b`, 13, new Redactor());
        assert.doesNotMatch(cut, /\\x?1?$/, cut);
    });
});

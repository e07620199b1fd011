import * as assert from "node:assert/strict";
import * as http from "node:http";
import * as net from "node:net";
import { GoogleAuth } from "google-auth-library";
import { rolloutTokenNotice } from "../../../canary/rollout-deps";
import { runtimeMigrationDriftCheck } from "../../../validation/checks/runtime-migration-drift";
import { createCloudApis } from "../../../io/gcp/apis";
import { type AdcLoader, type TokenClient, accessTokenSource, adcTokenSource, explicitTokenSource } from "../../../io/gcp/credentials";
import { GcpApiError } from "../../../io/gcp/errors";
import { HttpClient } from "../../../io/http";
import { Redactor } from "../../../io/redact";
import { ALIGNED, RUNTIME_IMAGE, alignedState } from "./environments";
import { apisFor, recordingContext, runCheck } from "./helpers";
import { CloudStandIn } from "./stand-in";

/** An ADC client that always gives this token. */
function fixedClient(token: string | null): TokenClient {
    return { getAccessToken: () => Promise.resolve({ token }) };
}

const HOUR = 60 * 60_000;

/**
 * A loopback OAuth token endpoint (the refresh_token grant google-auth-library sends for
 * `authorized_user` credentials), minting tok-1, tok-2, ... that live `lifetimeMs` on the test's
 * clock; the API stand-in accepts only tokens unexpired on that clock.
 */
class TokenEndpoint {
    readonly minted = new Map<string, number>();
    grants: string[] = [];
    clock = 0;
    lifetimeMs = HOUR;
    private server?: http.Server;
    url = "";

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c: Buffer) => (body += c.toString()));
            req.on("end", () => {
                this.grants.push(new URLSearchParams(body).get("grant_type") ?? "");
                const token = `ya29.minted-${this.minted.size + 1}`;
                this.minted.set(token, this.clock + this.lifetimeMs);
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify({ access_token: token, expires_in: Math.floor(this.lifetimeMs / 1000), token_type: "Bearer" }));
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}/token`;
        return this;
    }

    valid(token: string): boolean {
        const expiry = this.minted.get(token);
        return expiry !== undefined && this.clock < expiry;
    }

    /** google-auth-library itself, with user credentials whose token endpoint is this one. */
    loader(): AdcLoader {
        return () =>
            new GoogleAuth({
                credentials: { type: "authorized_user", client_id: "stand-in-client", client_secret: "stand-in-secret", refresh_token: "stand-in-refresh" },
                scopes: ["https://www.googleapis.com/auth/cloud-platform"],
                clientOptions: { endpoints: { oauth2TokenUrl: this.url } } as object,
            }).getClient();
    }

    close(): Promise<void> {
        this.server?.closeAllConnections();
        return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}

describe("Google API credentials", () => {
    it("uses the explicit token and never looks for application default credentials", async () => {
        let loads = 0;
        const source = accessTokenSource("ya29.explicit", {
            load: () => {
                loads++;
                return Promise.resolve(fixedClient("ya29.adc"));
            },
        });
        assert.equal(await source.token(), "ya29.explicit");
        assert.equal(source.origin, "CLOUDSDK_AUTH_ACCESS_TOKEN");
        assert.equal(loads, 0);
    });

    it("builds the ADC client lazily (not when created) and once for every caller", async () => {
        let loads = 0;
        const source = accessTokenSource(undefined, {
            load: () => {
                loads++;
                return Promise.resolve(fixedClient("ya29.adc"));
            },
        });
        assert.equal(loads, 0, "creating the source looks nothing up");
        const tokens = await Promise.all([source.token(), source.token(), source.token()]);
        assert.deepEqual(tokens, ["ya29.adc", "ya29.adc", "ya29.adc"]);
        assert.equal(loads, 1);
    });

    it("hands every token obtained from ADC to the redactor as soon as it is obtained, once", async () => {
        const seen: string[] = [];
        const source = accessTokenSource(undefined, { load: () => Promise.resolve(fixedClient("ya29.adc-minted-77")), onToken: (t) => seen.push(t) });
        await Promise.all([source.token(), source.token()]);
        assert.deepEqual(seen, ["ya29.adc-minted-77"]);
        // The explicit token is registered with the options' secrets already: no callback.
        const explicit = accessTokenSource("ya29.explicit", { onToken: (t) => seen.push(t) });
        await explicit.token();
        assert.deepEqual(seen, ["ya29.adc-minted-77"]);
    });

    it("the gate's Cloud Run clients register the ADC token with the run's redactor", async () => {
        const redactor = new Redactor();
        const client = new HttpClient({ timeoutMs: 5_000 });
        const standIn = await new CloudStandIn(alignedState(), "adc-token-not-ya29-shaped").start();
        try {
            const apis = createCloudApis(
                { project: standIn.state.project, region: standIn.state.region, cloudRunApiUrl: standIn.url, cloudLoggingApiUrl: standIn.url, onAccessToken: (t) => redactor.add(t) },
                client,
                () => Promise.resolve(fixedClient("adc-token-not-ya29-shaped")),
            );
            await apis.cloudRun.getService(recordingContext(), ALIGNED.control);
            assert.equal(redactor.redact("token adc-token-not-ya29-shaped"), "token ***");
        } finally {
            client.close();
            await standIn.close();
        }
    });

    it("turns a missing ADC token into a credentials error", async () => {
        const source = accessTokenSource("  ", { load: () => Promise.resolve(fixedClient(null)) });
        await assert.rejects(source.token(), (e: unknown) => e instanceof GcpApiError && e.kind === "credentials" && /no access token/.test(e.message));
    });

    describe("a run longer than a token's life", () => {
        let endpoint: TokenEndpoint;
        let standIn: CloudStandIn;
        beforeEach(async () => {
            endpoint = await new TokenEndpoint().start();
            standIn = await new CloudStandIn(alignedState()).start();
            standIn.acceptsToken = (t) => endpoint.valid(t);
        });
        afterEach(async () => {
            await endpoint.close();
            await standIn.close();
        });
        const drift = (tokens = adcTokenSource(endpoint.loader())) => {
            const apis = apisFor(standIn, tokens);
            return { apis, run: () => runCheck(runtimeMigrationDriftCheck({ api: () => apis.cloudRun, serviceName: ALIGNED.runtime, jobName: ALIGNED.job, expectedImage: RUNTIME_IMAGE })) };
        };

        it("ADC through google-auth-library: a token that expired mid-run is replaced once and the read goes through", async () => {
            const { apis, run } = drift();
            try {
                assert.equal((await run()).verdict.status, "passed");
                assert.deepEqual([...endpoint.minted.keys()], ["ya29.minted-1"]);
                endpoint.clock += 61 * 60_000; // the run goes on past the first token's hour
                const second = await run();
                assert.equal(second.verdict.status, "passed", second.verdict.cause);
                assert.match(second.log, /refused the access token \(401\): retrying once with a fresh one from application default credentials/);
                assert.deepEqual(endpoint.grants, ["refresh_token", "refresh_token"]);
                const last = standIn.requests[standIn.requests.length - 1];
                assert.equal(last.authorization, "Bearer ya29.minted-2");
            } finally {
                apis.http.close();
            }
        });

        it("ADC: the library is asked for the token on every request, so it refreshes one near its expiry itself", async () => {
            endpoint.lifetimeMs = 60_000; // inside the library's 5-minute eager refresh window
            const { apis } = drift();
            try {
                for (let i = 0; i < 3; i++) await apis.cloudRun.getService(recordingContext(), ALIGNED.control);
                assert.equal(endpoint.minted.size, 3, "one token per request: none was kept past its refresh point");
                assert.ok(standIn.requests.every((r, i) => r.authorization === `Bearer ya29.minted-${i + 1}`));
            } finally {
                apis.http.close();
            }
        });

        it("ADC: a fresh token refused too fails with the 401 cause, after exactly one retry", async () => {
            standIn.acceptsToken = () => false;
            const { apis, run } = drift();
            try {
                const { verdict } = await run();
                assert.equal(verdict.status, "failed");
                assert.match(verdict.cause ?? "", /answered 401 UNAUTHENTICATED/);
                assert.equal(endpoint.minted.size, 2, "one renewal, not a loop");
            } finally {
                apis.http.close();
            }
        });

        it("an explicit token: warned about before its assumed expiry, and a refusal after it names the expired token", async () => {
            let clock = 0;
            standIn.acceptsToken = (t) => t === "ya29.explicit-given" && clock < HOUR;
            const source = explicitTokenSource("ya29.explicit-given", "CLOUDSDK_AUTH_ACCESS_TOKEN", { now: () => clock });
            assert.equal(source.expiresAt?.getTime(), HOUR);
            const { apis, run } = drift(source);
            try {
                const early = await run();
                assert.equal(early.verdict.status, "passed");
                assert.doesNotMatch(early.log, /warning/);
                clock = 52 * 60_000;
                const near = await run();
                assert.equal(near.verdict.status, "passed");
                assert.match(near.log, /warning: CLOUDSDK_AUTH_ACCESS_TOKEN was given at 1970-01-01T00:00:00Z .* expire in 8 min \(1970-01-01T01:00:00Z\); unset it/);
                clock = 61 * 60_000;
                const late = await run();
                assert.equal(late.verdict.status, "failed");
                assert.match(
                    late.verdict.cause ?? "",
                    /401 UNAUTHENTICATED .*the explicit CLOUDSDK_AUTH_ACCESS_TOKEN given at 1970-01-01T00:00:00Z, taken to expire by 1970-01-01T01:00:00Z, has expired: it cannot be refreshed/,
                );
                assert.equal(endpoint.minted.size, 0, "an explicit token never falls back to ADC");
            } finally {
                apis.http.close();
            }
        });
    });

    it("a rollout says before its first rung when an explicit token cannot last the ladder", () => {
        const env = { CLOUDSDK_AUTH_ACCESS_TOKEN: "ya29.explicit" };
        const now = performance.timeOrigin + 1000;
        assert.equal(rolloutTokenNotice({ ladder: [5, 25, 50, 100], windowMs: 10 * 60_000, maxHolds: 0 }, env, now), undefined, "4 x (10 + 3) min fit in the hour");
        assert.match(
            rolloutTokenNotice({ ladder: [5, 25, 50, 100], windowMs: 10 * 60_000, maxHolds: 3 }, env, now) ?? "",
            /CLOUDSDK_AUTH_ACCESS_TOKEN is taken to expire at .* but this run is planned to last until about .*unset it.*: 4 rungs, each up to its window and lag 4 times \(--max-holds 3\)$/,
            "a rung may hold for its window plus --max-holds windows: with the default 3 a quiet rollout outlives the hour, and every look after it would hold on a 401",
        );
        assert.match(
            rolloutTokenNotice({ ladder: [5, 25, 50, 100], windowMs: 15 * 60_000, maxHolds: 0 }, env, now) ?? "",
            /CLOUDSDK_AUTH_ACCESS_TOKEN is taken to expire at .* but this run is planned to last until about .*unset it/,
        );
        assert.equal(rolloutTokenNotice({ ladder: [5, 25, 50, 100], windowMs: 15 * 60_000, maxHolds: 3 }, {}, now), undefined, "ADC refreshes: nothing to say");
    });

    it("with the real google-auth-library and no credentials anywhere, fails without probing the metadata server", async () => {
        assert.equal(process.env.METADATA_SERVER_DETECTION, "none", "test/setup.ts turns the probe off");
        const saved = { ...process.env };
        // Nothing to find: no key file, no gcloud config directory.
        process.env.GOOGLE_APPLICATION_CREDENTIALS = "";
        process.env.CLOUDSDK_CONFIG = "/nonexistent-gcloud-config";
        process.env.HOME = "/nonexistent-home";
        // Record every socket the library opens (the metadata server would be 169.254.169.254:80).
        const destinations: string[] = [];
        const proto = net.Socket.prototype as unknown as { connect: (...a: unknown[]) => net.Socket };
        const connect = proto.connect;
        proto.connect = function (this: net.Socket, ...args: unknown[]) {
            // net.connect hands over its normalized [options, callback] pair.
            const raw = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
            const first = raw as { host?: string; port?: number } | number;
            destinations.push(typeof first === "object" ? `${first.host}:${first.port}` : `${String(args[1])}:${String(first)}`);
            return connect.apply(this, args);
        };
        try {
            const source = accessTokenSource(undefined);
            await assert.rejects(source.token(), (e: unknown) => e instanceof GcpApiError && /no Google credentials: set CLOUDSDK_AUTH_ACCESS_TOKEN/.test(e.message));
            assert.deepEqual(destinations, [], "no socket opened");
        } finally {
            proto.connect = connect;
            for (const key of ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "HOME"]) {
                if (saved[key] === undefined) delete process.env[key];
                else process.env[key] = saved[key];
            }
        }
    });
});

import * as assert from "node:assert/strict";
import * as net from "node:net";
import { createCloudApis } from "../../../validation/gcp/apis";
import { accessTokenSource } from "../../../validation/gcp/credentials";
import { HttpClient } from "../../../validation/http";
import { Redactor } from "../../../validation/redact";
import { ALIGNED, alignedState } from "./environments";
import { recordingContext } from "./helpers";
import { CloudStandIn } from "./stand-in";
import { GcpApiError } from "../../../validation/gcp/errors";

describe("Google API credentials", () => {
    it("uses the explicit token and never looks for application default credentials", async () => {
        let loads = 0;
        const source = accessTokenSource("ya29.explicit", () => {
            loads++;
            return Promise.resolve("ya29.adc");
        });
        assert.equal(await source.token(), "ya29.explicit");
        assert.equal(source.origin, "CLOUDSDK_AUTH_ACCESS_TOKEN");
        assert.equal(loads, 0);
    });

    it("resolves ADC lazily (not when created) and once for every caller", async () => {
        let loads = 0;
        const source = accessTokenSource(undefined, () => {
            loads++;
            return Promise.resolve("ya29.adc");
        });
        assert.equal(loads, 0, "creating the source looks nothing up");
        const tokens = await Promise.all([source.token(), source.token(), source.token()]);
        assert.deepEqual(tokens, ["ya29.adc", "ya29.adc", "ya29.adc"]);
        assert.equal(loads, 1);
    });

    it("hands a token obtained from ADC to the redactor as soon as it is obtained", async () => {
        const seen: string[] = [];
        const source = accessTokenSource(undefined, () => Promise.resolve("ya29.adc-minted-77"), (t) => seen.push(t));
        await Promise.all([source.token(), source.token()]);
        assert.deepEqual(seen, ["ya29.adc-minted-77"]);
        // The explicit token is registered with the options' secrets already: no callback.
        const explicit = accessTokenSource("ya29.explicit", undefined, (t) => seen.push(t));
        await explicit.token();
        assert.deepEqual(seen, ["ya29.adc-minted-77"]);
    });

    it("the gate's Cloud Run clients register the ADC token with the run's redactor", async () => {
        const redactor = new Redactor();
        const http = new HttpClient({ timeoutMs: 5_000 });
        const standIn = await new CloudStandIn(alignedState(), "adc-token-not-ya29-shaped").start();
        try {
            const apis = createCloudApis(
                { project: standIn.state.project, region: standIn.state.region, cloudRunApiUrl: standIn.url, cloudLoggingApiUrl: standIn.url, onAccessToken: (t) => redactor.add(t) },
                http,
                () => Promise.resolve("adc-token-not-ya29-shaped"),
            );
            await apis.cloudRun.getService(recordingContext(), ALIGNED.control);
            assert.equal(redactor.redact("token adc-token-not-ya29-shaped"), "token ***");
        } finally {
            http.close();
            await standIn.close();
        }
    });

    it("turns a missing ADC into a credentials error that says what to set", async () => {
        const source = accessTokenSource("  ", () => Promise.resolve(null));
        await assert.rejects(source.token(), (e: unknown) => e instanceof GcpApiError && e.kind === "credentials" && /no access token/.test(e.message));
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

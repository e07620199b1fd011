// Google's own client libraries as the judges of what the tests' stand-ins answer. The message
// types come from the official clients (@google-cloud/run, @google-cloud/logging,
// @google-cloud/monitoring: the protos they ship), and an answer counts as one Google could give
// only if it survives a round trip through proto3 JSON (proto3-json-serializer, what their REST
// transport decodes with): decoded without error, and encoded back to the same JSON. That
// refuses what a hand-written stand-in slips into: unknown fields, a number where an int64
// string belongs, an enum that does not exist, and fields at their default value (an empty
// list, 0, "", false) that Google leaves out.
//
// `clients(url, token)` builds the official clients in REST mode against a loopback stand-in, for
// tests that read it through them end to end.

import { v2 as logging } from "@google-cloud/logging";
import { MetricServiceClient } from "@google-cloud/monitoring";
import { v2 as run } from "@google-cloud/run";
import { OAuth2Client } from "google-auth-library";
import { fromProto3JSON, toProto3JSON, type JSONValue } from "proto3-json-serializer";
import type * as protobuf from "protobufjs";

type Root = { lookupType(name: string): protobuf.Type };

/** A token the clients carry without ever asking a token endpoint. */
function fixedAuth(token: string): OAuth2Client {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: token, expiry_date: Date.now() + 24 * 3600_000 });
    return auth;
}

/** The official clients in REST mode (`fallback: true`), pointed at a loopback stand-in. */
export function clients(url: string, token: string) {
    const { port } = new URL(url);
    // The libraries pin their own google-auth-library: its AuthClient type is another declaration of the same class.
    const authClient = fixedAuth(token) as unknown as NonNullable<ConstructorParameters<typeof run.ServicesClient>[0]>["authClient"];
    const options = { fallback: true as const, protocol: "http", apiEndpoint: "127.0.0.1", port: Number(port), authClient };
    return {
        services: new run.ServicesClient(options),
        revisions: new run.RevisionsClient(options),
        jobs: new run.JobsClient(options),
        executions: new run.ExecutionsClient(options),
        logging: new logging.LoggingServiceV2Client(options),
        metrics: new MetricServiceClient(options),
    };
}

let roots: Root[] | undefined;

/** The protos the three libraries ship (loaded once; building a client sends nothing). */
function protoRoots(): Root[] {
    if (!roots) {
        const c = clients("http://127.0.0.1:9", "unused");
        roots = [c.services, c.logging, c.metrics].map((client) => (client as unknown as { _protos: Root })._protos);
    }
    return roots;
}

function lookup(typeName: string): protobuf.Type {
    for (const root of protoRoots()) {
        try {
            return root.lookupType(typeName);
        } catch {
            // not in this library's protos
        }
    }
    throw new Error(`no official proto for ${typeName}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The first place where `sent` and the round trip differ; timestamps compare by instant (0, 3, 6 or 9 digits are all valid). */
function firstDifference(sent: unknown, back: unknown, path: string): string | undefined {
    if (typeof sent === "string" && typeof back === "string" && RFC3339.test(sent) && RFC3339.test(back)) {
        return Date.parse(sent) === Date.parse(back) ? undefined : `${path}: ${sent} is not ${back}`;
    }
    if (Array.isArray(sent) || Array.isArray(back)) {
        if (!Array.isArray(sent) || !Array.isArray(back)) return `${path}: ${JSON.stringify(sent)} decodes as ${JSON.stringify(back)}`;
        if (sent.length !== back.length) return `${path}: ${sent.length} items decode as ${back.length}`;
        for (let i = 0; i < sent.length; i++) {
            const d = firstDifference(sent[i], back[i], `${path}[${i}]`);
            if (d) return d;
        }
        return undefined;
    }
    if (sent && back && typeof sent === "object" && typeof back === "object") {
        const a = sent as Record<string, unknown>;
        const b = back as Record<string, unknown>;
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
            if (!(key in b)) return `${path}.${key}: ${JSON.stringify(a[key])?.slice(0, 60)} does not survive decoding (an unknown field, or a default value, which Google leaves out)`;
            if (!(key in a)) {
                // The serializer writes an empty map as {}; Google leaves it out like any other empty field.
                if (b[key] && typeof b[key] === "object" && !Array.isArray(b[key]) && Object.keys(b[key]).length === 0) continue;
                return `${path}.${key}: missing from the answer, ${JSON.stringify(b[key])?.slice(0, 60)} after decoding`;
            }
            const d = firstDifference(a[key], b[key], `${path}.${key}`);
            if (d) return d;
        }
        return undefined;
    }
    return Object.is(sent, back) ? undefined : `${path}: ${JSON.stringify(sent)} decodes as ${JSON.stringify(back)}`;
}

/** Why `json` is not a proto3 JSON `typeName` as Google sends one; undefined when it is. */
export function notGoogleShaped(typeName: string, json: unknown): string | undefined {
    const type = lookup(typeName);
    let back: unknown;
    try {
        back = toProto3JSON(fromProto3JSON(type, json as JSONValue) as protobuf.Message);
    } catch (error) {
        return `${typeName}: ${(error as Error).message}`;
    }
    const d = firstDifference(json, back, typeName);
    return d;
}

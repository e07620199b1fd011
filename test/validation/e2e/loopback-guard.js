// Preloaded (NODE_OPTIONS=--require) into the gate's child process by the end-to-end tests: any
// name lookup, and any connection to an address that is not loopback, is refused before a packet
// leaves and reported on stderr ("LOOPBACK-GUARD blocked ..."), so a replay provably stays on
// 127.0.0.1 even when its targets are the real legacy run.app URLs. Plain JS: it loads before
// sucrase.
"use strict";
const dns = require("node:dns");
const net = require("node:net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const report = (what) => process.stderr.write(`LOOPBACK-GUARD blocked ${what}\n`);

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
    const cb = typeof options === "function" ? options : callback;
    if (LOOPBACK.has(hostname)) return lookup.apply(this, arguments);
    report(`lookup ${hostname}`);
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (loopback guard)`), { code: "ENOTFOUND", hostname, syscall: "getaddrinfo" });
    process.nextTick(() => cb(err));
    return {};
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const host = typeof first === "object" && first !== null ? first.host : args[1];
    const path = typeof first === "object" && first !== null ? first.path : typeof first === "string" ? first : undefined;
    if (!path && host !== undefined && net.isIP(host) && !LOOPBACK.has(host)) {
        report(`connect ${host}`);
        const err = Object.assign(new Error(`connect to ${host} refused by the loopback guard`), { code: "ECONNREFUSED" });
        process.nextTick(() => this.destroy(err));
        return this;
    }
    return connect.apply(this, args);
};

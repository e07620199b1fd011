// `node -r ./review/register.js`: TypeScript for `npm run review`, as `-r sucrase/register/ts`
// does (the same sucrase transforms, without the inline source map: sucrase keeps line numbers,
// so stack traces stay true), with each transform kept in node_modules/.cache keyed by the
// source's bytes and the sucrase version. A review runs ~40 of the project's files twice a
// minute while someone edits a stack file; transforming them again each time was a sixth of
// its run. A cache that cannot be read or written is skipped, never an error.
"use strict";
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const OPTIONS = { transforms: ["imports", "typescript"] };
const VERSION = require("sucrase/package.json").version;
const CACHE = path.join(__dirname, "..", "node_modules", ".cache", "review-ts");

/** Keeps the cache from growing with every edit: past 2,000 transforms, the older half goes. */
function prune() {
    const names = fs.readdirSync(CACHE).filter((n) => n.endsWith(".js"));
    if (names.length <= 2000) return;
    const aged = names.map((n) => ({ n, t: fs.statSync(path.join(CACHE, n)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, aged.length / 2)) fs.rmSync(path.join(CACHE, n), { force: true });
}

function transformed(code, filename) {
    const key = crypto
        .createHash("sha256")
        .update(`${VERSION}\0${JSON.stringify(OPTIONS)}\0`)
        .update(code)
        .digest("hex");
    const file = path.join(CACHE, `${key}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        // not cached yet
    }
    const out = require("sucrase").transform(code, { ...OPTIONS, filePath: filename }).code;
    try {
        fs.mkdirSync(CACHE, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, file);
        prune();
    } catch {
        // a read-only checkout: transform every time
    }
    return out;
}

// V8's code cache for every module the review loads (the SDKs' thousands of files included),
// next to the transforms: a second review compiles nothing again. Node 22.1+; a no-op if absent.
Module.enableCompileCache?.(path.join(CACHE, "v8"));

Module._extensions[".ts"] = function (module, filename) {
    module._compile(transformed(fs.readFileSync(filename, "utf8"), filename), filename);
};

// `npm run docs`: writes the generated references under docs/. `npm run docs -- --check` writes
// nothing and exits 1 naming each stale file (test/docs.test.ts holds the committed copies to it).

import * as fs from "node:fs";
import * as path from "node:path";
import { withIdentitiesSection } from "../catalog/identities-doc";
import { policyReference } from "../policies/reference";
import { configReference, pulumiProjectFile } from "../services/config-reference";
import { gateReference } from "../validation/reference";

const ROOT = path.join(__dirname, "..");

/** Each generated file, relative to the repository root, and what renders it. */
export const GENERATED: ReadonlyArray<{ file: string; render: () => string }> = [
    { file: "docs/gate.md", render: gateReference },
    { file: "Pulumi.yaml", render: pulumiProjectFile },
    { file: "docs/config.md", render: configReference },
    { file: "docs/policies.md", render: policyReference },
    // A section between markers; the rest of the file is written by hand.
    { file: "docs/gcp-setup.md", render: () => withIdentitiesSection(fs.readFileSync(path.join(ROOT, "docs/gcp-setup.md"), "utf8")) },
];

/** The generated files whose committed copy differs from what would be written. */
export function staleDocs(root = ROOT): string[] {
    return GENERATED.filter(({ file, render }) => {
        const target = path.join(root, file);
        return !fs.existsSync(target) || fs.readFileSync(target, "utf8") !== render();
    }).map(({ file }) => file);
}

function main(argv: readonly string[]): number {
    if (argv.includes("--check")) {
        const stale = staleDocs();
        for (const file of stale) process.stderr.write(`${file} is stale: run npm run docs\n`);
        return stale.length === 0 ? 0 : 1;
    }
    for (const { file, render } of GENERATED) {
        fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
        fs.writeFileSync(path.join(ROOT, file), render());
        process.stdout.write(`wrote ${file}\n`);
    }
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

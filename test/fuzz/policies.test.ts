// The pack fuzzed: resources of every kind it judges (the compliant baseline of each), with
// any JSON put at any path (nulls in lists, objects where strings belong, nesting thousands of
// levels deep), run through the SDK's analyzer as `pulumi preview` runs it. No policy throws
// (the total() backstop would turn a throw into a "could not judge" verdict: none may appear),
// every message is one bounded line, and the analysis of the whole stack still completes.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { POLICIES } from "../../policies/all";
import { MAX_MESSAGE_CHARS, total } from "../../policies/lib/total";
import { EngineResource, OfflineAnalyzer } from "../../policies/offline/engine";
import { reconcilePolicyConfig } from "../../policies/offline/config";
import { compliantStack, controlService, domainMapping, iamMember, serverlessNeg, secretGrant, workerPool, CONTROL_IMAGE } from "../policies/fixtures";
import { TYPES } from "../../policies/lib/resources";
import { getAt, jsonValue, pathsOf, setAt } from "./arbitraries";
import { Tally, params } from "./runs";

const BOUND_MS = 10_000;

function baseline(): EngineResource[] {
    return [
        ...compliantStack("prod"),
        domainMapping("openagents-control-service"),
        iamMember("runtime", "serviceAccount:oa-control-prod@openagentsgemini.iam.gserviceaccount.com"),
        serverlessNeg("openagents-control-service"),
        secretGrant("openagents-runtime-signing-key"),
        workerPool("openagents-control-service", CONTROL_IMAGE),
        // Every kind that delivers to a service, and grants at the project level.
        {
            type: TYPES.eventarcTrigger,
            name: "trigger",
            props: { location: "us-central1", destination: { cloudRunService: { service: "runtime", region: "us-central1" }, httpEndpoint: { uri: "https://runtime-ezxz4mgdsq-uc.a.run.app/" } } },
        },
        {
            type: TYPES.schedulerJob,
            name: "schedule",
            props: {
                httpTarget: {
                    uri: "https://run.googleapis.com/v2/projects/p/locations/l/jobs/runtime-migrate:run",
                    oidcToken: { serviceAccountEmail: "a@p.iam.gserviceaccount.com", audience: "https://x" },
                },
                appEngineHttpTarget: { appEngineRouting: { service: "default" } },
            },
        },
        { type: TYPES.pubsubSubscription, name: "push", props: { topic: "t", pushConfig: { pushEndpoint: "https://runtime-ezxz4mgdsq-uc.a.run.app/push", oidcToken: { audience: "https://x" } } } },
        {
            type: TYPES.tasksQueue,
            name: "queue",
            props: { location: "us-central1", httpTarget: { uriOverride: { host: "runtime-ezxz4mgdsq-uc.a.run.app" } }, appEngineRoutingOverride: { service: "default" } },
        },
        { type: "gcp:projects/iAMBinding:IAMBinding", name: "project-binding", props: { project: "openagentsgemini", role: "roles/run.viewer", members: ["user:a@openagents.com"] } },
    ];
}

const analyzer = new OfflineAnalyzer(POLICIES, { config: reconcilePolicyConfig(POLICIES) });

describe("fuzz: every policy is total", function () {
    this.timeout(0);

    it("gives a verdict or nothing for any JSON at any path, never a throw", async () => {
        const tally = new Tally();
        const resources = baseline();
        await fc.assert(
            fc.asyncProperty(fc.nat(), fc.array(fc.tuple(fc.nat(), jsonValue, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.boolean(), async (which, changes, wholeStack) => {
                const stack = structuredClone(resources);
                const target = stack[which % stack.length];
                for (const [at, value, intoList] of changes) {
                    const paths = pathsOf(target.props);
                    // Half the changes add an item to a list (a null container, a string env...), half replace a value.
                    const lists = paths.filter((p) => Array.isArray(getAt(target.props, p)));
                    if (intoList && lists.length > 0) (getAt(target.props, lists[at % lists.length]) as unknown[]).unshift(value);
                    else if (paths.length === 0) target.props = { value };
                    else setAt(target.props, paths[at % paths.length], value);
                }
                const started = Date.now();
                let outcome = "verdicts";
                try {
                    const result = wholeStack ? await analyzer.analyzeAll(stack) : await analyzer.analyzeResource(target);
                    for (const v of result.verdicts) {
                        assert.ok(!/could not judge/.test(v.message), `${v.policy} threw: ${v.message}`);
                        assert.ok(!v.message.includes("\n") && v.message.length <= MAX_MESSAGE_CHARS + 3, `${v.policy}: ${v.message.slice(0, 200)}`);
                    }
                    if (result.verdicts.length === 0) outcome = "none";
                } catch (err) {
                    outcome = "crash";
                    throw err;
                } finally {
                    tally.record(outcome, Date.now() - started, BOUND_MS);
                }
            }),
            params(200),
        );
        console.log(`      ${tally.summary("resources")}`);
    });

    it("judges the rest of a resource nested 10,000 levels deep somewhere", async () => {
        const control = controlService("prod");
        let deep: unknown = "leaf";
        for (let i = 0; i < 10_000; i++) deep = { x: deep };
        const result = await analyzer.analyzeResource({ ...control, props: { ...control.props, name: "openagents-web", extra: deep } });
        assert.ok(!result.verdicts.some((v) => /could not judge/.test(v.message)), JSON.stringify(result.verdicts).slice(0, 500));
        assert.ok(
            result.verdicts.some((v) => v.policy === "no-legacy-targets"),
            "the legacy name is still judged",
        );
    });

    it("reports a policy that throws as that policy's violation and still runs the others", async () => {
        const throwing = {
            ...POLICIES[0],
            name: "always-throws",
            validateResource: () => {
                throw new Error("boom");
            },
        };
        const policies = [total(throwing), ...POLICIES];
        const a = new OfflineAnalyzer(policies, { config: reconcilePolicyConfig(policies) });
        const control = controlService("prod");
        const result = await a.analyzeResource({ ...control, props: { ...control.props, name: "openagents-web" } });
        assert.deepEqual(
            result.verdicts.filter((v) => v.policy === "always-throws").map((v) => [v.level, v.message]),
            [["mandatory", "policy always-throws could not judge this resource (Error: boom); it is refused until the policy can"]],
        );
        assert.ok(
            result.verdicts.some((v) => v.policy === "no-legacy-targets"),
            "a later policy still reports",
        );
    });
});

// Runs the pack's policies offline through the policy SDK's own analyzer code
// (@pulumi/policy/server makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), fed with the same
// protobuf requests the Pulumi engine sends. So the SDK itself does what the engine-side
// run does: props through the unknown-checking proxy (a preview unknown becomes the advisory
// "can't run policy ... during preview"), the type fast path and notApplicable, the
// enforcement level, and the "<description>\n<message>" diagnostics.
// Two things the SDK only takes over gRPC (its configure/configureStack calls) are supplied
// by wrapping each policy: the reconciled config (getConfig, level) and the stack tags.

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any --
   the SDK's protobuf modules (pulumirpc analyzer messages, google.protobuf.Struct) have no typings. */
import { createRequire } from "node:module";
import { isUnknown } from "@pulumi/pulumi/output";
import type { EnforcementLevel, Severity, StackValidationArgs } from "@pulumi/policy";
import type { PackPolicy } from "../lib/types";
import { ReconciledConfig, reconcilePolicyConfig } from "./config";

// Load the proto and struct modules the SDK itself loads, so instanceof checks hold.
const sdkRequire = createRequire(require.resolve("@pulumi/policy/server"));
/* eslint-disable @typescript-eslint/no-require-imports */
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun: (pack: string, version: string, level: EnforcementLevel, policies: unknown[]) => RpcFun;
    makeAnalyzeStackRpcFun: (pack: string, version: string, level: EnforcementLevel, policies: unknown[]) => RpcFun;
};
const analyzerproto = sdkRequire("@pulumi/pulumi/proto/analyzer_pb");
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

type RpcFun = (call: { request: unknown }, callback: (err: unknown, resp: unknown) => void) => Promise<void>;

/** The engine's wire sentinel for a value not known during preview (any type). */
export const UNKNOWN_WIRE_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface EngineResource {
    type: string;
    name: string;
    urn?: string;
    /** Inputs (resource analysis) or outputs (stack analysis); preview unknowns may be pulumi Unknowns. */
    props: Record<string, unknown>;
    parent?: string;
    /** URNs this resource explicitly depends on. */
    dependencies?: string[];
    protect?: boolean;
    /** The resource's custom timeouts in seconds, as `pulumi up` will wait (unset: the provider's own). */
    customTimeouts?: { createSeconds?: number; updateSeconds?: number; deleteSeconds?: number };
}

export interface Verdict {
    policy: string;
    level: EnforcementLevel;
    severity?: Severity;
    /** URN of the resource the verdict is about (stack verdicts may name none). */
    urn?: string;
    /** Logical name of that resource, when known. */
    resource?: string;
    type?: string;
    /** What the policy reported (the SDK's message without the description line). */
    message: string;
    description: string;
}

export interface NotApplicable {
    policy: string;
    reason: string;
    urn?: string;
}

export interface AnalysisResult {
    verdicts: Verdict[];
    notApplicable: NotApplicable[];
}

export interface EngineOptions {
    /** Reconciled policy config; defaults to the schemas' defaults. */
    config?: ReconciledConfig;
    /** Stack tags as the engine's configureStack would give them. */
    stackTags?: Record<string, string>;
    packName?: string;
    packVersion?: string;
    packLevel?: EnforcementLevel;
}

const SEVERITIES: Record<number, Severity | undefined> = { 1: "low", 2: "medium", 3: "high", 4: "critical" };
const LEVELS: Record<number, EnforcementLevel> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

export function defaultUrn(type: string, name: string, stack = "offline", project = "openagents-rust-lanes"): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/**
 * Deepest nesting handed to the SDK. Cloud Run props nest about ten levels and no policy reads
 * deeper than that; the SDK's deserializer and proxy recurse per level and overflow the stack
 * a few thousand levels down, so anything deeper is cut off here, before the SDK sees it.
 */
export const MAX_PROPS_DEPTH = 64;
export const TOO_DEEP = `(nested deeper than ${MAX_PROPS_DEPTH} levels: cut off)`;

/** JSON-ready value: pulumi Unknowns become the wire sentinel, undefined fields disappear, nesting is bounded. */
function toWire(value: unknown, depth = 0): unknown {
    if (isUnknown(value)) return UNKNOWN_WIRE_VALUE;
    if (value && typeof value === "object" && depth >= MAX_PROPS_DEPTH) return TOO_DEEP;
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toWire(v, depth + 1)));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, depth + 1);
        return out;
    }
    return value;
}

function toStruct(props: Record<string, unknown>): unknown {
    return structproto.Struct.fromJavaScript(toWire(props));
}

function options(resource: EngineResource): unknown {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(resource.protect ?? false);
    if (resource.parent) opts.setParent(resource.parent);
    const t = resource.customTimeouts;
    if (t) {
        const timeouts = new analyzerproto.AnalyzerResourceOptions.CustomTimeouts();
        timeouts.setCreate(t.createSeconds ?? 0);
        timeouts.setUpdate(t.updateSeconds ?? 0);
        timeouts.setDelete(t.deleteSeconds ?? 0);
        opts.setCustomtimeouts(timeouts);
    }
    return opts;
}

function frozenTags(tags: Record<string, string>): ReadonlyMap<string, string> {
    return new Map(Object.entries(tags));
}

/** Gives each policy its reconciled level, config and the stack tags, keeping the SDK's type fast path. */
function bindPolicies(policies: readonly PackPolicy[], config: ReconciledConfig, stackTags: ReadonlyMap<string, string>): unknown[] {
    const wrap = <F extends (...a: never[]) => unknown>(fn: F, policyName: string): F => {
        const getConfig = () => structuredClone(config[policyName]?.properties ?? {});
        const wrapped = ((args: StackValidationArgs, report: unknown) => (fn as unknown as (a: unknown, r: unknown) => unknown)({ ...args, getConfig, stackTags }, report)) as unknown as F;
        const pulumiType = (fn as unknown as { __pulumiType?: string }).__pulumiType;
        if (pulumiType) (wrapped as unknown as { __pulumiType?: string }).__pulumiType = pulumiType;
        return wrapped;
    };
    return policies.map((p) => {
        const level = config[p.name]?.enforcementLevel ?? p.enforcementLevel;
        if ("validateResource" in p && p.validateResource) {
            const v = p.validateResource;
            return { ...p, enforcementLevel: level, validateResource: Array.isArray(v) ? v.map((f) => wrap(f, p.name)) : wrap(v, p.name) };
        }
        if ("validateStack" in p) return { ...p, enforcementLevel: level, validateStack: wrap(p.validateStack, p.name) };
        return { ...p, enforcementLevel: level };
    });
}

function call(fn: RpcFun, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        void fn({ request }, (err, resp) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(resp)));
    });
}

function urnOf(resource: EngineResource): string {
    return resource.urn ?? defaultUrn(resource.type, resource.name);
}

/** The engine's AnalyzeRequest for one resource (pulumirpc.AnalyzeRequest). */
export function analyzeRequest(resource: EngineResource): unknown {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(resource.type);
    req.setName(resource.name);
    req.setUrn(urnOf(resource));
    req.setProperties(toStruct(resource.props));
    req.setOptions(options(resource));
    return req;
}

/** The engine's AnalyzeStackRequest for a stack (pulumirpc.AnalyzeStackRequest). */
export function analyzeStackRequest(resources: readonly EngineResource[]): unknown {
    const list = resources.map((r) => {
        const ar = new analyzerproto.AnalyzerResource();
        ar.setType(r.type);
        ar.setName(r.name);
        ar.setUrn(urnOf(r));
        ar.setProperties(toStruct(r.props));
        ar.setOptions(options(r));
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList(r.dependencies ?? []);
        return ar;
    });
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(list);
    return req;
}

/**
 * The same request without the protobuf round trip: the SDK reads a request only through
 * getType/getName/getUrn/getOptions/getProvider/getProperties().toJavaScript(), and its
 * deserializer copies what toJavaScript returns. toWire already gives what Struct
 * fromJavaScript/toJavaScript would (unknowns as the wire sentinel, no undefined fields), so
 * skipping the encoding changes nothing the policies see (pack-server.test.ts compares both).
 */
function directRequest(resource: EngineResource): unknown {
    const wire = toWire(resource.props);
    const opts = options(resource);
    return {
        getType: () => resource.type,
        getName: () => resource.name,
        getUrn: () => urnOf(resource),
        getOptions: () => opts,
        getProvider: () => undefined,
        getProperties: () => ({ toJavaScript: () => wire }),
        getParent: () => resource.parent ?? "",
        getDependenciesList: () => resource.dependencies ?? [],
        getPropertydependenciesMap: () => undefined,
    };
}

/** An analyzer bound to a policy list and options: the offline stand-in for the pack's server. */
export class OfflineAnalyzer {
    private readonly analyze: RpcFun;
    private readonly analyzeStackFun: RpcFun;

    constructor(policies: readonly PackPolicy[], opts: EngineOptions = {}) {
        const config = opts.config ?? reconcilePolicyConfig(policies);
        const bound = bindPolicies(policies, config, frozenTags(opts.stackTags ?? {}));
        const name = opts.packName ?? "openagents-rust-lanes";
        const version = opts.packVersion ?? "0.0.0";
        const level = opts.packLevel ?? "advisory";
        this.analyze = server.makeAnalyzeRpcFun(name, version, level, bound);
        this.analyzeStackFun = server.makeAnalyzeStackRpcFun(name, version, level, bound);
    }

    /** One resource, as the engine's Analyze call (inputs, before the step runs). */
    async analyzeResource(resource: EngineResource): Promise<AnalysisResult> {
        const resp = await call(this.analyze, directRequest(resource));
        return decodeAnalyzeResponse(resp, [resource], urnOf(resource));
    }

    /** The whole stack, as the engine's AnalyzeStack call at the end of a preview or update. */
    async analyzeStack(resources: readonly EngineResource[]): Promise<AnalysisResult> {
        const req = { getResourcesList: () => resources.map(directRequest) };
        const resp = await call(this.analyzeStackFun, req);
        return decodeAnalyzeResponse(resp, resources, undefined);
    }

    /** Every resource, then the stack: what `pulumi preview --policy-pack` runs. */
    async analyzeAll(resources: readonly EngineResource[]): Promise<AnalysisResult> {
        const result: AnalysisResult = { verdicts: [], notApplicable: [] };
        for (const r of resources) {
            const one = await this.analyzeResource(r);
            result.verdicts.push(...one.verdicts);
            result.notApplicable.push(...one.notApplicable);
        }
        const stack = await this.analyzeStack(resources);
        result.verdicts.push(...stack.verdicts);
        result.notApplicable.push(...stack.notApplicable);
        return result;
    }
}

/** Verdicts and not-applicable reasons of a pulumirpc.AnalyzeResponse. */

export function decodeAnalyzeResponse(resp: any, resources: readonly EngineResource[], defaultUrnOfResource: string | undefined): AnalysisResult {
    const byUrn = new Map(resources.map((r) => [urnOf(r), r]));

    const verdicts = resp.getDiagnosticsList().map((d: any): Verdict => {
        const description: string = d.getDescription();
        const raw: string = d.getMessage();
        const message = raw.startsWith(`${description}\n`) ? raw.slice(description.length + 1) : raw;
        const urn: string | undefined = d.getUrn() || defaultUrnOfResource;
        const resource = urn ? byUrn.get(urn) : undefined;
        return {
            policy: d.getPolicyname(),
            level: LEVELS[d.getEnforcementlevel()],
            severity: SEVERITIES[d.getSeverity()],
            urn,
            resource: resource?.name,
            type: resource?.type,
            message,
            description,
        };
    });

    const notApplicable = resp.getNotApplicableList().map((n: any): NotApplicable => ({
        policy: n.getPolicyName(),
        reason: n.getReason(),
        urn: defaultUrnOfResource,
    }));
    return { verdicts, notApplicable };
}

// The one module of shared lane facts. Read by services/, policies/ and validation/.
export * from "./lanes";
export * from "./images";
export * from "./legacy";
export * from "./canary";
export * from "./cloud-run";
export * from "./identifiers";
export * from "./serving";
export * from "./text";
export * from "./stack-outputs";
export * from "./secrets";
export * from "./service-needs";
export * from "./migration";
export * from "./access";
export * from "./stack-secrets";
export * from "./provider";
export * from "./dns-labels";

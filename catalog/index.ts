// The one module of shared lane facts. Read by services/, policies/ and validation/.
export * from "./lanes";
export * from "./images";
export * from "./legacy";
export * from "./canary";
export * from "./stack-outputs";

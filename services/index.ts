export * from "./config";
export * from "./config-schema";
export * from "./control-service";
export * from "./runtime-lane";
export * from "./lane-environment";
export * from "./workload-identity";

// Types for broker.mjs (kept as plain .mjs so `npm run kafka:up` needs no TypeScript loader).
export declare const ROOT: string;
export declare const LIBS_DIR: string;
export declare const KAFKA_HOME: string;
export declare const SHARED: Readonly<{ name: string; port: number; controllerPort: number }>;

export interface InstanceSpec {
  name: string;
  port: number;
  controllerPort: number;
}
export interface InstancePaths {
  dir: string;
  data: string;
  config: string;
  log4j: string;
  log: string;
  stdout: string;
  pid: string;
  lock: string;
}

export declare function jarsPresent(): boolean;
export declare function fetchJars(opts?: { quiet?: boolean }): Promise<void>;
export declare function withLock<T>(lockPath: string, fn: () => Promise<T>, staleMs?: number): Promise<T>;
export declare function pidAlive(pid: number): boolean;
export declare function instancePaths(name: string): InstancePaths;
export declare function runningPid(name: string): number | undefined;
export declare function portOpen(port: number, timeoutMs?: number): Promise<boolean>;
export declare function brokerAnswers(port: number, timeoutMs?: number): Promise<boolean>;
export declare function startInstance(
  inst: InstanceSpec,
  opts?: { heapMb?: number; timeoutMs?: number },
): Promise<{ pid: number; brokers: string[] }>;
export declare function stopInstance(name: string, opts?: { timeoutMs?: number }): Promise<boolean>;
export declare function destroyInstance(name: string): Promise<void>;
export declare function ensureInstance(inst: InstanceSpec): Promise<{ brokers: string[] }>;
export declare function ensureShared(): Promise<{ brokers: string[] }>;

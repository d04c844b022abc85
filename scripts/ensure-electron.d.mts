/** Types for scripts/ensure-electron.mjs (a plain ES module: it runs from `prepare`, before any build). */
type Env = Record<string, string | undefined>;
export declare const ROOT: string;
export declare const SKIP_VARIABLE: 'ELECTRON_SKIP_BINARY_DOWNLOAD';
export declare function electronBinary(root?: string, env?: Env): string | null;
export declare function fetchCommand(env?: Env): string;
export interface InstallPlan {
  action: 'none' | 'skip' | 'fetch';
  why: string;
}
export declare function installPlan(options?: { root?: string; env?: Env }): InstallPlan;
export declare function notFetchedMessage(why: string, env?: Env): string;

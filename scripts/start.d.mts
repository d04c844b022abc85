/** Types for scripts/start.mjs (`npm start`). */
type Env = Record<string, string | undefined>;
export declare function hasDisplay(env?: Env, platform?: NodeJS.Platform): boolean;
export interface StartPlan {
  mode: 'electron' | 'web';
  /** Why the web host, or null for Electron. */
  why: string | null;
  /** The command that fetches Electron's binary, when it is missing. */
  fetch: string | null;
  /** What runs, in order: [executable, ...arguments]. */
  commands: string[][];
}
export declare function planStart(options: { args?: string[]; binary: string | null; display: boolean; env?: Env; root?: string }): StartPlan;
export declare function fallbackMessage(plan: StartPlan): string;

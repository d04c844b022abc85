/** Types of what build.mjs exports to tests (the script itself is plain JS so it runs without a loader). */
export declare const GENERATED_HEADER: string;
/** The op names of `export const <name> = [...] as const;` in primitive-ops.ts (or in `text`). */
export declare function opList(name: string, text?: string): string[];
/** The C enum header generated from primitive-ops.ts (or from `text`). */
export declare function generatedHeader(text?: string): string;
export interface Artifact {
  readonly name: string;
  readonly manifest: string;
  readonly flags: readonly string[];
  readonly relaxed: boolean;
}
export declare const ARTIFACTS: readonly Artifact[];
export declare function sourceHash(artifact?: Artifact): string;

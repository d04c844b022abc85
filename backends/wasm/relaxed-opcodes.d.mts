/** Types of relaxed-opcodes.mjs (plain JS: build.mjs runs it without a TypeScript loader). */
export declare const REWRITE_VERSION: number;
/** A copy of `module` with clang 14's prototype f32x4.fma rewritten to f32x4.relaxed_madd; throws on anything else relaxed. */
export declare function relaxMaddOpcodes(module: Uint8Array): Uint8Array;

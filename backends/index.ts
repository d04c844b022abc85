/**
 * The backend registry with the built-in backends registered. Import this, not ./registry, to get them.
 * @module
 */
import './builtin';

export * from './registry';
export type * from './interface';

/** Moved to src-core/base/errors.ts (the layer backends also import); re-exported here for existing imports. */
export * from './base/errors';

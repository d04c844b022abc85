/** Moved to src-core/base/dtype.ts (the layer backends also import); re-exported here for existing imports. */
export * from '../base/dtype';

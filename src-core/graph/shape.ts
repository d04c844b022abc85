/** Moved to src-core/base/shape.ts (the layer backends also import); re-exported here for existing imports. */
export * from '../base/shape';

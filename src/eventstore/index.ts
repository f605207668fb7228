export * from './errors.js';
export * from './feed.js';
export * from './position.js';
export * from './reads.js';
export * from './registry.js';
export * from './snapshots.js';
export * from './store.js';
export * from './types.js';

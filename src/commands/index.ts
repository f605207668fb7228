export * from './aggregates.js';
export * from './handler.js';
export * from './idempotency.js';
export * from './ids.js';
export * from './loader.js';
export * from './outcome.js';

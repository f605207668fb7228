// The tables of the event store, the processing engine and the saga; each read model's are
// in its slice (src/projections/<name>/table.ts). drizzle-kit reads both (drizzle.config.ts).
export * from './tables/event-store.js';
export * from './tables/processing.js';
export * from './tables/saga.js';

// Every table, one file per part of the system; drizzle-kit generates migrations from src/db/tables.
export * from './tables/event-store.js';
export * from './tables/read-side.js';
export * from './tables/recommendations.js';
export * from './tables/saga.js';

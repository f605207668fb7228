export { ordersProjection } from './projection.js';
export { expectedRow } from './evolve.js';
export * from './queries.js';
export * from './list.js';
export * from './statistics.js';
export * from './status-changes.js';
export { OrderReads } from './reads.js';
export { checkOrders, type CheckResult, type Mismatch } from './checker.js';
export { startPeriodicCheck } from './periodic-check.js';

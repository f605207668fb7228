export * from './types.js';
export { ProjectionManager, type ProjectionManagerOptions } from './manager.js';
export { WaitForPositionTimeoutError } from './waiter.js';
export { CHECKPOINT_CHANNEL } from './checkpoints.js';
export { runBatch, type BatchOptions, type BatchResult } from './batch.js';
export { ordersProjection } from './orders.js';
export { usersProjection } from './users.js';
export { PROJECTIONS, findProjection } from './projections.js';
export { ORDER_STATUS_CHANNEL, parseOrderStatusChange, type OrderStatusChange } from './status-changes.js';
export * from './queries.js';
export * from './list-orders.js';
export * from './statistics.js';
export {
  rebuildProjection,
  RebuildInProgressError,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './rebuild.js';
export { checkOrders, type CheckResult, type Mismatch } from './checker.js';
export { startPeriodicCheck } from './periodic-check.js';

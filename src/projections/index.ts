export { ordersProjection } from './orders.js';
export { usersProjection } from './users.js';
export { PROJECTIONS, findProjection } from './projections.js';
export { ORDER_STATUS_CHANNEL, parseOrderStatusChange, type OrderStatusChange } from './status-changes.js';
export * from './queries.js';
export * from './list-orders.js';
export * from './statistics.js';
export { checkOrders, type CheckResult, type Mismatch } from './checker.js';
export { startPeriodicCheck } from './periodic-check.js';
// What the API needs of the engine underneath the read models.
export {
  RebuildInProgressError,
  WaitForPositionTimeoutError,
  type ProjectionError,
  type ProjectionStatus,
  type RebuildResult,
} from '../processing/index.js';

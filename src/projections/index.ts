// The read models, one slice per folder (table, evolve, queries, registration), their
// queries bound as the API reads them, and what the API needs of the engine and the
// database underneath them.
export * from './orders/index.js';
export * from './users/index.js';
export * from './products/index.js';
export * from './recommendations/index.js';
export { PROJECTIONS, findProjection } from './projections.js';
export { readModels, type ReadModels } from './reads.js';
export {
  RebuildInProgressError,
  WaitForPositionTimeoutError,
  type ProjectionError,
  type ProjectionStatus,
  type RebuildResult,
} from '../processing/index.js';
/** A read (or anything) that failed because the database is out of reach: UNAVAILABLE, retry, not a bug. */
export { isDatabaseUnavailable } from '../db/unavailable.js';

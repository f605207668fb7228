export * from './types.js';
export { ProjectionManager, type ProjectionManagerOptions } from './manager.js';
export { CheckpointWaiter, WaitForPositionTimeoutError } from './waiter.js';
export { CHECKPOINT_CHANNEL, readCheckpoints } from './checkpoints.js';
export { runBatch, type BatchOptions, type BatchResult } from './batch.js';
export { LeaderLocks } from './leader.js';
export {
  rebuildProjection,
  RebuildInProgressError,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './rebuild.js';
export { LOCK_SPACE } from './leader.js';
export { BatchPacer, PGLITE_BATCH_BUDGET_MS, batchBudgetMs } from './pacing.js';
export { WakeLoop, type Next, type Wait } from './wake-loop.js';
export { followFeed, type FeedSubscription, type FollowFeedOptions } from './follow-feed.js';

import type { Database } from '../db/connect.js';
import {
  EVENTS_CHANNEL,
  readAll,
  START,
  type DomainEventShape,
  type EventTypeRegistry,
  type Position,
  type StoredEvent,
} from '../eventstore/index.js';
import { WakeLoop, type Next } from './wake-loop.js';

export interface FollowFeedOptions<E extends DomainEventShape> {
  after?: Position;
  /** Called once per event, in feed order; the next is not delivered until it settles. */
  handler: (event: StoredEvent<E>) => Promise<void> | void;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface FeedSubscription {
  /** The position of the last event handed to the handler. */
  readonly position: Position;
  stop(): Promise<void>;
}

/**
 * Follows the gap-free feed from `after`: wakes on the store's notification and also
 * polls, so a lost notification costs latency, never an event. A handler that throws
 * stops at that event and is retried from it after the poll interval.
 */
export async function followFeed<E extends DomainEventShape>(
  database: Database,
  registry: EventTypeRegistry<E>,
  options: FollowFeedOptions<E>,
): Promise<FeedSubscription> {
  const batchSize = options.batchSize ?? 500;
  const idle: Next = { sleepMs: options.pollIntervalMs ?? 1_000, wakeable: true };
  let position = options.after ?? START;
  const loop: WakeLoop = new WakeLoop(
    async () => {
      const batch = await readAll(database, registry, { after: position, limit: batchSize });
      for (const event of batch) {
        if (loop.stopped) return idle;
        await options.handler(event);
        position = event.position;
      }
      return batch.length === batchSize ? 'again' : idle;
    },
    (error) => {
      options.onError?.(error);
      return idle;
    },
  );
  const unlisten = await database.listen(EVENTS_CHANNEL, () => loop.wake());
  loop.start();
  return {
    get position() {
      return position;
    },
    async stop() {
      await loop.stop();
      await unlisten();
    },
  };
}

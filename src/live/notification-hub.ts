import type { Logger } from '../logger.js';
import { Channel } from './channel.js';
import { fanOut } from './fan-out.js';
import { overflowError, replayThenLive } from './replay.js';
import type { LiveSource } from './source.js';
import type { HubOptions } from './status-hub.js';
import { TableFollower } from './table-follower.js';

/** What the hub routes a notification by. */
export interface NotificationRow {
  position: string;
  userId: string;
}

/**
 * One per instance, like StatusHub: follows the notifications outbox (woken by its
 * writer's NOTIFY, polling as the fallback) and fans new rows out to this instance's
 * subscribers by user. The outbox has one writer at a time, so positions become visible
 * in order.
 */
export class NotificationHub<T extends NotificationRow> {
  private readonly byUser = new Map<string, Set<Channel<T>>>();
  private readonly follower: TableFollower<T>;

  constructor(
    private readonly source: LiveSource<T, string>,
    logger: Logger,
    private readonly options: HubOptions = { capacity: 1_000, pollIntervalMs: 1_000 },
  ) {
    this.follower = new TableFollower(source, (row) => this.publish(row), logger, options.pollIntervalMs);
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  async stop(): Promise<void> {
    for (const channel of [...this.byUser.values()].flatMap((s) => [...s])) channel.end();
    await this.follower.stop();
  }

  /**
   * The user's notifications as they are written; with `after` (a notification's
   * position), first every one of theirs after it, with none missing or repeated.
   */
  subscribe(userId: string, after?: string): AsyncIterableIterator<T> {
    const channel: Channel<T> = new Channel(this.options.capacity, () => {
      const set = this.byUser.get(userId);
      set?.delete(channel);
      if (set?.size === 0) this.byUser.delete(userId);
    });
    this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(channel));
    if (after === undefined) return channel;
    return replayThenLive(channel, after, {
      readPage: (from, limit) => this.source.after(from, limit, userId),
      positionOf: (notification) => notification.position,
      compare: (a, b) => this.source.compare(a, b),
      capacity: this.options.capacity,
    });
  }

  /** A few dozen at a time, like StatusHub: one user may hold thousands of subscriptions across sockets. */
  private publish(notification: T): Promise<void> {
    // With nothing delivered yet, resuming after position 0 misses nothing.
    const overflow = (last: T | undefined) =>
      overflowError(last?.position ?? this.source.origin, this.options.capacity);
    return fanOut(this.byUser.get(notification.userId) ?? [], (channel) =>
      channel.push(notification, overflow),
    );
  }
}

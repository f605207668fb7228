import type { Database } from '../db/connect.js';
import type { Logger } from '../logger.js';
import {
  NOTIFICATIONS_CHANNEL,
  compareNotificationPositions,
  lastNotificationPosition,
  notificationsAfter,
  type Notification,
} from '../sagas/notifications.js';
import { Channel } from './channel.js';
import { fanOut } from './fan-out.js';
import { overflowError, replayThenLive } from './replay.js';
import { TableFollower } from './table-follower.js';

/**
 * One per instance, like StatusHub: follows the `notifications` outbox (woken by its
 * NOTIFY, polling as the fallback) and fans new rows out to this instance's subscribers
 * by user. The saga's feed consumer is the outbox's only writer, one transaction at a
 * time, so positions become visible in order.
 */
export class NotificationHub {
  private readonly byUser = new Map<string, Set<Channel<Notification>>>();
  private readonly follower: TableFollower<Notification>;

  constructor(
    private readonly database: Database,
    logger: Logger,
    private readonly options = { capacity: 1_000, pollIntervalMs: 1_000 },
  ) {
    this.follower = new TableFollower(
      database,
      logger,
      {
        what: 'notifications',
        channel: NOTIFICATIONS_CHANNEL,
        head: () => lastNotificationPosition(database.db),
        after: (position, limit) => notificationsAfter(database.db, position, limit),
        positionOf: (notification) => notification.position,
        publish: (notification) => this.publish(notification),
      },
      options.pollIntervalMs,
    );
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
  subscribe(userId: string, after?: string): AsyncIterableIterator<Notification> {
    const channel: Channel<Notification> = new Channel(this.options.capacity, () => {
      const set = this.byUser.get(userId);
      set?.delete(channel);
      if (set?.size === 0) this.byUser.delete(userId);
    });
    this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(channel));
    if (after === undefined) return channel;
    return replayThenLive(channel, after, {
      readPage: (from, limit) => notificationsAfter(this.database.db, from, limit, userId),
      positionOf: (notification) => notification.position,
      compare: compareNotificationPositions,
      capacity: this.options.capacity,
    });
  }

  /** A few dozen at a time, like StatusHub: one user may hold thousands of subscriptions across sockets. */
  private publish(notification: Notification): Promise<void> {
    // With nothing delivered yet, resuming after position 0 misses nothing.
    const overflow = (last: Notification | undefined) =>
      overflowError(last?.position ?? '0', this.options.capacity);
    return fanOut(this.byUser.get(notification.userId) ?? [], (channel) =>
      channel.push(notification, overflow),
    );
  }
}

import { Coalesced } from '../coalesce.js';
import type { Database } from '../db/connect.js';
import type { Logger } from '../logger.js';
import { NOTIFICATIONS_CHANNEL } from '../sagas/fulfilment-store.js';
import { lastNotificationPosition, notificationsAfter, type Notification } from '../sagas/notifications.js';
import { Channel, SubscriberOverflowError } from './channel.js';

const PAGE = 500;

/**
 * One per instance, like StatusHub: follows the `notifications` outbox (woken by its
 * NOTIFY, polling as the fallback) and fans new rows out to this instance's subscribers
 * by user. The saga's feed consumer is the outbox's only writer, one transaction at a
 * time, so positions become visible in order.
 */
export class NotificationHub {
  private position = '0';
  private readonly byUser = new Map<string, Set<Channel<Notification>>>();
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pumper = new Coalesced(() => this.pump());

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly options = { capacity: 1_000, pollIntervalMs: 1_000 },
  ) {}

  async start(): Promise<void> {
    this.position = await lastNotificationPosition(this.database.db);
    this.unlisten = await this.database.listen(NOTIFICATIONS_CHANNEL, () => this.pumper.wake());
    this.timer = setInterval(() => this.pumper.wake(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const channel of [...this.byUser.values()].flatMap((s) => [...s])) channel.end();
    await this.unlisten?.();
    await this.pumper.idle();
  }

  subscribe(userId: string): AsyncIterableIterator<Notification> {
    const channel: Channel<Notification> = new Channel(this.options.capacity, () => {
      const set = this.byUser.get(userId);
      set?.delete(channel);
      if (set?.size === 0) this.byUser.delete(userId);
    });
    this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(channel));
    return channel;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const page = await notificationsAfter(this.database.db, this.position, PAGE);
        for (const notification of page) this.publish(notification);
        if (page.length > 0) this.position = page.at(-1)!.position;
        if (page.length < PAGE) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'reading notifications failed; retrying on the next wake-up');
    }
  }

  private publish(notification: Notification): void {
    const overflow = () => new SubscriberOverflowError(undefined, this.options.capacity);
    for (const channel of this.byUser.get(notification.userId) ?? []) channel.push(notification, overflow);
  }
}

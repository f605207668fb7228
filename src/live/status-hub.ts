import type { Logger } from '../logger.js';
import { Channel } from './channel.js';
import { fanOut } from './fan-out.js';
import { overflowError, replayThenLive } from './replay.js';
import type { LiveSource } from './source.js';
import { TableFollower } from './table-follower.js';

export interface StatusFilter {
  orderId?: string;
  userId?: string;
}

/** What the hub routes a change by. */
export interface StatusRow {
  position: string;
  orderId: string;
  userId: string;
}

export interface HubOptions {
  /** Changes a subscriber may fall behind before it is ended. */
  capacity: number;
  pollIntervalMs: number;
}

/**
 * One per instance: follows the status changes table (see TableFollower) and fans each
 * change out to this instance's subscribers, by order, by user, or all.
 */
export class StatusHub<T extends StatusRow> {
  private readonly follower: TableFollower<T>;
  private readonly everyone = new Set<Channel<T>>();
  private readonly byOrder = new Map<string, Set<Channel<T>>>();
  private readonly byUser = new Map<string, Set<Channel<T>>>();

  constructor(
    private readonly source: LiveSource<T, StatusFilter>,
    logger: Logger,
    private readonly options: HubOptions = { capacity: 1_000, pollIntervalMs: 1_000 },
  ) {
    this.follower = new TableFollower(
      source,
      (change) => this.publish(change),
      logger,
      options.pollIntervalMs,
    );
  }

  get subscriberCount(): number {
    let n = this.everyone.size;
    for (const set of this.byOrder.values()) n += set.size;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  async stop(): Promise<void> {
    this.endAll();
    await this.follower.stop();
  }

  /** Completes every open subscription (shutdown). */
  endAll(): void {
    for (const channel of [
      ...this.everyone,
      ...[...this.byOrder.values(), ...this.byUser.values()].flatMap((s) => [...s]),
    ]) {
      channel.end();
    }
  }

  /**
   * The changes matching `filter`: those after `after` from the table first, then live
   * ones, with none missing and none repeated across the switch. Without `after` it
   * starts live, and the subscriber reads its channel directly.
   */
  subscribe(filter: StatusFilter, after?: string): AsyncIterableIterator<T> {
    const live = this.attach(filter);
    if (after === undefined) return live;
    return replayThenLive(live, after, {
      readPage: (from, limit) => this.source.after(from, limit, filter),
      positionOf: (change) => change.position,
      compare: (a, b) => this.source.compare(a, b),
      capacity: this.options.capacity,
    });
  }

  private attach(filter: StatusFilter): Channel<T> {
    const [index, key] =
      filter.orderId !== undefined
        ? [this.byOrder, filter.orderId]
        : filter.userId !== undefined
          ? [this.byUser, filter.userId]
          : [undefined, ''];
    const channel: Channel<T> = new Channel(this.options.capacity, () => {
      if (!index) return void this.everyone.delete(channel);
      const set = index.get(key);
      set?.delete(channel);
      if (set?.size === 0) index.delete(key);
    });
    if (!index) this.everyone.add(channel);
    else index.set(key, (index.get(key) ?? new Set()).add(channel));
    // Both filters given: the index holds one, the other is checked on delivery.
    if (filter.orderId !== undefined && filter.userId !== undefined) {
      const push = channel.push.bind(channel);
      channel.push = (change, overflow) => (change.userId === filter.userId ? push(change, overflow) : true);
    }
    return channel;
  }

  /**
   * Hands the change to its subscribers a few dozen at a time (see fanOut): each delivery
   * runs that subscriber's GraphQL execution, and thousands in one go would hold HTTP
   * requests and database replies back for seconds.
   */
  private publish(change: T): Promise<void> {
    // With nothing delivered yet (no capacity at all), resuming from the start misses nothing.
    const overflowed = (last: T | undefined) =>
      overflowError(last?.position ?? this.source.origin, this.options.capacity);
    const targets = [
      ...this.everyone,
      ...(this.byOrder.get(change.orderId) ?? []),
      ...(this.byUser.get(change.userId) ?? []),
    ];
    return fanOut(targets, (channel) => channel.push(change, overflowed));
  }
}

import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ALL_CHANGES } from '../test/support/orders.js';

/**
 * Positions are interned to small numbers: a thousand subscribers each keeping every
 * position string they received would cost hundreds of megabytes.
 */
export class PositionIndex {
  private readonly ids = new Map<string, number>();
  readonly positions: string[] = [];

  id(position: string): number {
    let id = this.ids.get(position);
    if (id === undefined) {
      id = this.positions.length;
      this.ids.set(position, id);
      this.positions.push(position);
    }
    return id;
  }
}

/** One subscription to every status change, which follows its socket group from instance to instance. */
export class Subscriber {
  readonly received: number[] = [];
  last: string | undefined;
  resumed = 0;
  private stop: (() => void) | undefined;

  constructor(
    private readonly index: PositionIndex,
    private readonly onLost: (subscriber: Subscriber, error: unknown) => void,
  ) {}

  subscribe(client: Client): void {
    this.stop?.();
    const variables = this.last === undefined ? {} : { after: this.last };
    let ended = false;
    this.stop = client.subscribe<{ orderStatusChanged: { position: string } }>(
      { query: ALL_CHANGES, variables },
      {
        next: (result) => {
          const position = result.data?.orderStatusChanged.position;
          if (position === undefined) return;
          this.received.push(this.index.id(position));
          this.last = position;
        },
        error: (error) => {
          if (!ended) {
            ended = true;
            this.onLost(this, error);
          }
        },
        complete: () => {
          if (!ended) {
            ended = true;
            this.onLost(this, new Error('completed'));
          }
        },
      },
    );
  }

  end(): void {
    this.stop?.();
    this.stop = undefined;
  }
}

/**
 * A WebSocket carrying several subscribers. When its instance dies every subscriber moves,
 * with the socket, to a live instance and resumes after the last position it received.
 */
export class SocketGroup {
  private client: Client | undefined;
  private moving = false;
  private finished = false;
  readonly subscribers: Subscriber[];

  constructor(
    private readonly index: PositionIndex,
    size: number,
    private instance: string,
    /** The instance to use: `current` while it lives, else another live one. */
    private readonly liveInstance: (current: string) => string,
  ) {
    this.subscribers = Array.from(
      { length: size },
      () => new Subscriber(index, (s, error) => this.lost(s, error)),
    );
  }

  connect(): void {
    this.client = createClient({
      url: this.instance,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    for (const subscriber of this.subscribers) subscriber.subscribe(this.client);
  }

  async close(): Promise<void> {
    this.finished = true;
    for (const subscriber of this.subscribers) subscriber.end();
    await this.client?.dispose();
  }

  /**
   * A subscription ended: when its socket went with its instance, the whole group moves;
   * otherwise (an overflow, a query failing while PostgreSQL restarts) it alone resubscribes.
   */
  private lost(subscriber: Subscriber, error: unknown): void {
    if (this.finished) return;
    subscriber.resumed++;
    // GraphQL errors come as an array; a closed or refused socket as anything else.
    if (!Array.isArray(error) || this.liveInstance(this.instance) !== this.instance || this.moving) {
      this.move();
      return;
    }
    setTimeout(() => {
      if (!this.finished && !this.moving) subscriber.subscribe(this.client!);
    }, 200).unref();
  }

  private move(): void {
    if (this.moving) return;
    this.moving = true;
    setTimeout(() => {
      this.moving = false;
      if (this.finished) return;
      void this.client?.dispose();
      this.instance = this.liveInstance(this.instance);
      this.connect();
    }, 200).unref();
  }
}

/** Duplicates, gaps and unexpected positions of one subscriber against the history it was due (all of it: it started first). */
export function delivery(
  received: readonly number[],
  due: ReadonlySet<number>,
): { count: number; duplicates: number; gaps: number; unexpected: number } {
  const seen = new Set(received);
  let gaps = 0;
  for (const id of due) if (!seen.has(id)) gaps++;
  let unexpected = 0;
  for (const id of seen) if (!due.has(id)) unexpected++;
  return { count: received.length, duplicates: received.length - seen.size, gaps, unexpected };
}

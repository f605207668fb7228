import type { Database } from '../db/connect.js';
import { compareFeedPoints, decodePosition, type FeedPoint, type Position } from '../eventstore/index.js';
import { CHECKPOINT_CHANNEL, parseCheckpointMoved, readCheckpoints } from './checkpoints.js';

export class WaitForPositionTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(
    readonly position: Position,
    readonly timeoutMs: number,
  ) {
    super(`the read side did not reach position ${position} within ${timeoutMs} ms`);
    this.name = 'WaitForPositionTimeoutError';
  }
}

interface Waiter {
  point: FeedPoint;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Read-your-writes across instances: waits until every named checkpoint has reached a
 * position. Checkpoints move with a notification carrying their new position, sent on
 * commit, so waiters are mostly released without a query, on an instance that runs the
 * projections or not; the database is read when a waiter arrives before any news and by
 * a poll that covers a lost notification.
 */
export class CheckpointWaiter {
  private readonly waiters = new Set<Waiter>();
  /** The furthest committed position heard of per checkpoint, decoded once. */
  private readonly known = new Map<string, FeedPoint>();
  private unlisten: (() => Promise<void>) | undefined;
  private poller: NodeJS.Timeout | undefined;
  private checking = false;
  private again = false;

  constructor(
    private readonly database: Database,
    private readonly names: readonly string[],
    private readonly pollIntervalMs = 500,
  ) {}

  async start(): Promise<void> {
    this.unlisten ??= await this.database.listen(CHECKPOINT_CHANNEL, (payload) => {
      const moved = parseCheckpointMoved(payload);
      if (moved) this.heard(moved.name, moved.position);
    });
  }

  /** A checkpoint has committed at `position`. */
  heard(name: string, position: Position): void {
    if (!this.names.includes(name)) return;
    this.learn(name, position);
    this.release();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    this.poller = undefined;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('stopped while waiting for a position'));
    }
    this.waiters.clear();
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Resolves once all checkpoints are at or past `position`; rejects with WaitForPositionTimeoutError. */
  wait(position: Position, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        point: decodePosition(position),
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(new WaitForPositionTimeoutError(position, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.poller ??= setInterval(() => void this.check(), this.pollIntervalMs);
      this.release();
      if (this.waiters.has(waiter) && this.known.size < this.names.length) void this.check();
    });
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    if (this.waiters.size === 0) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  private learn(name: string, position: Position): void {
    const point = decodePosition(position);
    const known = this.known.get(name);
    if (known === undefined || compareFeedPoints(point, known) > 0) this.known.set(name, point);
  }

  /**
   * Resolves the waiters every checkpoint is known to have passed. Runs on every
   * checkpoint heard, over every waiter.
   */
  private release(): void {
    if (this.waiters.size === 0) return;
    const points = this.names.map((name) => this.known.get(name));
    if (points.some((p) => p === undefined)) return;
    // The slowest checkpoint decides: a waiter it has passed, all have passed.
    const slowest = points.reduce((a, b) => (compareFeedPoints(a!, b!) <= 0 ? a : b))!;
    for (const waiter of [...this.waiters]) {
      if (compareFeedPoints(slowest, waiter.point) >= 0) {
        this.remove(waiter);
        waiter.resolve();
      }
    }
  }

  /** One read at a time; a request during a read triggers one more after it. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        for (const [name, position] of await readCheckpoints(this.database.db, this.names))
          this.learn(name, position);
        this.release();
      } while (this.again && this.waiters.size > 0);
    } catch {
      // The poll tries again; a database that stays away ends in the waiters' timeouts.
    } finally {
      this.checking = false;
    }
  }
}

import type { Database } from '../db/connect.js';
import { comparePositions, decodePosition, type Position } from '../eventstore/position.js';
import { CHECKPOINT_CHANNEL, parseCheckpointMoved, readCheckpoints } from './checkpoints.js';

export class WaitForPositionTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(readonly position: Position, readonly timeoutMs: number) {
    super(`the read side did not reach position ${position} within ${timeoutMs} ms`);
    this.name = 'WaitForPositionTimeoutError';
  }
}

interface Waiter { position: Position; resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

/**
 * Read-your-writes across instances: waits until every named checkpoint has reached a
 * position. It reads the checkpoints from the database, so it works on an instance that
 * does not run the projections; a checkpoint notification re-checks at once, and a poll
 * covers a lost notification.
 */
export class CheckpointWaiter {
  private readonly waiters = new Set<Waiter>();
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
      if (moved && this.names.includes(moved.name) && this.waiters.size > 0) void this.check();
    });
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
      decodePosition(position);
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(new WaitForPositionTimeoutError(position, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.poller ??= setInterval(() => void this.check(), this.pollIntervalMs);
      void this.check();
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
        const positions = [...(await readCheckpoints(this.database.db, this.names)).values()];
        for (const waiter of [...this.waiters]) {
          if (positions.every((p) => comparePositions(p, waiter.position) >= 0)) {
            this.remove(waiter);
            waiter.resolve();
          }
        }
      } while (this.again && this.waiters.size > 0);
    } catch {
      // The poll tries again; a database that stays away ends in the waiters' timeouts.
    } finally {
      this.checking = false;
    }
  }
}

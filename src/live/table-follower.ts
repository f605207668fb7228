import { Coalesced } from '../coalesce.js';
import type { Logger } from '../logger.js';
import type { LiveSource } from './source.js';

const PAGE = 500;

/**
 * Follows a table from the moment it starts: woken by the writer's NOTIFY, polling as
 * the fallback. It reads the table rather than trusting notification payloads, so a
 * notification lost while the listener reconnected costs latency, never a row.
 */
export class TableFollower<T> {
  private at = '';
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pumper = new Coalesced(() => this.pump());

  constructor(
    private readonly table: LiveSource<T, unknown>,
    private readonly publish: (row: T) => Promise<void> | void,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
  ) {}

  /** The position of the last row published. */
  get position(): string {
    return this.at;
  }

  async start(): Promise<void> {
    this.at = await this.table.head();
    this.unlisten = await this.table.listen(() => this.pumper.wake());
    this.timer = setInterval(() => this.pumper.wake(), this.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
    await this.pumper.idle();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const page = await this.table.after(this.at, PAGE);
        for (const row of page) {
          await this.publish(row);
          // Subscribers that read take each row before the next: a burst does not fill
          // their queues, which only one that stopped reading can overflow.
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (page.length > 0) this.at = this.table.positionOf(page.at(-1)!);
        if (page.length < PAGE) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, `reading ${this.table.what} failed; retrying on the next wake-up`);
    }
  }
}

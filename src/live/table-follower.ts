import type { Logger } from '../logger.js';
import { WakeLoop, type Next } from '../processing/index.js';
import type { LiveSource } from './source.js';

const PAGE = 500;

/**
 * Follows a table from the moment it starts: woken by the writer's NOTIFY, polling as
 * the fallback (processing's WakeLoop). It reads the table rather than trusting
 * notification payloads, so a notification lost while the listener reconnected costs
 * latency, never a row.
 */
export class TableFollower<T> {
  private at = '';
  private unlisten: (() => Promise<void>) | undefined;
  private readonly loop: WakeLoop;

  constructor(
    private readonly table: LiveSource<T, unknown>,
    private readonly publish: (row: T) => Promise<void> | void,
    logger: Logger,
    pollIntervalMs: number,
  ) {
    const idle: Next = { sleepMs: pollIntervalMs, wakeable: true };
    this.loop = new WakeLoop(
      async () => ((await this.page()) ? 'again' : idle),
      (error) => {
        logger.warn({ err: error }, `reading ${table.what} failed; retrying on the next wake-up`);
        return idle;
      },
    );
  }

  async start(): Promise<void> {
    this.at = await this.table.head();
    this.unlisten = await this.table.listen(() => this.loop.wake());
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    await this.loop.stop();
  }

  /** Publishes the next page of rows; true when it was full (more may follow at once). */
  private async page(): Promise<boolean> {
    const page = await this.table.after(this.at, PAGE);
    for (const row of page) {
      await this.publish(row);
      // Subscribers that read take each row before the next: a burst does not fill
      // their queues, which only one that stopped reading can overflow.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (page.length > 0) this.at = this.table.positionOf(page.at(-1)!);
    return page.length === PAGE;
  }
}

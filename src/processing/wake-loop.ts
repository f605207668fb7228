/** What a pass decided: go again at once, or wait. */
export type Next = 'again' | Wait;

export interface Wait {
  /** Rest this long first, deaf to wake-ups: a busy spell's commits then go in one pass. */
  restMs?: number;
  /** Then wait this long at most. */
  sleepMs: number;
  /** Whether a wake-up ends the wait early (not while backing off after a failure). */
  wakeable: boolean;
}

/**
 * The one wake/sleep loop of every feed consumer and follower: run a pass, then go again
 * or wait until woken (a NOTIFY, a local commit) or the poll interval ends, whichever
 * first. A wake-up that comes during a pass is remembered, so the next wait ends at once
 * and nothing announced meanwhile waits a whole poll interval.
 */
export class WakeLoop {
  private stopping = false;
  private pending = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  /**
   * `pass` does one unit of work; a pass that throws is handed to `failed`, which says
   * how long to wait before the next.
   */
  constructor(
    private readonly pass: () => Promise<Next>,
    private readonly failed: (error: unknown) => Next,
  ) {}

  /** True from start() until the loop has ended after stop(). */
  get active(): boolean {
    return this.loop !== undefined;
  }

  /** True once stop() was called: a pass in flight can end early. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** Starts the loop; `finished` runs when it has ended. */
  start(finished?: () => void): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      finished?.();
    });
  }

  /** New work may be there: end the current wait (if wakeable), or the next one at once. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Lets the pass in flight finish and ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.pending = false;
      let next: Next;
      try {
        next = await this.pass();
      } catch (error) {
        if (this.stopping) break;
        next = this.failed(error);
      }
      if (next === 'again') continue;
      if (next.restMs) await this.sleep(next.restMs, false);
      await this.sleep(next.sleepMs, next.wakeable);
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopping || (wakeable && this.pending)) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = () => {
        if (wakeable || this.stopping) done();
      };
    });
  }
}

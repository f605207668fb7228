/**
 * Runs `task` whenever woken, never twice at once: a wake-up that arrives while it runs
 * is remembered, and the task runs once more after, however many wake-ups came meanwhile.
 */
export class Coalesced {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.task().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Settles when the current run (if any) has finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}

export const SUBSCRIBER_OVERFLOW = 'SUBSCRIBER_OVERFLOW';

/** Raised into a subscriber's stream when it fell too far behind to keep its place. */
export class SubscriberOverflowError extends Error {
  readonly code = SUBSCRIBER_OVERFLOW;
  constructor(
    readonly lastPosition: string | undefined,
    capacity: number,
  ) {
    super(
      `this subscriber fell more than ${capacity} changes behind and was ended; ` +
        `subscribe again with after: ${lastPosition ? `"${lastPosition}"` : 'the last position you received'} to resume without a gap`,
    );
    this.name = 'SubscriberOverflowError';
  }
}

/**
 * A bounded queue consumed as an async iterator. A consumer that stops reading does not
 * grow memory: past `capacity` items the channel fails instead of buffering more.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private done = false;
  private error: unknown;
  /** The last item accepted, queued or handed over: the last the consumer will get. */
  private last: T | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onClose: () => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }
  get closed(): boolean {
    return this.done;
  }

  /**
   * Returns false once the channel is closed. Past capacity the channel fails with
   * `overflow(the last item the consumer will still get)`.
   */
  push(item: T, overflow: (last: T | undefined) => unknown): boolean {
    if (this.done) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      this.last = item;
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.capacity) {
      this.fail(overflow(this.last));
      return false;
    }
    this.last = item;
    this.items.push(item);
    return true;
  }

  /** Ends the stream after what is queued; with an error, the consumer gets it after the queue. */
  fail(error: unknown): void {
    if (this.done) return;
    this.error = error;
    this.end();
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    if (this.waiting && this.items.length === 0) {
      const [resolve, reject] = [this.waiting, this.failWaiting!];
      this.waiting = this.failWaiting = undefined;
      const error = this.error;
      this.error = undefined;
      if (error !== undefined) reject(error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) {
      if (this.error === undefined) return Promise.resolve({ value: undefined, done: true });
      const error = this.error;
      this.error = undefined;
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.error = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

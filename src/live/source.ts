/**
 * A table written in position order that subscribers follow: what the live hubs need to
 * know of it, given by the composition root so live/ knows no read model or database.
 */
export interface LiveSource<T, F = undefined> {
  /** What the rows are, for the log. */
  readonly what: string;
  /** The position before the first row: where a subscriber given nothing yet resumes. */
  readonly origin: string;
  /** Calls `wake` whenever the writer announces new rows; resolves to the unsubscribe. */
  listen(wake: () => void): Promise<() => Promise<void>>;
  /** The position of the last row now. */
  head(): Promise<string>;
  /** Up to `limit` rows after `position` (matching `filter`, when given), in order. */
  after(position: string, limit: number, filter?: F): Promise<T[]>;
  positionOf(row: T): string;
  /** Negative, zero or positive as `a` is before, at or after `b`. */
  compare(a: string, b: string): number;
}

import { GraphQLError } from 'graphql';
import { Channel, SUBSCRIBER_OVERFLOW, SubscriberOverflowError } from './channel.js';

/** Rows read per page while replaying. */
const PAGE = 500;

export interface Replay<T> {
  /** The rows after a position, oldest first, at most `limit`. */
  readPage(after: string, limit: number): Promise<T[]>;
  positionOf(row: T): string;
  /** Negative, zero or positive as `a` is before, at or after `b`. */
  compare(a: string, b: string): number;
  /** The live channel's capacity, for the overflow error. */
  capacity: number;
}

/**
 * The rows after `after` from the table first, then the live ones, with none missing and
 * none repeated across the switch: `live` is attached before the replay starts, and live
 * rows come in position order, so once one is past the replay all later ones are. The
 * subscriber that falls behind is ended with an error whose `resumeAfter` is the last row
 * it was given.
 */
export function replayThenLive<T>(
  live: Channel<T>,
  after: string,
  replay: Replay<T>,
): AsyncIterableIterator<T> {
  async function* rows(): AsyncGenerator<T> {
    let last = after;
    try {
      for (let page = await replay.readPage(last, PAGE); ; page = await replay.readPage(last, PAGE)) {
        for (const row of page) {
          yield row;
          last = replay.positionOf(row);
        }
        if (page.length < PAGE) break;
      }
      let past = false;
      for await (const row of live) {
        if (!past && replay.compare(replay.positionOf(row), last) <= 0) continue;
        past = true;
        yield row;
        last = replay.positionOf(row);
      }
    } catch (error) {
      // Overflowing while replaying, the live channel's last row is not where this one is.
      if ((error as GraphQLError).extensions?.code === SUBSCRIBER_OVERFLOW)
        throw overflowError(last, replay.capacity);
      throw error;
    } finally {
      live.end();
    }
  }
  const iterator = rows();
  const finish = iterator.return.bind(iterator);
  // A generator parked on `await live.next()` cannot run its finally until the next row
  // arrives; ending the channel first lets an unsubscribe clean up at once.
  return Object.assign(iterator, {
    return(value?: unknown) {
      live.end();
      return finish(value);
    },
  });
}

/** The error that ends a subscriber that fell behind: subscribe again after `last`. */
export function overflowError(last: string, capacity: number): GraphQLError {
  const error = new SubscriberOverflowError(last, capacity);
  return new GraphQLError(error.message, { extensions: { code: error.code, resumeAfter: last } });
}

import DataLoader from 'dataloader';
import type { Db } from '../../db/connect.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { getOrderItems, getOrders, type OrderItemView, type OrderView } from './queries.js';

/** More keys than this go to the database in several queries. */
const MAX_BATCH = 500;

/**
 * Reads of single orders and their lines, shared by every request of the instance: the
 * reads asked for in one turn of the event loop go to the database as one query. Under
 * load the mutations that a checkpoint releases together all read back their order at
 * once; one query for all of them saves a round trip each. Nothing is cached: every read
 * sees the table as it is when its batch runs, which is never earlier than the read was
 * asked for, so a mutation still reads its own write.
 */
export class OrderReads {
  private readonly orders: DataLoader<string, OrderView | undefined>;
  private readonly items: DataLoader<string, OrderItemView[]>;

  constructor(db: Db) {
    const options = {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (run: () => void) => setImmediate(run),
    };
    this.orders = new DataLoader(
      eachAloneOnFailure(async (ids) => {
        const found = await getOrders(db, ids);
        return ids.map((id) => found.get(id));
      }),
      options,
    );
    this.items = new DataLoader(
      eachAloneOnFailure(async (ids) => {
        const found = await getOrderItems(db, ids);
        return ids.map((id) => found.get(id) ?? []);
      }),
      options,
    );
  }

  order(id: string): Promise<OrderView | undefined> {
    return this.orders.load(id);
  }

  /** The order's lines in line order; none for an order that does not exist. */
  itemsOf(orderId: string): Promise<OrderItemView[]> {
    return this.items.load(orderId);
  }
}

/**
 * A batch that fails (one request's id the database refuses, say) is read again one id
 * at a time, so the failure stays with that id and the reads batched with it go on. A
 * database out of reach fails them all at once: one by one they would only fail again.
 */
function eachAloneOnFailure<V>(
  load: (ids: readonly string[]) => Promise<V[]>,
): (ids: readonly string[]) => Promise<(V | Error)[]> {
  return (ids) =>
    load(ids).catch((error: unknown) => {
      if (ids.length === 1 || isDatabaseUnavailable(error)) throw error;
      return Promise.all(
        ids.map((id) =>
          load([id]).then(
            ([value]) => value as V,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          ),
        ),
      );
    });
}

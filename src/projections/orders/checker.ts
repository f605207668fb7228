import { inArray, sql } from 'drizzle-orm';
import { rows, type Database, type Tx } from '../../db/connect.js';
import { fold } from '../../domain/decider.js';
import { ORDER_STREAM_TYPE, orderDecider, orderStreamId, type OrderState } from '../../domain/order.js';
import { ORDER_EVENT_TYPES, hasTypeIn, type LedgerEvent } from '../../domain/index.js';
import {
  readStreams,
  streamIdsOfType,
  streamsWithEvents,
  type EventTypeRegistry,
  type Position,
} from '../../eventstore/index.js';
import { readCheckpoints } from '../../processing/index.js';
import { getOrderItems } from './queries.js';
import { expectedRow, orderIdOf } from './evolve.js';
import { orders, type OrderRecord } from './table.js';
import type { OrderItemView } from './queries.js';

export type CheckedValue = string | number | null;

export interface Mismatch {
  orderId: string;
  field: string;
  expected: CheckedValue;
  found: CheckedValue;
}

export interface CheckResult {
  /** Orders folded from their events. */
  checked: number;
  mismatches: Mismatch[];
  /** The orders checkpoint the comparison was made at. */
  position: Position;
}

/**
 * Folds every order from its events with the domain's own decider and compares the
 * result with the read rows. It runs in one repeatable-read snapshot and folds only the
 * events up to the orders checkpoint of that snapshot, so a projection that is merely
 * behind is not reported; a row that disagrees with its events is.
 */
export async function checkOrders(
  database: Database,
  registry: EventTypeRegistry<LedgerEvent>,
  pageSize = 500,
): Promise<CheckResult> {
  return database.db.transaction(
    async (tx) => {
      const position = (await readCheckpoints(tx, ['orders'])).get('orders')!;
      const mismatches: Mismatch[] = [];
      let checked = 0;
      let last = '';
      for (;;) {
        const streams = await streamIdsOfType(tx, ORDER_STREAM_TYPE, last, pageSize);
        if (streams.length === 0) break;
        last = streams[streams.length - 1]!;
        checked += await checkPage(tx, registry, streams, position, mismatches);
      }
      for (let after = ''; ;) {
        const ids = await orderIdsAfter(tx, after, pageSize);
        if (ids.length === 0) break;
        after = ids[ids.length - 1]!;
        const backed = await streamsWithEvents(tx, ids.map(orderStreamId), position);
        for (const id of ids)
          if (!backed.has(orderStreamId(id)))
            mismatches.push({ orderId: id, field: 'existence', expected: 'absent', found: 'present' });
      }
      return { checked, mismatches, position };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function checkPage(
  tx: Tx,
  registry: EventTypeRegistry<LedgerEvent>,
  streams: string[],
  upTo: Position,
  out: Mismatch[],
): Promise<number> {
  const events = await readStreams(tx, registry, streams, { upTo });
  const ids = streams.map(orderIdOf);
  const [records, items] = await Promise.all([
    tx.select().from(orders).where(inArray(orders.id, ids)),
    getOrderItems(tx, ids),
  ]);
  const found = new Map(records.map((row) => [row.id, row]));
  let checked = 0;
  for (let i = 0; i < events.length;) {
    const streamId = events[i]!.streamId;
    let j = i;
    while (j < events.length && events[j]!.streamId === streamId) j++;
    const history = events.slice(i, j);
    const state = fold(
      orderDecider,
      history.filter((e) => hasTypeIn(ORDER_EVENT_TYPES, e)),
    );
    const id = orderIdOf(streamId);
    compare(id, state, history[history.length - 1]!.version, found.get(id), items.get(id) ?? [], out);
    checked++;
    i = j;
  }
  return checked;
}

/** Each column the state determines (expectedRow) against the row, then the lines. */
function compare(
  orderId: string,
  state: OrderState,
  version: number,
  row: OrderRecord | undefined,
  items: OrderItemView[],
  out: Mismatch[],
): void {
  const check = (field: string, expected: CheckedValue, found: CheckedValue) => {
    if (expected !== found) out.push({ orderId, field, expected, found });
  };
  if (state.status === 'NONE' || !row) {
    check('existence', state.status === 'NONE' ? 'absent' : 'present', row ? 'present' : 'absent');
    return;
  }
  const expected = expectedRow(state, version);
  for (const [field, value] of Object.entries(expected.row))
    check(field, value, row[field as keyof typeof expected.row]);
  check('items.length', expected.items.length, items.length);
  expected.items.forEach((line, n) => {
    for (const [field, value] of Object.entries(line))
      check(`items[${n}].${field}`, value, items[n]?.[field as keyof typeof line] ?? null);
  });
}

/** Up to `limit` ids of order rows after `after`, in id order. */
async function orderIdsAfter(tx: Tx, after: string, limit: number): Promise<string[]> {
  const found = await rows<{ id: string }>(
    tx,
    sql`SELECT id FROM orders WHERE id > ${after} ORDER BY id LIMIT ${limit}`,
  );
  return found.map((row) => row.id);
}

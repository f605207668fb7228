import { describe, expect, it } from 'vitest';
import { fold, orderDecider, type OrderEvent } from '../../src/domain/index.js';
import type { StoredEvent } from '../../src/eventstore/index.js';
import { evolveOrderRow, expectedRow, type OrderChange } from '../../src/projections/orders/evolve.js';
import type { OrderRecord } from '../../src/projections/orders/table.js';
import {
  HISTORIES,
  ORDER_ID,
  T1,
  TOTAL,
  cancelledPaid,
  created,
  paid,
  refunded,
} from '../domain/order-fixtures.js';

/** The events stored one after another on the order's stream, at positions 7:1, 7:2, … */
function stored(events: OrderEvent[]): StoredEvent<OrderEvent>[] {
  return events.map((event, i) => ({
    ...event,
    id: `e-${i + 1}`,
    streamId: `order-${ORDER_ID}`,
    streamType: 'order',
    version: i + 1,
    position: `7:${i + 1}`,
    schemaVersion: 1,
    metadata: {},
    recordedAt: T1,
  })) as StoredEvent<OrderEvent>[];
}

/** given(events) → the row (and every change on the way) the projection writes. */
function given(events: OrderEvent[]): { row: OrderRecord | undefined; changes: OrderChange[] } {
  let row: OrderRecord | undefined;
  const changes: OrderChange[] = [];
  for (const event of stored(events)) {
    const change = evolveOrderRow(row, event);
    if (!change) continue;
    changes.push(change);
    row = change.row;
  }
  return { row, changes };
}

describe('the orders row evolve', () => {
  it('given OrderCreated, writes a PENDING row, its lines and a status change from nothing', () => {
    const { row, changes } = given([created]);
    expect(row).toMatchObject({ id: ORDER_ID, status: 'PENDING', totalCents: TOTAL, version: 1 });
    expect(row).toMatchObject({ lastTransactionId: '7', lastGlobalPosition: 1n });
    expect(changes[0]!.items).toEqual([
      expect.objectContaining({ lineNumber: 1, productId: 'prod-1', quantity: 2, lineTotalCents: 19998 }),
      expect.objectContaining({ lineNumber: 2, productId: 'prod-2', quantity: 1, lineTotalCents: 14999 }),
    ]);
    expect(changes[0]!.history).toMatchObject({ fromStatus: null, toStatus: 'PENDING', globalPosition: 1n });
  });

  it('given created then paid, records the payment and the change PENDING → PAID', () => {
    const { row, changes } = given([created, paid]);
    expect(row).toMatchObject({ status: 'PAID', paymentMethod: 'card', paidAt: T1, updatedAt: T1 });
    expect(changes[1]!.history).toMatchObject({ fromStatus: 'PENDING', toStatus: 'PAID' });
    expect(changes[1]!.items).toBeUndefined();
  });

  it('given a refund, lowers what is due (never below 0) and records no status change', () => {
    const { row, changes } = given([created, paid, cancelledPaid, refunded(TOTAL - 100), refunded(500)]);
    expect(row).toMatchObject({ status: 'CANCELLED', refundDueCents: 0, version: 5 });
    expect(changes.at(-1)!.history).toBeUndefined();
  });

  it('given an event on an order never created, writes nothing', () => {
    expect(given([paid]).row).toBeUndefined();
  });

  it('agrees with the decider on every column the checker compares, for every history', () => {
    const histories = {
      ...HISTORIES,
      REFUNDED: [created, paid, cancelledPaid, refunded(1000)],
    };
    for (const [name, events] of Object.entries(histories)) {
      const state = fold(orderDecider, events);
      const { row } = given(events);
      if (state.status === 'NONE') {
        expect(row, name).toBeUndefined();
        continue;
      }
      const expected = expectedRow(state, events.length).row;
      expect(row, name).toMatchObject(expected);
    }
  });
});

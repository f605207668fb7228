import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../db/connect.js';
import type { InventoryEvent, OrderCreated, OrderEvent } from '../domain/index.js';
import { createEventTypeRegistry } from '../eventstore/event-types.js';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from '../eventstore/rows.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { Projection } from '../projections/types.js';
import { startFulfilment, type Fulfilment, type FulfilmentFact } from './fulfilment.js';
import { recordFacts, sagasWaitingFor } from './fulfilment-store.js';

const registry = createEventTypeRegistry();

/**
 * The saga's feed consumer: records what happened to each paid order in `fulfilments`
 * (and the notification it warrants) in the transaction that moves its checkpoint. It
 * never sends a command: the worker does, outside any transaction.
 */
export const fulfilmentProjection: Projection = {
  name: 'fulfilment',
  eventTypes: [
    'OrderPaid',
    'OrderShipped',
    'OrderCancelled',
    'OrderPaymentRefunded',
    'StockAdded',
    'StockReserved',
    'StockReservationRejected',
    'StockBackordered',
    'StockReleased',
  ],
  tables: ['fulfilments', 'notifications'],
  // Nobody reads this through consistentWith; the order's own tables answer that.
  readYourWrites: false,
  apply: applyFulfilmentEvents,
};

type Learnt = Map<string, { start?: Fulfilment; facts: FulfilmentFact[] }>;

async function applyFulfilmentEvents(tx: Tx, events: StoredEvent[]): Promise<void> {
  const created = await orderCreations(
    tx,
    events.filter((e) => e.type === 'OrderPaid').map((e) => e.streamId),
  );
  let byOrder: Learnt = new Map();
  // Records what was learnt so far, so a fact recorded next sees the sagas as they now are.
  const flush = async () => {
    await recordAll(tx, byOrder);
    byOrder = new Map();
  };
  for (const event of events) {
    const learnt = factOf(event, created);
    if (learnt) {
      const entry = byOrder.get(learnt.orderId) ?? { facts: [] };
      if (learnt.start) entry.start ??= learnt.start;
      if (learnt.fact) entry.facts.push(learnt.fact);
      byOrder.set(learnt.orderId, entry);
    }
    const restocked = restockedProduct(event);
    if (restocked) {
      // A saga that began waiting earlier in this batch wakes too.
      await flush();
      for (const orderId of await sagasWaitingFor(tx, restocked)) {
        await recordFacts(tx, orderId, [{ type: 'Restocked', productId: restocked, at: event.recordedAt }]);
      }
    }
    if (learnt?.fact?.type === 'StockBackordered' && (await restockedAfter(tx, event))) {
      // The feed follows commit order, the product stream decision order: a restock that
      // came after this decision can have committed, and been read, before it. Then no
      // later restock event would wake this order, so it wakes now.
      await flush();
      await recordFacts(tx, learnt.orderId, [
        { type: 'Restocked', productId: learnt.fact.productId, at: event.recordedAt },
      ]);
    }
  }
  await flush();
}

async function recordAll(tx: Tx, byOrder: Learnt): Promise<void> {
  for (const [orderId, { start, facts }] of byOrder) await recordFacts(tx, orderId, facts, start);
}

/** Whether units of the product became free after `backordered` was decided (a later version of its stream). */
async function restockedAfter(tx: Tx, backordered: StoredEvent): Promise<boolean> {
  const found = await rows(
    tx,
    sql`
    SELECT 1 FROM events WHERE stream_id = ${backordered.streamId} AND stream_version > ${backordered.version}
      AND event_type IN ('StockAdded', 'StockReleased') LIMIT 1`,
  );
  return found.length > 0;
}

/** The product whose units became free (added, or released by another order), if any. */
function restockedProduct(stored: StoredEvent): string | undefined {
  if (stored.streamType !== 'product' || (stored.type !== 'StockAdded' && stored.type !== 'StockReleased'))
    return undefined;
  return stored.streamId.slice('product-'.length);
}

function factOf(
  stored: StoredEvent,
  created: Map<string, OrderCreated['data']>,
): { orderId: string; start?: Fulfilment; fact?: FulfilmentFact } | undefined {
  const at = stored.recordedAt;
  if (stored.streamType === 'product') {
    const event = { type: stored.type, data: stored.data } as InventoryEvent;
    const productId = stored.streamId.slice('product-'.length);
    switch (event.type) {
      case 'StockReserved':
        return {
          orderId: event.data.orderId,
          fact: { type: 'StockReserved', productId, quantity: event.data.quantity, at },
        };
      case 'StockReservationRejected': {
        const { orderId, requested, available } = event.data;
        return { orderId, fact: { type: 'StockReservationRejected', productId, requested, available, at } };
      }
      case 'StockBackordered': {
        const { orderId, requested, available } = event.data;
        return { orderId, fact: { type: 'StockBackordered', productId, requested, available, at } };
      }
      case 'StockReleased':
        return {
          orderId: event.data.orderId,
          fact: { type: 'StockReleased', productId, quantity: event.data.quantity, at },
        };
      default:
        return undefined;
    }
  }
  const orderId = stored.streamId.slice('order-'.length);
  const event = { type: stored.type, data: stored.data } as OrderEvent;
  switch (event.type) {
    case 'OrderPaid': {
      const order = created.get(stored.streamId);
      if (!order) return undefined;
      const lines = order.items.map((i) => ({ productId: i.productId, quantity: i.quantity }));
      return {
        orderId,
        start: startFulfilment({
          orderId,
          userId: order.userId,
          amount: event.data.amount,
          paidAt: event.data.paidAt,
          lines,
        }),
      };
    }
    case 'OrderShipped':
      return {
        orderId,
        fact: { type: 'OrderShipped', trackingNumber: event.data.trackingNumber, at: event.data.shippedAt },
      };
    case 'OrderCancelled':
      return {
        orderId,
        fact: { type: 'OrderCancelled', reason: event.data.reason, at: event.data.cancelledAt },
      };
    case 'OrderPaymentRefunded':
      return {
        orderId,
        fact: { type: 'OrderPaymentRefunded', amount: event.data.amount, at: event.data.refundedAt },
      };
    default:
      return undefined;
  }
}

/** The OrderCreated of each paid order (its lines and customer), upcast like any read. */
async function orderCreations(tx: Tx, streamIds: string[]): Promise<Map<string, OrderCreated['data']>> {
  if (streamIds.length === 0) return new Map();
  const found = await rows<EventRow>(
    tx,
    sql`
    SELECT ${EVENT_COLUMNS} FROM events WHERE event_type = 'OrderCreated'
      AND stream_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(streamIds)}::jsonb))`,
  );
  return new Map(
    found.map((row) => [row.stream_id, toStoredEvent(row, registry).data as OrderCreated['data']]),
  );
}

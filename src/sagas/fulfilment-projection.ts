import type { Tx } from '../db/connect.js';
import type { LedgerEvent, OrderCreated } from '../domain/index.js';
import { hasEventAfter, readStreams, type EventTypeRegistry, type StoredEvent } from '../eventstore/index.js';
import type { Projection } from '../processing/index.js';
import { startFulfilment, type Fulfilment, type FulfilmentFact } from './fulfilment.js';
import { recordFacts, sagasWaitingFor } from './fulfilment-store.js';

const EVENT_TYPES = [
  'OrderPaid',
  'OrderShipped',
  'OrderCancelled',
  'OrderPaymentRefunded',
  'StockAdded',
  'StockReserved',
  'StockReservationRejected',
  'StockBackordered',
  'StockReleased',
] as const satisfies readonly LedgerEvent['type'][];

type FulfilmentEvent = Extract<LedgerEvent, { type: (typeof EVENT_TYPES)[number] }>;
type Stored = StoredEvent<FulfilmentEvent>;

/**
 * The saga's feed consumer: records what happened to each paid order in `fulfilments`
 * (and the notification it warrants) in the transaction that moves its checkpoint. It
 * never sends a command: the worker does, outside any transaction.
 */
export function fulfilmentProjection(registry: EventTypeRegistry<LedgerEvent>): Projection<FulfilmentEvent> {
  return {
    name: 'fulfilment',
    eventTypes: EVENT_TYPES,
    tables: ['fulfilments', 'notifications'],
    // Nobody reads this through consistentWith; the order's own tables answer that.
    readYourWrites: false,
    apply: (tx, events) => applyFulfilmentEvents(tx, registry, events),
  };
}

type Learnt = Map<string, { start?: Fulfilment; facts: FulfilmentFact[] }>;

async function applyFulfilmentEvents(
  tx: Tx,
  registry: EventTypeRegistry<LedgerEvent>,
  events: Stored[],
): Promise<void> {
  const created = await orderCreations(
    tx,
    registry,
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
function restockedAfter(tx: Tx, backordered: Stored): Promise<boolean> {
  return hasEventAfter(tx, backordered.streamId, backordered.version, ['StockAdded', 'StockReleased']);
}

/** The product whose units became free (added, or released by another order), if any. */
function restockedProduct(stored: Stored): string | undefined {
  if (stored.streamType !== 'product' || (stored.type !== 'StockAdded' && stored.type !== 'StockReleased'))
    return undefined;
  return stored.streamId.slice('product-'.length);
}

function factOf(
  stored: Stored,
  created: Map<string, OrderCreated['data']>,
): { orderId: string; start?: Fulfilment; fact?: FulfilmentFact } | undefined {
  const at = stored.recordedAt;
  const productId = stored.streamId.slice('product-'.length);
  const orderId = stored.streamId.slice('order-'.length);
  const event = stored;
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
async function orderCreations(
  tx: Tx,
  registry: EventTypeRegistry<LedgerEvent>,
  streamIds: string[],
): Promise<Map<string, OrderCreated['data']>> {
  const found = await readStreams(tx, registry, streamIds, { types: ['OrderCreated'] });
  const created = new Map<string, OrderCreated['data']>();
  for (const event of found) if (event.type === 'OrderCreated') created.set(event.streamId, event.data);
  return created;
}

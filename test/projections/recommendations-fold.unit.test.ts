import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/eventstore/index.js';
import {
  foldRecommendations,
  MAX_PAIRED_PRODUCTS,
  type CountedOrder,
  type RecommendationEvent,
} from '../../src/projections/recommendations/fold.js';

let position = 0;
/** A stored event with only the data the fold reads (a cancellation's reason is not). */
function event(
  orderId: string,
  type: RecommendationEvent['type'],
  data: object = {},
): StoredEvent<RecommendationEvent> {
  position += 1;
  const stored = {
    id: `e-${position}`,
    type,
    streamId: `order-${orderId}`,
    streamType: 'order',
    version: 1,
    position: `1:${position}`,
    schemaVersion: 1,
    data,
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
  return stored as StoredEvent<RecommendationEvent>;
}
const created = (orderId: string, userId: string, ...products: string[]) =>
  event(orderId, 'OrderCreated', {
    orderId,
    userId,
    items: products.map((productId) => ({ productId, quantity: 1, unitPrice: 100 })),
    total: 100 * products.length,
  });
const refunded = (orderId: string, amount: number) =>
  event(orderId, 'OrderPaymentRefunded', {
    amount,
    reason: 'returned',
    refundedAt: '2026-01-02T00:00:00.000Z',
  });
const storedO1: CountedOrder = {
  orderId: 'o1',
  userId: 'u1',
  productIds: ['A', 'B'],
  counted: true,
  unrefundedCents: 200,
};
const TAKEN_OUT = {
  pairs: [
    { product_id: 'A', other_product_id: 'B', delta: -1 },
    { product_id: 'B', other_product_id: 'A', delta: -1 },
  ],
  userProducts: [
    { user_id: 'u1', product_id: 'A', delta: -1 },
    { user_id: 'u1', product_id: 'B', delta: -1 },
  ],
};

describe('recommendations fold', () => {
  it('counts an order once it is paid, each pair both ways, a product repeated in an order once', () => {
    const changes = foldRecommendations(new Map(), [
      created('o1', 'u1', 'B', 'A', 'B'),
      event('o1', 'OrderPaid'),
      event('o1', 'OrderPaid'),
    ]);
    expect(changes.saved).toEqual([
      { orderId: 'o1', userId: 'u1', productIds: ['B', 'A'], counted: true, unrefundedCents: 300 },
    ]);
    expect(changes.pairs).toEqual([
      { product_id: 'B', other_product_id: 'A', delta: 1 },
      { product_id: 'A', other_product_id: 'B', delta: 1 },
    ]);
    expect(changes.userProducts).toEqual([
      { user_id: 'u1', product_id: 'B', delta: 1 },
      { user_id: 'u1', product_id: 'A', delta: 1 },
    ]);
  });

  it('subtracts exactly what a stored order counted when it is cancelled, and forgets it; a later refund changes nothing', () => {
    const changes = foldRecommendations(new Map([['o1', storedO1]]), [
      event('o1', 'OrderCancelled'),
      refunded('o1', 200),
    ]);
    expect(changes).toEqual({ saved: [], removed: ['o1'], ...TAKEN_OUT });
  });

  it('keeps an order partly refunded, and takes it out once the whole payment is refunded', () => {
    const partly = foldRecommendations(new Map([['o1', storedO1]]), [refunded('o1', 150)]);
    expect(partly).toEqual({
      saved: [{ ...storedO1, unrefundedCents: 50 }],
      removed: [],
      pairs: [],
      userProducts: [],
    });
    const wholly = foldRecommendations(new Map([['o1', storedO1]]), [
      refunded('o1', 150),
      refunded('o1', 50),
    ]);
    expect(wholly).toEqual({ saved: [], removed: ['o1'], ...TAKEN_OUT });
  });

  it('writes no counts for an order paid and cancelled in the same batch, nor for an unpaid one cancelled', () => {
    const changes = foldRecommendations(new Map(), [
      created('o1', 'u1', 'A', 'B'),
      event('o1', 'OrderPaid'),
      event('o1', 'OrderCancelled'),
      created('o2', 'u2', 'A', 'C'),
      event('o2', 'OrderCancelled'),
    ]);
    expect(changes).toEqual({ saved: [], removed: ['o1', 'o2'], pairs: [], userProducts: [] });
  });

  it('passes over events of an order it never saw created', () => {
    expect(
      foldRecommendations(new Map(), [
        event('ghost', 'OrderPaid'),
        refunded('ghost', 1),
        event('ghost', 'OrderCancelled'),
      ]),
    ).toEqual({ saved: [], removed: [], pairs: [], userProducts: [] });
  });

  describe(`an order of more than ${MAX_PAIRED_PRODUCTS} products`, () => {
    // Listed from the highest id down, so line order and sorted order differ.
    const many = Array.from({ length: MAX_PAIRED_PRODUCTS + 10 }, (_, i) => `P${String(99 - i)}`);
    const firstOnes = many.slice(0, MAX_PAIRED_PRODUCTS);
    const pairsAmong = (products: string[], delta: number) =>
      products.flatMap((product) =>
        products
          .filter((other) => other !== product)
          .map((other) => ({ product_id: product, other_product_id: other, delta })),
      );
    const boughtBy = (products: string[], delta: number) =>
      products.map((product_id) => ({ user_id: 'u1', product_id, delta }));
    const storedBig: CountedOrder = {
      orderId: 'o1',
      userId: 'u1',
      productIds: many,
      counted: true,
      unrefundedCents: 100 * many.length,
    };

    it('given none stored, when created and paid, then pairs count among its first products in line order only, what was bought among all', () => {
      const changes = foldRecommendations(new Map(), [
        created('o1', 'u1', ...many, many[0]!),
        event('o1', 'OrderPaid'),
      ]);
      expect(changes.saved).toEqual([{ ...storedBig, unrefundedCents: 100 * (many.length + 1) }]);
      expect(changes.pairs).toEqual(pairsAmong(firstOnes, 1));
      expect(changes.pairs).toHaveLength(MAX_PAIRED_PRODUCTS * (MAX_PAIRED_PRODUCTS - 1));
      expect(changes.userProducts).toEqual(boughtBy(many, 1));
    });

    it('given it stored and counted, when cancelled, then exactly the pairs it added are taken back out', () => {
      expect(foldRecommendations(new Map([['o1', storedBig]]), [event('o1', 'OrderCancelled')])).toEqual({
        saved: [],
        removed: ['o1'],
        pairs: pairsAmong(firstOnes, -1),
        userProducts: boughtBy(many, -1),
      });
    });
  });
});

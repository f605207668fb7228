import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { ORDER_EVENT_SCHEMA_VERSIONS, orderDecider } from '../../src/domain/order.js';
import { upcastOrderCreatedV1 } from '../../src/domain/order-upcasters.js';

const V1 =
  '{"order_id":"order-001","user_id":"user-123","items":[{"product_id":"prod-1","quantity":2,"price":99.99}],"total_amount":349.97,"created_at":"2025-10-29T10:00:00Z"}';

describe('OrderCreated v1 upcaster', () => {
  it('converts snake_case and float money to the current shape, keeping the recorded total', () => {
    const data = upcastOrderCreatedV1(JSON.parse(V1));
    expect(data).toStrictEqual({
      orderId: 'order-001',
      userId: 'user-123',
      items: [{ productId: 'prod-1', quantity: 2, unitPrice: 9999 }],
      total: 34997,
      createdAt: '2025-10-29T10:00:00Z',
    });
    const state = orderDecider.evolve(orderDecider.initialState(), { type: 'OrderCreated', data });
    expect(state).toMatchObject({ status: 'PENDING', total: 34997, items: [{ lineTotal: 19998 }] });
  });

  it('drops binary noise left by float sums but still refuses a real third decimal', () => {
    const noisy = { ...JSON.parse(V1), total_amount: 0.1 + 0.2 };
    expect(upcastOrderCreatedV1(noisy).total).toBe(30);
    const thirdDecimal = { ...JSON.parse(V1), total_amount: 1.005 };
    expect(() => upcastOrderCreatedV1(thirdDecimal)).toThrow(
      expect.objectContaining({ field: 'total_amount' }),
    );
  });

  it.each([
    [null, 'data'],
    [{ ...JSON.parse(V1), order_id: 1 }, 'order_id'],
    [{ ...JSON.parse(V1), items: {} }, 'items'],
    [{ ...JSON.parse(V1), items: [{ product_id: 'p', quantity: 1.5, price: 1 }] }, 'items[0].quantity'],
    [{ ...JSON.parse(V1), items: [{ product_id: 'p', quantity: 1, price: '1.00' }] }, 'items[0].price'],
  ])('rejects malformed v1 data (%#) naming %s', (data, field) => {
    expect(() => upcastOrderCreatedV1(data)).toThrow(ValidationError);
    expect(() => upcastOrderCreatedV1(data)).toThrow(expect.objectContaining({ field }));
  });

  it('declares OrderCreated as schema version 2', () => {
    expect(ORDER_EVENT_SCHEMA_VERSIONS.OrderCreated).toBe(2);
  });
});

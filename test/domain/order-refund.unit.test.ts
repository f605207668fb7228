import { describe, expect, it } from 'vitest';
import { InvalidStateError, ValidationError } from '../../src/domain/errors.js';
import { orderDecider, type OrderCommand } from '../../src/domain/order.js';
import { given } from './given.js';
import {
  cancelledPaid,
  created,
  meta,
  ORDER_ID,
  paid,
  refunded,
  shipped,
  T2,
  T3,
  TOTAL,
} from './order-fixtures.js';

const refund = (amount: number): OrderCommand => ({
  type: 'RefundPayment',
  data: { orderId: ORDER_ID, amount, reason: 'out of stock: prod-2' },
  metadata: meta(T3),
});
const cancel: OrderCommand = {
  type: 'CancelOrder',
  data: { orderId: ORDER_ID, reason: 'out of stock: prod-2' },
  metadata: meta(T2),
};

describe('order refunds', () => {
  it('refunds a cancelled order its refund due, after which nothing more is owed', () => {
    const state = given(orderDecider, [created, paid, cancelledPaid])
      .when(refund(TOTAL))
      .then([refunded(TOTAL)]);
    expect(state).toMatchObject({ status: 'CANCELLED', refundDue: 0, refunded: TOTAL });
    given(orderDecider, [created, paid, cancelledPaid, refunded(TOTAL)])
      .when(refund(1))
      .thenThrows(ValidationError, { field: 'amount' });
  });

  it('refunds a paid order in part; a later cancellation owes only the rest', () => {
    given(orderDecider, [created, paid])
      .when(refund(1000))
      .then([refunded(1000)]);
    given(orderDecider, [created, paid, refunded(1000)])
      .when(cancel)
      .then([
        {
          type: 'OrderCancelled',
          data: { reason: 'out of stock: prod-2', cancelledAt: T2, refundDue: TOTAL - 1000 },
        },
      ]);
  });

  it('refuses a refund of more than was paid, or of an order not paid or already shipped', () => {
    given(orderDecider, [created, paid])
      .when(refund(TOTAL + 1))
      .thenThrows(ValidationError, { field: 'amount' });
    given(orderDecider, [created]).when(refund(100)).thenThrows(InvalidStateError, { status: 'PENDING' });
    given(orderDecider, [created, paid, shipped])
      .when(refund(100))
      .thenThrows(InvalidStateError, { status: 'SHIPPED' });
  });
});

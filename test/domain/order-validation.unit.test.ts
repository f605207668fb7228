import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { orderDecider, type OrderCommand, type OrderItem } from '../../src/domain/order.js';
import { given } from './given.js';
import { commands, HISTORIES, ITEMS, meta, T0, type HistoryName } from './order-fixtures.js';

const line = (over: Partial<OrderItem>): OrderItem => ({
  productId: 'prod-1',
  quantity: 1,
  unitPrice: 100,
  ...over,
});
const withLine = (i: number, over: Partial<OrderItem>) =>
  ITEMS.map((it, j) => (j === i ? { ...it, ...over } : it));

const cases: { name: string; history: HistoryName; command: OrderCommand; field: string }[] = [
  { name: 'empty orderId', history: 'NONE', command: commands.create(ITEMS, ''), field: 'orderId' },
  { name: 'blank orderId', history: 'NONE', command: commands.create(ITEMS, '   '), field: 'orderId' },
  {
    name: 'orderId over 100 chars',
    history: 'NONE',
    command: commands.create(ITEMS, 'o'.repeat(101)),
    field: 'orderId',
  },
  {
    name: 'empty userId',
    history: 'NONE',
    command: commands.create(ITEMS, 'order-001', ''),
    field: 'userId',
  },
  {
    name: 'userId over 100 chars',
    history: 'NONE',
    command: commands.create(ITEMS, 'order-001', 'u'.repeat(101)),
    field: 'userId',
  },
  { name: 'no lines', history: 'NONE', command: commands.create([]), field: 'items' },
  {
    name: '101 lines',
    history: 'NONE',
    command: commands.create(Array.from({ length: 101 }, () => line({}))),
    field: 'items',
  },
  {
    name: 'quantity 0',
    history: 'NONE',
    command: commands.create(withLine(1, { quantity: 0 })),
    field: 'items[1].quantity',
  },
  {
    name: 'quantity 10001',
    history: 'NONE',
    command: commands.create(withLine(0, { quantity: 10_001 })),
    field: 'items[0].quantity',
  },
  {
    name: 'quantity 1.5',
    history: 'NONE',
    command: commands.create(withLine(0, { quantity: 1.5 })),
    field: 'items[0].quantity',
  },
  {
    name: 'quantity NaN',
    history: 'NONE',
    command: commands.create(withLine(0, { quantity: NaN })),
    field: 'items[0].quantity',
  },
  {
    name: 'unitPrice 0',
    history: 'NONE',
    command: commands.create(withLine(0, { unitPrice: 0 })),
    field: 'items[0].unitPrice',
  },
  {
    name: 'negative unitPrice',
    history: 'NONE',
    command: commands.create(withLine(1, { unitPrice: -100 })),
    field: 'items[1].unitPrice',
  },
  {
    name: 'fractional cents',
    history: 'NONE',
    command: commands.create(withLine(0, { unitPrice: 99.5 })),
    field: 'items[0].unitPrice',
  },
  {
    name: 'unsafe unitPrice',
    history: 'NONE',
    command: commands.create(withLine(0, { unitPrice: 2 ** 53 })),
    field: 'items[0].unitPrice',
  },
  {
    name: 'empty productId',
    history: 'NONE',
    command: commands.create(withLine(1, { productId: '' })),
    field: 'items[1].productId',
  },
  {
    name: 'line total overflow',
    history: 'NONE',
    command: commands.create([line({ unitPrice: 2 ** 50, quantity: 10 })]),
    field: 'items[0]',
  },
  {
    name: 'order total overflow',
    history: 'NONE',
    command: commands.create([line({ unitPrice: 2 ** 52 }), line({ unitPrice: 2 ** 52 })]),
    field: 'items',
  },
  { name: 'amount below total', history: 'PENDING', command: commands.pay(30000), field: 'amount' },
  { name: 'amount above total', history: 'PENDING', command: commands.pay(34998), field: 'amount' },
  { name: 'fractional amount', history: 'PENDING', command: commands.pay(34996.5), field: 'amount' },
  {
    name: 'empty paymentMethod',
    history: 'PENDING',
    command: commands.pay(undefined, ''),
    field: 'paymentMethod',
  },
  { name: 'empty trackingNumber', history: 'PAID', command: commands.ship(''), field: 'trackingNumber' },
  { name: 'empty reason (pending)', history: 'PENDING', command: commands.cancel(''), field: 'reason' },
  { name: 'empty reason (paid)', history: 'PAID', command: commands.cancel(' '), field: 'reason' },
];

describe('order validation', () => {
  it.each(cases)('$name → ValidationError($field)', ({ history, command, field }) => {
    given(orderDecider, HISTORIES[history])
      .when(command)
      .thenThrows(ValidationError, { field, code: 'VALIDATION' });
  });

  it('states the amount mismatch in money, not cents', () => {
    const err = given(orderDecider, HISTORIES.PENDING).when(commands.pay(30000)).thenThrows(ValidationError);
    expect(err.message).toBe('amount 300.00 does not equal the order total 349.97');
  });

  it('names the line in the quantity message', () => {
    const items = [line({}), line({}), line({ quantity: 0 })];
    const err = given(orderDecider, []).when(commands.create(items)).thenThrows(ValidationError);
    expect(err.message).toBe('items[2].quantity must be an integer from 1 to 10000');
  });

  it('accepts the limits: 100 lines, quantity 10000, one cent', () => {
    const items = [line({ quantity: 10_000, unitPrice: 1 }), ...Array.from({ length: 99 }, () => line({}))];
    given(orderDecider, [])
      .when(commands.create(items))
      .then([
        {
          type: 'OrderCreated',
          data: { orderId: 'order-001', userId: 'user-123', items, total: 10_000 + 9_900, createdAt: T0 },
        },
      ]);
  });

  it('computes the total from the lines, ignoring any total the client sends', () => {
    // A client-sent total is not part of the type, so it can only arrive as an extra property.
    const data = { orderId: 'order-001', userId: 'user-123', items: ITEMS, total: 1 };
    const withTotal: OrderCommand = { type: 'CreateOrder', data, metadata: meta(T0) };
    const [event] = orderDecider.decide(withTotal, orderDecider.initialState());
    expect(event).toMatchObject({ type: 'OrderCreated', data: { total: 34997 } });
  });
});

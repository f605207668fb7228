import { assertNever, type Decider } from './decider.js';
import { InvalidStateError, NotFoundError, ValidationError } from './errors.js';
import { formatMoney, multiplyCents, sumCents } from './money.js';
import type {
  CancelOrder,
  CreateOrder,
  Order,
  OrderCommand,
  OrderEvent,
  OrderItem,
  OrderState,
  OrderStatus,
  PayOrder,
  RefundPayment,
} from './order-types.js';
import { requireText } from './validate.js';

export * from './order-types.js';

const MAX_LINES = 100;
const MAX_QUANTITY = 10_000;

function create({ data, metadata }: CreateOrder, state: OrderState): OrderEvent[] {
  if (state.status !== 'NONE') {
    throw new InvalidStateError(state.status, `order ${data.orderId} already exists`);
  }
  const orderId = requireText('orderId', data.orderId);
  const userId = requireText('userId', data.userId);
  if (!Array.isArray(data.items) || data.items.length < 1 || data.items.length > MAX_LINES) {
    throw new ValidationError('items', `items must contain from 1 to ${MAX_LINES} lines`);
  }
  const items = data.items.map((item, i) => validItem(item, i));
  // The total is always derived here; a client-sent total would be a second source of truth.
  const total = sumCents(
    items.map((it, i) => multiplyCents(it.unitPrice, it.quantity, `items[${i}]`)),
    'items',
  );
  return [{ type: 'OrderCreated', data: { orderId, userId, items, total, createdAt: metadata.now } }];
}

function validItem(item: OrderItem, i: number): OrderItem {
  const productId = requireText(`items[${i}].productId`, item.productId);
  const { quantity, unitPrice } = item;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new ValidationError(
      `items[${i}].quantity`,
      `items[${i}].quantity must be an integer from 1 to ${MAX_QUANTITY}`,
    );
  }
  if (!Number.isSafeInteger(unitPrice) || unitPrice <= 0) {
    throw new ValidationError(
      `items[${i}].unitPrice`,
      `items[${i}].unitPrice must be a positive whole number of cents`,
    );
  }
  return { productId, quantity, unitPrice };
}

function existing(state: OrderState, orderId: string): Order {
  if (state.status === 'NONE') throw new NotFoundError('order', orderId);
  return state;
}

function requireStatus(order: Order, allowed: readonly OrderStatus[], action: string): void {
  if (!allowed.includes(order.status)) {
    throw new InvalidStateError(
      order.status,
      `cannot ${action} order ${order.orderId}: it is ${order.status}, expected ${allowed.join(' or ')}`,
    );
  }
}

function pay({ data, metadata }: PayOrder, state: OrderState): OrderEvent[] {
  const order = existing(state, data.orderId);
  requireStatus(order, ['PENDING'], 'pay');
  const paymentMethod = requireText('paymentMethod', data.paymentMethod);
  if (!Number.isSafeInteger(data.amount)) {
    throw new ValidationError('amount', 'amount must be a whole number of cents');
  }
  if (data.amount !== order.total) {
    throw new ValidationError(
      'amount',
      `amount ${formatMoney(data.amount)} does not equal the order total ${formatMoney(order.total)}`,
    );
  }
  return [{ type: 'OrderPaid', data: { paymentMethod, amount: data.amount, paidAt: metadata.now } }];
}

function cancel({ data, metadata }: CancelOrder, state: OrderState): OrderEvent[] {
  const order = existing(state, data.orderId);
  requireStatus(order, ['PENDING', 'PAID'], 'cancel');
  const reason = requireText('reason', data.reason, 500);
  const refundDue = order.status === 'PAID' ? order.total - (order.refunded ?? 0) : 0;
  return [{ type: 'OrderCancelled', data: { reason, cancelledAt: metadata.now, refundDue } }];
}

// A PAID order may be refunded up to what is unrefunded; a CANCELLED one up to its refund due.
function refund({ data, metadata }: RefundPayment, state: OrderState): OrderEvent[] {
  const order = existing(state, data.orderId);
  requireStatus(order, ['PAID', 'CANCELLED'], 'refund');
  const reason = requireText('reason', data.reason, 500);
  const owed = order.status === 'PAID' ? order.total - (order.refunded ?? 0) : order.refundDue;
  if (!Number.isSafeInteger(data.amount) || data.amount <= 0) {
    throw new ValidationError('amount', 'amount must be a positive whole number of cents');
  }
  if (data.amount > owed) {
    throw new ValidationError(
      'amount',
      `amount ${formatMoney(data.amount)} exceeds what is owed back, ${formatMoney(owed)}`,
    );
  }
  return [{ type: 'OrderPaymentRefunded', data: { amount: data.amount, reason, refundedAt: metadata.now } }];
}

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'CreateOrder':
      return create(command, state);
    case 'PayOrder':
      return pay(command, state);
    case 'ShipOrder': {
      const order = existing(state, command.data.orderId);
      requireStatus(order, ['PAID'], 'ship');
      const trackingNumber = requireText('trackingNumber', command.data.trackingNumber);
      return [{ type: 'OrderShipped', data: { trackingNumber, shippedAt: command.metadata.now } }];
    }
    case 'DeliverOrder':
      requireStatus(existing(state, command.data.orderId), ['SHIPPED'], 'deliver');
      return [{ type: 'OrderDelivered', data: { deliveredAt: command.metadata.now } }];
    case 'CancelOrder':
      return cancel(command, state);
    case 'RefundPayment':
      return refund(command, state);
    default:
      return assertNever(command);
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderCreated') {
    const { orderId, userId, items, total, createdAt } = event.data;
    // Plain products, not multiplyCents: evolve must never throw on recorded history.
    const lines = items.map((it) => ({ ...it, lineTotal: it.unitPrice * it.quantity }));
    return {
      status: 'PENDING',
      orderId,
      userId,
      items: lines,
      total,
      refundDue: 0,
      createdAt,
      updatedAt: createdAt,
    };
  }
  // Later events cannot apply to an order that was never created; history is kept as is.
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'OrderPaid': {
      const { paymentMethod, paidAt } = event.data;
      return { ...state, status: 'PAID', paymentMethod, paidAt, updatedAt: paidAt };
    }
    case 'OrderShipped': {
      const { trackingNumber, shippedAt } = event.data;
      return { ...state, status: 'SHIPPED', trackingNumber, shippedAt, updatedAt: shippedAt };
    }
    case 'OrderDelivered':
      return {
        ...state,
        status: 'DELIVERED',
        deliveredAt: event.data.deliveredAt,
        updatedAt: event.data.deliveredAt,
      };
    case 'OrderCancelled': {
      const { reason, cancelledAt, refundDue } = event.data;
      return {
        ...state,
        status: 'CANCELLED',
        cancellationReason: reason,
        cancelledAt,
        refundDue,
        updatedAt: cancelledAt,
      };
    }
    case 'OrderPaymentRefunded': {
      const { amount, refundedAt } = event.data;
      const refundDue = Math.max(0, state.refundDue - amount);
      return { ...state, refunded: (state.refunded ?? 0) + amount, refundDue, updatedAt: refundedAt };
    }
    default:
      return assertNever(event);
  }
}

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: () => ({ status: 'NONE' }),
  decide,
  evolve,
};

import type { CommandMetadata } from '../../domain/index.js';
import type { AppCommand } from '../../commands/index.js';
import { getOrder } from '../../projections/queries.js';
import { builder } from '../builder.js';
import { requireRole, requireSelf } from '../../auth/policy.js';
import { execute, idempotencyKey, newId, requireOrderOwner, writtenNotReadable } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { COMMAND_ERRORS } from '../errors.js';
import { OrderRef, type OrderParent } from '../types/order.js';

interface OrderPayload { order: OrderParent; position: string }

const OrderItemInput = builder.inputType('OrderItemInput', {
  fields: (t) => ({
    productId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    price: t.field({ type: 'Money', required: true, description: 'Unit price.' }),
  }),
});

const CreateOrderInput = builder.inputType('CreateOrderInput', {
  fields: (t) => ({
    id: t.id({ description: 'Generated when absent (derived from the idempotency key when there is one).' }),
    userId: t.id({ required: true }),
    items: t.field({ type: [OrderItemInput], required: true }),
  }),
});

const PayOrderInput = builder.inputType('PayOrderInput', {
  fields: (t) => ({
    orderId: t.id({ required: true }),
    paymentMethod: t.string({ required: true }),
    amount: t.field({ type: 'Money', required: true, description: 'Must equal the order total exactly.' }),
    expectedVersion: t.int({ description: 'Fail with ConcurrencyError unless the order is at this version.' }),
  }),
});

const ShipOrderInput = builder.inputType('ShipOrderInput', {
  fields: (t) => ({ orderId: t.id({ required: true }), trackingNumber: t.string({ required: true }), expectedVersion: t.int() }),
});

const DeliverOrderInput = builder.inputType('DeliverOrderInput', {
  fields: (t) => ({ orderId: t.id({ required: true }), expectedVersion: t.int() }),
});

const CancelOrderInput = builder.inputType('CancelOrderInput', {
  fields: (t) => ({ orderId: t.id({ required: true }), reason: t.string({ required: true }), expectedVersion: t.int() }),
});

/** The success type and result union of one order mutation, named after it. */
function resultOf(mutation: string) {
  const name = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}`;
  const success = builder.objectRef<OrderPayload>(`${name}Success`).implement({
    description: 'The order as the read side shows it once it has passed `position`.',
    fields: (t) => ({
      order: t.field({ type: OrderRef, resolve: (p) => p.order }),
      position: t.field({
        type: 'Position', description: "The command's last event: pass it to consistentWith, or subscribe after it.", resolve: (p) => p.position,
      }),
    }),
  });
  return { type: success, errors: { types: COMMAND_ERRORS, union: { name: `${name}Result` } } };
}

/** Runs an order command and answers with the order as the read side then shows it. */
async function orderCommand(
  ctx: GraphQLContext, orderId: string, key: string | undefined, expectedVersion: number | null | undefined,
  build: (metadata: CommandMetadata) => AppCommand,
): Promise<OrderPayload> {
  const result = await execute(ctx, build, key, expectedVersion);
  const order = await getOrder(ctx.services.database.db, orderId);
  if (!order) throw writtenNotReadable(`order ${orderId}`, result.position);
  return { order, position: result.position };
}

builder.mutationFields((t) => ({
  createOrder: t.field({
    ...resultOf('createOrder'),
    description: 'Creates an order; the total is computed from the lines, never taken from the client.',
    args: { input: t.arg({ type: CreateOrderInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { input, ...args }, ctx) => {
      const key = idempotencyKey(ctx, args.idempotencyKey);
      const orderId = input.id == null ? newId(key) : String(input.id);
      const items = input.items.map((i) => ({ productId: String(i.productId), quantity: i.quantity, unitPrice: i.price }));
      requireSelf(ctx.viewer, String(input.userId), 'create orders');
      return orderCommand(ctx, orderId, key, undefined,
        (metadata) => ({ type: 'CreateOrder', metadata, data: { orderId, userId: String(input.userId), items } }));
    },
  }),
  payOrder: t.field({
    ...resultOf('payOrder'),
    description: 'Pays a PENDING order; the amount must equal its total exactly.',
    args: { input: t.arg({ type: PayOrderInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: async (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      await requireOrderOwner(ctx, orderId, 'pay orders');
      return orderCommand(ctx, orderId, idempotencyKey(ctx, args.idempotencyKey), input.expectedVersion,
        (metadata) => ({ type: 'PayOrder', metadata, data: { orderId, paymentMethod: input.paymentMethod, amount: input.amount } }));
    },
  }),
  shipOrder: t.field({
    ...resultOf('shipOrder'),
    description: 'Ships a PAID order.',
    args: { input: t.arg({ type: ShipOrderInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      requireRole(ctx.viewer, ['staff', 'admin'], 'ship orders');
      return orderCommand(ctx, orderId, idempotencyKey(ctx, args.idempotencyKey), input.expectedVersion,
        (metadata) => ({ type: 'ShipOrder', metadata, data: { orderId, trackingNumber: input.trackingNumber } }));
    },
  }),
  deliverOrder: t.field({
    ...resultOf('deliverOrder'),
    description: 'Marks a SHIPPED order delivered.',
    args: { input: t.arg({ type: DeliverOrderInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      requireRole(ctx.viewer, ['staff', 'admin'], 'deliver orders');
      return orderCommand(ctx, orderId, idempotencyKey(ctx, args.idempotencyKey), input.expectedVersion,
        (metadata) => ({ type: 'DeliverOrder', metadata, data: { orderId } }));
    },
  }),
  cancelOrder: t.field({
    ...resultOf('cancelOrder'),
    description: 'Cancels a PENDING or PAID order; a paid one records that a refund is due.',
    args: { input: t.arg({ type: CancelOrderInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: async (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      await requireOrderOwner(ctx, orderId, 'cancel orders');
      return orderCommand(ctx, orderId, idempotencyKey(ctx, args.idempotencyKey), input.expectedVersion,
        (metadata) => ({ type: 'CancelOrder', metadata, data: { orderId, reason: input.reason } }));
    },
  }),
}));

import type { CommandMetadata } from '../../domain/index.js';
import type { AppCommand } from '../../commands/index.js';
import { builder } from '../builder.js';
import { STAFF, orderOf, selfOrStaff } from '../../auth/scopes.js';
import { idempotencyKey, newId } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { commandResult, runThenRead } from './results.js';
import { OrderRef } from '../types/order.js';

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
    expectedVersion: t.int({
      description: 'Fail with ConcurrencyError unless the order is at this version.',
    }),
  }),
});

const ShipOrderInput = builder.inputType('ShipOrderInput', {
  fields: (t) => ({
    orderId: t.id({ required: true }),
    trackingNumber: t.string({ required: true }),
    expectedVersion: t.int(),
  }),
});

const DeliverOrderInput = builder.inputType('DeliverOrderInput', {
  fields: (t) => ({ orderId: t.id({ required: true }), expectedVersion: t.int() }),
});

const CancelOrderInput = builder.inputType('CancelOrderInput', {
  fields: (t) => ({
    orderId: t.id({ required: true }),
    reason: t.string({ required: true }),
    expectedVersion: t.int(),
  }),
});

const resultOf = (mutation: string) =>
  commandResult(
    mutation,
    'order',
    OrderRef,
    'The order as the read side shows it once it has passed `position`.',
  );

/** Runs the command and answers with the order as the read side then shows it. */
const orderCommand = (
  ctx: GraphQLContext,
  orderId: string,
  key: string | undefined,
  expectedVersion: number | null | undefined,
  build: (metadata: CommandMetadata) => AppCommand,
) =>
  runThenRead(ctx, `order ${orderId}`, () => ctx.services.reads.order(orderId), key, expectedVersion, build);

builder.mutationFields((t) => ({
  createOrder: t.field({
    ...resultOf('createOrder'),
    description: 'Creates an order; the total is computed from the lines, never taken from the client.',
    args: { input: t.arg({ type: CreateOrderInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input }) => selfOrStaff(String(input.userId)),
    resolve: (_root, { input, ...args }, ctx) => {
      const key = idempotencyKey(ctx, args.idempotencyKey);
      const orderId = input.id == null ? newId(key) : String(input.id);
      const items = input.items.map((i) => ({
        productId: String(i.productId),
        quantity: i.quantity,
        unitPrice: i.price,
      }));
      return orderCommand(ctx, orderId, key, undefined, (metadata) => ({
        type: 'CreateOrder',
        metadata,
        data: { orderId, userId: String(input.userId), items },
      }));
    },
  }),
  payOrder: t.field({
    ...resultOf('payOrder'),
    description: 'Pays a PENDING order; the amount must equal its total exactly.',
    args: { input: t.arg({ type: PayOrderInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input }) => orderOf(String(input.orderId)),
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      return orderCommand(
        ctx,
        orderId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({
          type: 'PayOrder',
          metadata,
          data: { orderId, paymentMethod: input.paymentMethod, amount: input.amount },
        }),
      );
    },
  }),
  shipOrder: t.field({
    ...resultOf('shipOrder'),
    description: 'Ships a PAID order.',
    args: { input: t.arg({ type: ShipOrderInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: STAFF,
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      return orderCommand(
        ctx,
        orderId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({
          type: 'ShipOrder',
          metadata,
          data: { orderId, trackingNumber: input.trackingNumber },
        }),
      );
    },
  }),
  deliverOrder: t.field({
    ...resultOf('deliverOrder'),
    description: 'Marks a SHIPPED order delivered.',
    args: { input: t.arg({ type: DeliverOrderInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: STAFF,
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      return orderCommand(
        ctx,
        orderId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({ type: 'DeliverOrder', metadata, data: { orderId } }),
      );
    },
  }),
  cancelOrder: t.field({
    ...resultOf('cancelOrder'),
    description: 'Cancels a PENDING or PAID order; a paid one records that a refund is due.',
    args: { input: t.arg({ type: CancelOrderInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input }) => orderOf(String(input.orderId)),
    resolve: (_root, { input, ...args }, ctx) => {
      const orderId = String(input.orderId);
      return orderCommand(
        ctx,
        orderId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({ type: 'CancelOrder', metadata, data: { orderId, reason: input.reason } }),
      );
    },
  }),
}));

import { GraphQLError } from 'graphql';
import { canRead } from '../../auth/policy.js';
import { ANYONE } from '../../auth/scopes.js';
import { ForbiddenError } from '../../auth/viewer.js';
import { orderAggregate } from '../../commands/index.js';
import { ORDER_STATUSES, orderStreamId, type Order } from '../../domain/index.js';
import type { StoredEvent } from '../../eventstore/index.js';
import { expectedRow, type OrderItemView, type OrderView } from '../../projections/index.js';
import type { OrderStatusChange } from '../../projections/index.js';
import { builder } from '../builder.js';
import { consistentWith } from '../consistency.js';
import type { GraphQLContext } from '../context.js';

/** What an Order resolves from: a read row, or a state folded from the events (orderAt). */
export type OrderParent = Pick<
  OrderView,
  | 'id'
  | 'userId'
  | 'status'
  | 'totalCents'
  | 'paymentMethod'
  | 'trackingNumber'
  | 'cancellationReason'
  | 'version'
  | 'createdAt'
  | 'updatedAt'
> & { items?: OrderItemView[]; eventsUpTo?: number };

export const OrderStatusEnum = builder.enumType('OrderStatus', { values: ORDER_STATUSES });

export const OrderItemRef = builder.objectRef<OrderItemView>('OrderItem').implement({
  fields: (t) => ({
    productId: t.exposeID('productId'),
    productName: t.exposeString('productName', { nullable: true }),
    quantity: t.exposeInt('quantity'),
    unitPrice: t.field({ type: 'Money', resolve: (item) => item.unitPriceCents }),
    lineTotal: t.field({ type: 'Money', resolve: (item) => item.lineTotalCents }),
  }),
});

export const StoredEventRef = builder.objectRef<StoredEvent>('StoredEvent').implement({
  description: 'An event as stored, its data upcast to the current schema version.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type'),
    streamId: t.exposeID('streamId'),
    version: t.exposeInt('version'),
    position: t.field({ type: 'Position', resolve: (e) => e.position }),
    schemaVersion: t.exposeInt('schemaVersion'),
    occurredAt: t.field({ type: 'DateTime', resolve: (e) => e.recordedAt }),
    data: t.field({ type: 'JSON', resolve: (e) => e.data }),
    metadata: t.field({ type: 'JSON', resolve: (e) => e.metadata }),
  }),
});

export const OrderRef = builder.objectRef<OrderParent>('Order');

export const OrderStatusChangeRef = builder.objectRef<OrderStatusChange>('OrderStatusChange').implement({
  fields: (t) => ({
    orderId: t.exposeID('orderId'),
    userId: t.exposeID('userId'),
    from: t.field({ type: OrderStatusEnum, nullable: true, resolve: (c) => c.from }),
    to: t.field({ type: OrderStatusEnum, resolve: (c) => c.to }),
    position: t.field({ type: 'Position', resolve: (c) => c.position }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.occurredAt }),
    order: t.field({
      type: OrderRef,
      nullable: true,
      resolve: async (c, _args, ctx) => readable(ctx, (await ctx.services.reads.order(c.orderId)) ?? null),
    }),
  }),
});

OrderRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    userId: t.exposeID('userId'),
    status: t.field({ type: OrderStatusEnum, resolve: (o) => o.status }),
    items: t.field({
      type: [OrderItemRef],
      resolve: async (o, _args, ctx) => o.items ?? ctx.services.reads.orderItems(o.id),
    }),
    totalAmount: t.field({ type: 'Money', resolve: (o) => o.totalCents }),
    paymentMethod: t.exposeString('paymentMethod', { nullable: true }),
    trackingNumber: t.exposeString('trackingNumber', { nullable: true }),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true }),
    version: t.exposeInt('version'),
    createdAt: t.field({ type: 'DateTime', resolve: (o) => o.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (o) => o.updatedAt }),
    history: t.field({
      type: [OrderStatusChangeRef],
      description: 'Every status change, oldest first.',
      resolve: (o, _args, ctx) => ctx.services.reads.statusHistory(o.id),
    }),
    events: t.field({
      type: [StoredEventRef],
      description: "The order's stream from the event store, oldest first.",
      resolve: (o, _args, ctx) =>
        ctx.services.store.readStream(orderStreamId(o.id), { toVersion: o.eventsUpTo }),
    }),
  }),
});

builder.queryFields((t) => ({
  order: t.field({
    type: OrderRef,
    nullable: true,
    description:
      'An order from the read tables. With consistentWith, first waits (bounded) until they have passed that position.',
    args: { id: t.arg.id({ required: true }), consistentWith: t.arg({ type: 'Position' }) },
    // Anyone may ask; what it loads is checked (readable): a customer reads only its own.
    authScopes: ANYONE,
    resolve: async (_root, args, ctx) => {
      await consistentWith(ctx, args.consistentWith);
      return readable(ctx, (await ctx.services.reads.order(String(args.id))) ?? null);
    },
  }),
  orderAt: t.field({
    type: OrderRef,
    nullable: true,
    description:
      'An order as it was at a stream version or a moment, folded from the event store (not the read tables). ' +
      'Takes exactly one of version and at. Null when there is no such order, or (with at) when it did not exist yet; ' +
      'a version past the end of its stream is an error (NOT_FOUND).',
    args: {
      id: t.arg.id({ required: true }),
      version: t.arg.int({
        description:
          'The stream version to fold up to: 1 is the order as created. A version past the last is an error ' +
          '(NOT_FOUND, naming the last) rather than the order as it is now; 0 or less is BAD_USER_INPUT.',
      }),
      at: t.arg({
        type: 'DateTime',
        description:
          'The moment to fold up to: the order after its last event recorded at or before it; null before it was created.',
      }),
    },
    authScopes: ANYONE,
    resolve: (_root, args, ctx) =>
      orderAt(ctx, String(args.id), args.version ?? undefined, args.at ?? undefined),
  }),
}));

/** An order the viewer may read, or a ForbiddenError; a missing order stays null. */
function readable<T extends { userId: string } | null>(ctx: GraphQLContext, order: T): T {
  if (order && !canRead(ctx.viewer, order.userId))
    throw new ForbiddenError(`you may not read order ${(order as unknown as { id: string }).id}`);
  return order;
}

/** The order folded up to a version or a moment, readable by the viewer; null when it did not exist (yet). */
async function orderAt(
  ctx: GraphQLContext,
  id: string,
  version?: number,
  at?: string,
): Promise<OrderParent | null> {
  if ((version === undefined) === (at === undefined)) {
    throw new GraphQLError('orderAt takes exactly one of version and at', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  if (version !== undefined && version < 1) {
    throw new GraphQLError('version must be at least 1 (the order as created)', {
      extensions: { code: 'BAD_USER_INPUT', field: 'version' },
    });
  }
  const loaded = await ctx.services.commands.loadAt(
    orderAggregate,
    orderStreamId(id),
    version !== undefined ? { version } : { at: at! },
  );
  const { state } = loaded;
  if (state.status === 'NONE') return null;
  // Folding stops at the last event; answering with it would claim the order had reached
  // that version. Checked after readable(), so a stranger learns nothing of its length.
  const order = readable(ctx, fromState(state, loaded.version));
  if (version !== undefined && loaded.version < version) {
    throw new GraphQLError(`order ${id} has no version ${version}: its last is ${loaded.version}`, {
      extensions: { code: 'NOT_FOUND', lastVersion: loaded.version },
    });
  }
  return order;
}

/** The order as the decider's state has it, through the same mapping the checker holds rows to. */
function fromState(state: Order, version: number): OrderParent {
  const { row, items } = expectedRow(state, version);
  return {
    ...row,
    id: state.orderId,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    eventsUpTo: version,
    items: items.map((item, i) => ({
      ...item,
      orderId: state.orderId,
      lineNumber: i + 1,
      productName: null,
    })),
  };
}

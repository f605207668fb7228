import { ownUser } from '../../auth/policy.js';
import { listFor } from '../../auth/scopes.js';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/index.js';
import type { OrderStatistics } from '../../projections/index.js';
import { builder } from '../builder.js';
import { consistentWith } from '../consistency.js';
import { OrderStatusEnum } from './order.js';

const StatusCountRef = builder.objectRef<{ status: OrderStatus; count: number }>('StatusCount').implement({
  fields: (t) => ({
    status: t.field({ type: OrderStatusEnum, resolve: (s) => s.status }),
    count: t.exposeInt('count'),
  }),
});

const OrderStatisticsRef = builder.objectRef<OrderStatistics>('OrderStatistics').implement({
  fields: (t) => ({
    totalOrders: t.int({ resolve: (s) => s.count }),
    totalAmount: t.field({ type: 'Money', resolve: (s) => s.totalCents }),
    pendingOrders: t.int({ resolve: (s) => s.countByStatus.PENDING }),
    completedOrders: t.int({ description: 'Delivered orders.', resolve: (s) => s.countByStatus.DELIVERED }),
    averageOrderValue: t.field({
      type: 'Money',
      description: 'Total ÷ count, rounded half up to the cent.',
      resolve: (s) => s.averageCents,
    }),
    byStatus: t.field({
      type: [StatusCountRef],
      resolve: (s) => ORDER_STATUSES.map((status) => ({ status, count: s.countByStatus[status] })),
    }),
  }),
});

builder.queryField('orderStatistics', (t) =>
  t.field({
    type: OrderStatisticsRef,
    description: 'Counts and amounts of orders created in [from, to), for one user or all.',
    args: {
      userId: t.arg.id(),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      consistentWith: t.arg({ type: 'Position' }),
    },
    authScopes: (_root, args) => listFor(args.userId == null ? undefined : String(args.userId)),
    resolve: async (_root, args, ctx) => {
      await consistentWith(ctx, args.consistentWith);
      return ctx.services.reads.orderStatistics({
        userId: ownUser(ctx.viewer, args.userId == null ? undefined : String(args.userId)),
        from: args.from ?? undefined,
        to: args.to ?? undefined,
      });
    },
  }),
);

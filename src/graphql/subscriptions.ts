import { readScope } from '../auth/policy.js';
import { builder } from './builder.js';
import { requireOrderOwner } from './commands.js';
import { OrderStatusChangeRef } from './types/order.js';

builder.subscriptionField('orderStatusChanged', (t) =>
  t.field({
    type: OrderStatusChangeRef,
    description:
      'Status changes, filtered by order or user. With `after`, first replays every change after that position, ' +
      'then continues live, with none missing and none repeated. A subscriber too slow to keep up is ended with an ' +
      'error whose extensions.resumeAfter is the position to subscribe after.',
    args: { orderId: t.arg.id(), userId: t.arg.id(), after: t.arg({ type: 'Position' }) },
    subscribe: async (_root, args, ctx) => {
      const orderId = args.orderId == null ? undefined : String(args.orderId);
      // A customer hears only its own orders: its user filter is implied, another's refused.
      const userId = readScope(
        ctx.viewer,
        args.userId == null ? undefined : String(args.userId),
        'the status changes',
      );
      if (orderId !== undefined) await requireOrderOwner(ctx, orderId, 'follow orders');
      return ctx.services.subscriptions.subscribe({ orderId, userId }, args.after ?? undefined);
    },
    resolve: (change) => change,
  }),
);

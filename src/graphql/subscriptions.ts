import { builder } from './builder.js';
import { OrderStatusChangeRef } from './types/order.js';

builder.subscriptionField('orderStatusChanged', (t) => t.field({
  type: OrderStatusChangeRef,
  description: 'Status changes, filtered by order or user. With `after`, first replays every change after that position, '
    + 'then continues live, with none missing and none repeated. A subscriber too slow to keep up is ended with an '
    + 'error whose extensions.resumeAfter is the position to subscribe after.',
  args: { orderId: t.arg.id(), userId: t.arg.id(), after: t.arg({ type: 'Position' }) },
  subscribe: (_root, args, ctx) => ctx.services.subscriptions.subscribe(
    { orderId: args.orderId == null ? undefined : String(args.orderId), userId: args.userId == null ? undefined : String(args.userId) },
    args.after ?? undefined,
  ),
  resolve: (change) => change,
}));

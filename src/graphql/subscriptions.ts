import { ownUser } from '../auth/policy.js';
import { STAFF } from '../auth/scopes.js';
import { builder } from './builder.js';
import { OrderStatusChangeRef } from './types/order.js';

builder.subscriptionField('orderStatusChanged', (t) =>
  t.field({
    type: OrderStatusChangeRef,
    description:
      'Status changes, filtered by order or user. With `after`, first replays every change after that position, ' +
      'then continues live, with none missing and none repeated. A subscriber too slow to keep up is ended with an ' +
      'error whose extensions.resumeAfter is the position to subscribe after.',
    args: { orderId: t.arg.id(), userId: t.arg.id(), after: t.arg({ type: 'Position' }) },
    // A customer hears only its own orders: another user or order it names is refused, and
    // its user filter is implied when it names none.
    authScopes: (_root, { userId, orderId }) => ({
      ...STAFF,
      $all: {
        customer: true,
        ...(userId == null ? {} : { self: String(userId) }),
        ...(orderId == null ? {} : { orderOwner: { orderId: String(orderId) } }),
      },
    }),
    subscribe: (_root, args, ctx) =>
      ctx.services.subscriptions.subscribe(
        {
          orderId: args.orderId == null ? undefined : String(args.orderId),
          userId: ownUser(ctx.viewer, args.userId == null ? undefined : String(args.userId)),
        },
        args.after ?? undefined,
      ),
    resolve: (change) => change,
  }),
);

import { selfOrStaff } from '../../auth/scopes.js';
import { builder } from '../builder.js';
import { badInput } from '../consistency.js';
import type { NotificationView } from '../reads.js';

const NotificationRef = builder.objectRef<NotificationView>('Notification').implement({
  description: 'A message to a customer about one of their orders.',
  fields: (t) => ({
    id: t.exposeID('id'),
    userId: t.exposeID('userId'),
    orderId: t.exposeID('orderId'),
    kind: t.exposeString('kind', { description: 'shipped or compensated.' }),
    message: t.exposeString('message'),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
    position: t.exposeString('position', {
      description:
        "Its place among the notifications: pass it to notificationAdded's `after` to resume after it.",
    }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.field({
    type: [NotificationRef],
    description: "A customer's latest notifications (at most 100), oldest first.",
    args: { userId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => selfOrStaff(String(args.userId)),
    resolve: (_root, args, ctx) => ctx.services.reads.notifications(String(args.userId)),
  }),
}));

builder.subscriptionField('notificationAdded', (t) =>
  t.field({
    type: NotificationRef,
    description:
      "A customer's notifications as they are written. With `after` (a notification's position), first " +
      'replays every later one, then continues live, with none missing and none repeated. A subscriber too slow to keep ' +
      'up is ended with an error whose extensions.resumeAfter is the position to subscribe after.',
    args: {
      userId: t.arg.id({ required: true }),
      after: t.arg.string({ description: 'A notification position: start after it.' }),
    },
    authScopes: (_root, args) => selfOrStaff(String(args.userId)),
    subscribe: (_root, args, ctx) => {
      if (args.after != null && !/^\d{1,18}$/.test(args.after)) {
        throw badInput(
          `after must be a notification's position (a whole number), not ${JSON.stringify(args.after)}`,
          'after',
        );
      }
      return ctx.services.notifications.subscribe(String(args.userId), args.after ?? undefined);
    },
    resolve: (notification) => notification,
  }),
);

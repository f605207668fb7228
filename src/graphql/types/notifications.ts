import { notificationsFor, type Notification } from '../../sagas/notifications.js';
import { readScope } from '../../auth/policy.js';
import { builder } from '../builder.js';

const NotificationRef = builder.objectRef<Notification>('Notification').implement({
  description: 'A message to a customer about one of their orders.',
  fields: (t) => ({
    id: t.exposeID('id'),
    userId: t.exposeID('userId'),
    orderId: t.exposeID('orderId'),
    kind: t.exposeString('kind', { description: 'shipped or compensated.' }),
    message: t.exposeString('message'),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.field({
    type: [NotificationRef],
    description: "A customer's latest notifications (at most 100), oldest first.",
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => notificationsFor(ctx.services.database.db, readScope(ctx.viewer, String(args.userId), 'the notifications')!),
  }),
}));

builder.subscriptionField('notificationAdded', (t) => t.field({
  type: NotificationRef,
  description: "A customer's notifications as they are written, from the moment of subscribing.",
  args: { userId: t.arg.id({ required: true }) },
  subscribe: (_root, args, ctx) => ctx.services.notifications.subscribe(readScope(ctx.viewer, String(args.userId), 'the notifications')!),
  resolve: (notification) => notification,
}));

import { selfOrStaff } from '../../auth/scopes.js';
import type { OrderStatus } from '../../domain/index.js';
import type { UserView } from '../../projections/index.js';
import { builder } from '../builder.js';
import { OrderStatusEnum } from './order.js';
import { OrderConnectionRef, orderConnection } from './order-list.js';

export const UserRef = builder.objectRef<UserView>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    email: t.exposeString('email'),
    deleted: t.exposeBoolean('deleted'),
    version: t.exposeInt('version'),
    orders: t.field({
      type: OrderConnectionRef,
      args: { status: t.arg({ type: OrderStatusEnum }), first: t.arg.int(), after: t.arg.string() },
      resolve: (user, args, ctx) =>
        orderConnection(ctx, {
          userId: user.id,
          status: (args.status ?? undefined) as OrderStatus | undefined,
          first: args.first,
          after: args.after ?? undefined,
        }),
    }),
  }),
});

builder.queryField('user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, args) => selfOrStaff(String(args.id)),
    resolve: async (_root, args, ctx) => (await ctx.services.reads.user(String(args.id))) ?? null,
  }),
);

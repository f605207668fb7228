import type { ProductView } from '../../projections/index.js';
import { ANYONE } from '../../auth/scopes.js';
import { builder } from '../builder.js';
import { consistentWith } from '../consistency.js';

export const ProductRef = builder.objectRef<ProductView>('Product').implement({
  description: 'A stock-managed product. Products never defined are sold without stock control.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    backorders: t.exposeBoolean('backorders', {
      description:
        'Whether a paid order short of it waits for stock (its reserve step WAITING) rather than being cancelled.',
    }),
    onHand: t.exposeInt('onHand', { description: 'Every unit added, shipped ones included.' }),
    reserved: t.exposeInt('reserved', { description: 'Units held for paid orders.' }),
    available: t.exposeInt('available', { description: 'onHand − reserved; never below zero.' }),
  }),
});

builder.queryFields((t) => ({
  product: t.field({
    type: ProductRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }), consistentWith: t.arg({ type: 'Position' }) },
    authScopes: ANYONE,
    resolve: async (_root, args, ctx) => {
      await consistentWith(ctx, args.consistentWith);
      return (await ctx.services.reads.product(String(args.id))) ?? null;
    },
  }),
  products: t.field({
    type: [ProductRef],
    description: 'Every defined product, by id (at most 1000).',
    args: { consistentWith: t.arg({ type: 'Position' }) },
    authScopes: ANYONE,
    resolve: async (_root, args, ctx) => {
      await consistentWith(ctx, args.consistentWith);
      return ctx.services.reads.products();
    },
  }),
}));

import type { Recommendation } from '../../projections/index.js';
import { listFor } from '../../auth/scopes.js';
import { builder } from '../builder.js';
import { badInput } from '../consistency.js';

const MAX_RECOMMENDATIONS = 100;

const RecommendationRef = builder.objectRef<Recommendation>('Recommendation').implement({
  fields: (t) => ({
    productId: t.exposeID('productId'),
    productName: t.exposeString('productName', {
      nullable: true,
      description: 'Null for a product not defined in the catalogue.',
    }),
    score: t.exposeInt('score', {
      description:
        'For a product: paid orders holding both. For a user: that summed over the products the user bought.',
    }),
  }),
});

builder.queryField('recommendations', (t) =>
  t.field({
    type: [RecommendationRef],
    description:
      'Products bought together with a product, or with what a user bought (leaving out what the user has), ' +
      'from paid orders not cancelled or refunded; highest score first, then by product id. Give exactly one of ' +
      'userId and productId. Eventually consistent: it follows the feed, and a new database builds it from history.',
    args: {
      userId: t.arg.id(),
      productId: t.arg.id(),
      first: t.arg.int({ defaultValue: 5, description: `1 to ${MAX_RECOMMENDATIONS}.` }),
    },
    // For a user, only what that user may read; for a product, anyone.
    authScopes: (_root, args) => listFor(args.userId == null ? undefined : String(args.userId)),
    resolve: (_root, args, ctx) => {
      const first = args.first ?? 5;
      if (first < 1 || first > MAX_RECOMMENDATIONS)
        throw badInput(`first must be from 1 to ${MAX_RECOMMENDATIONS}`, 'first');
      const { reads } = ctx.services;
      if (args.userId != null && args.productId == null)
        return reads.recommendationsForUser(String(args.userId), first);
      if (args.productId != null && args.userId == null)
        return reads.recommendationsForProduct(String(args.productId), first);
      throw badInput(
        'give exactly one of userId and productId',
        args.userId == null ? 'userId' : 'productId',
      );
    },
  }),
);

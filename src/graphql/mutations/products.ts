import type { AppCommand } from '../../commands/index.js';
import type { CommandMetadata } from '../../domain/index.js';
import { ADMIN } from '../../auth/scopes.js';
import { builder } from '../builder.js';
import { idempotencyKey } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { commandResult, runThenRead } from './results.js';
import { ProductRef } from '../types/products.js';

const DefineProductInput = builder.inputType('DefineProductInput', {
  fields: (t) => ({
    productId: t.id({ required: true }),
    name: t.string({ required: true }),
    backorders: t.boolean({
      defaultValue: false,
      description:
        'When short of it, a paid order waits for stock (and ships once addStock brings enough) instead of being cancelled and refunded.',
    }),
  }),
});

const AddStockInput = builder.inputType('AddStockInput', {
  fields: (t) => ({ productId: t.id({ required: true }), quantity: t.int({ required: true }) }),
});

const resultOf = (mutation: string) =>
  commandResult(
    mutation,
    'product',
    ProductRef,
    'The product as the read side shows it once it has passed `position`.',
  );

/** Runs the command and answers with the product as the read side then shows it. */
const productCommand = (
  ctx: GraphQLContext,
  productId: string,
  key: string | undefined,
  build: (metadata: CommandMetadata) => AppCommand,
) =>
  runThenRead(
    ctx,
    `product ${productId}`,
    () => ctx.services.reads.product(productId),
    key,
    undefined,
    build,
  );

builder.mutationFields((t) => ({
  defineProduct: t.field({
    ...resultOf('defineProduct'),
    description:
      'Puts a product under stock control, with no stock yet. Defining it again the same way changes nothing.',
    args: { input: t.arg({ type: DefineProductInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: ADMIN,
    resolve: (_root, { input, ...args }, ctx) => {
      const productId = String(input.productId);
      return productCommand(ctx, productId, idempotencyKey(ctx, args.idempotencyKey), (metadata) => ({
        type: 'DefineProduct',
        metadata,
        data: { productId, name: input.name, backorders: input.backorders ?? false },
      }));
    },
  }),
  addStock: t.field({
    ...resultOf('addStock'),
    description:
      'Adds units to a defined product; paid orders waiting for it (backorders) try again to reserve it.',
    args: { input: t.arg({ type: AddStockInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: ADMIN,
    resolve: (_root, { input, ...args }, ctx) => {
      const productId = String(input.productId);
      return productCommand(ctx, productId, idempotencyKey(ctx, args.idempotencyKey), (metadata) => ({
        type: 'AddStock',
        metadata,
        data: { productId, quantity: input.quantity },
      }));
    },
  }),
}));

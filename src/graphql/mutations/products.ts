import type { AppCommand } from '../../commands/index.js';
import type { CommandMetadata } from '../../domain/index.js';
import { getProduct, type ProductView } from '../../projections/products-queries.js';
import { requireRole } from '../../auth/policy.js';
import { builder } from '../builder.js';
import { execute, idempotencyKey, writtenNotReadable } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { COMMAND_ERRORS } from '../errors.js';
import { ProductRef } from '../types/products.js';

interface ProductPayload { product: ProductView; position: string }

const DefineProductInput = builder.inputType('DefineProductInput', {
  fields: (t) => ({ productId: t.id({ required: true }), name: t.string({ required: true }) }),
});

const AddStockInput = builder.inputType('AddStockInput', {
  fields: (t) => ({ productId: t.id({ required: true }), quantity: t.int({ required: true }) }),
});

function resultOf(mutation: string) {
  const name = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}`;
  const success = builder.objectRef<ProductPayload>(`${name}Success`).implement({
    description: 'The product as the read side shows it once it has passed `position`.',
    fields: (t) => ({
      product: t.field({ type: ProductRef, resolve: (p) => p.product }),
      position: t.field({ type: 'Position', resolve: (p) => p.position }),
    }),
  });
  return { type: success, errors: { types: COMMAND_ERRORS, union: { name: `${name}Result` } } };
}

async function productCommand(
  ctx: GraphQLContext, productId: string, key: string | undefined, build: (metadata: CommandMetadata) => AppCommand,
): Promise<ProductPayload> {
  const result = await execute(ctx, build, key);
  const product = await getProduct(ctx.services.database.db, productId);
  if (!product) throw writtenNotReadable(`product ${productId}`, result.position);
  return { product, position: result.position };
}

builder.mutationFields((t) => ({
  defineProduct: t.field({
    ...resultOf('defineProduct'),
    description: 'Puts a product under stock control, with no stock yet. Defining it again with the same name changes nothing.',
    args: { input: t.arg({ type: DefineProductInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { input, ...args }, ctx) => {
      const productId = String(input.productId);
      requireRole(ctx.viewer, ['admin'], 'define products');
      return productCommand(ctx, productId, idempotencyKey(ctx, args.idempotencyKey),
        (metadata) => ({ type: 'DefineProduct', metadata, data: { productId, name: input.name } }));
    },
  }),
  addStock: t.field({
    ...resultOf('addStock'),
    description: 'Adds units to a defined product.',
    args: { input: t.arg({ type: AddStockInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { input, ...args }, ctx) => {
      const productId = String(input.productId);
      requireRole(ctx.viewer, ['admin'], 'add stock');
      return productCommand(ctx, productId, idempotencyKey(ctx, args.idempotencyKey),
        (metadata) => ({ type: 'AddStock', metadata, data: { productId, quantity: input.quantity } }));
    },
  }),
}));

import { ownUser } from '../../auth/policy.js';
import { listFor } from '../../auth/scopes.js';
import { ValidationError, type OrderStatus } from '../../domain/index.js';
import type { ListOrdersInput, OrderPage } from '../../projections/index.js';
import { builder } from '../builder.js';
import { badInput, consistentWith } from '../consistency.js';
import type { GraphQLContext } from '../context.js';
import { OrderRef, OrderStatusEnum, type OrderParent } from './order.js';

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

type Connection = Omit<OrderPage, 'edges' | 'pageInfo'> & {
  edges: { cursor: string; node: OrderParent }[];
  pageInfo: OrderPage['pageInfo'] & { hasPreviousPage: boolean; startCursor: string | null };
};

/**
 * The connection type from plugin-relay (PageInfo, OrderEdge and OrderConnection). Its fields
 * declare their own paging arguments: t.connection and t.arg.connectionArgs() would add
 * `before` and `last`, and these lists page forward only.
 */
export const OrderConnectionRef = builder.connectionObject(
  {
    type: OrderRef,
    name: 'OrderConnection',
    description: 'Orders newest first (created at, then id); pages are stable while orders are added.',
    fields: (t) => ({ totalCount: t.exposeInt('totalCount') }),
  },
  { name: 'OrderEdge' },
);

/** A page of orders with every order's items loaded in one query, not one per order. */
export async function orderConnection(
  ctx: GraphQLContext,
  input: Omit<ListOrdersInput, 'first'> & { first?: number | null },
): Promise<Connection> {
  const first = input.first ?? DEFAULT_PAGE;
  if (first < 0 || first > MAX_PAGE) throw badInput(`first must be from 0 to ${MAX_PAGE}`, 'first');
  let page: OrderPage;
  try {
    page = await ctx.services.reads.orders({ ...input, first });
  } catch (error) {
    if (error instanceof ValidationError) throw badInput(error.message, error.field);
    throw error;
  }
  const items = await ctx.services.reads.itemsOfOrders(page.edges.map((e) => e.node.id));
  return {
    totalCount: page.totalCount,
    pageInfo: {
      ...page.pageInfo,
      hasPreviousPage: input.after !== undefined,
      startCursor: page.edges[0]?.cursor ?? null,
    },
    edges: page.edges.map((edge) => ({
      cursor: edge.cursor,
      node: { ...edge.node, items: items.get(edge.node.id) ?? [] },
    })),
  };
}

builder.queryField('orders', (t) =>
  t.field({
    type: OrderConnectionRef,
    description: `Orders from the read tables, filtered; first is at most ${MAX_PAGE} (default ${DEFAULT_PAGE}).`,
    args: {
      userId: t.arg.id(),
      status: t.arg({ type: OrderStatusEnum }),
      createdAfter: t.arg({ type: 'DateTime' }),
      createdBefore: t.arg({ type: 'DateTime' }),
      first: t.arg.int(),
      after: t.arg.string(),
      consistentWith: t.arg({ type: 'Position' }),
    },
    authScopes: (_root, args) => listFor(args.userId == null ? undefined : String(args.userId)),
    resolve: async (_root, args, ctx) => {
      await consistentWith(ctx, args.consistentWith);
      return orderConnection(ctx, {
        userId: ownUser(ctx.viewer, args.userId == null ? undefined : String(args.userId)),
        status: (args.status ?? undefined) as OrderStatus | undefined,
        createdAfter: args.createdAfter ?? undefined,
        createdBefore: args.createdBefore ?? undefined,
        first: args.first,
        after: args.after ?? undefined,
      });
    },
  }),
);

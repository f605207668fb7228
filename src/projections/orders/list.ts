import { and, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/connect.js';
import { orders } from './table.js';
import { ValidationError } from '../../domain/errors.js';
import type { OrderStatus } from '../../domain/order.js';
import { toOrderView, type OrderView } from './queries.js';

export const MAX_PAGE_SIZE = 500;

export interface ListOrdersInput {
  userId?: string;
  status?: OrderStatus;
  /** Inclusive lower bound on createdAt (ISO-8601). */
  createdAfter?: string;
  /** Exclusive upper bound on createdAt (ISO-8601). */
  createdBefore?: string;
  first: number;
  /** The endCursor of the previous page. */
  after?: string;
}

export interface OrderPage {
  edges: { cursor: string; node: OrderView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Orders matching the filters, ignoring paging. */
  totalCount: number;
}

/**
 * Newest first, paged by the key (created_at, id): an order created while a client pages
 * never shifts the pages it has not read yet, unlike OFFSET paging.
 */
export async function listOrders(exec: Executor, input: ListOrdersInput): Promise<OrderPage> {
  if (!Number.isInteger(input.first) || input.first < 0 || input.first > MAX_PAGE_SIZE) {
    throw new ValidationError('first', `first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  const filters = [
    input.userId === undefined ? undefined : eq(orders.userId, input.userId),
    input.status === undefined ? undefined : eq(orders.status, input.status),
    input.createdAfter === undefined
      ? undefined
      : gte(orders.createdAt, isoTime('createdAfter', input.createdAfter)),
    input.createdBefore === undefined
      ? undefined
      : lt(orders.createdAt, isoTime('createdBefore', input.createdBefore)),
  ].filter((f): f is SQL => f !== undefined);
  const cursor = input.after === undefined ? undefined : decodeCursor(input.after);
  const afterCursor = cursor
    ? sql`(${orders.createdAt}, ${orders.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id})`
    : undefined;

  const [found, [total]] = await Promise.all([
    input.first === 0
      ? Promise.resolve([])
      : exec
          .select()
          .from(orders)
          .where(and(...filters, afterCursor))
          .orderBy(desc(orders.createdAt), desc(orders.id))
          .limit(input.first + 1),
    exec
      .select({ n: count() })
      .from(orders)
      .where(and(...filters)),
  ]);
  const page = found.slice(0, input.first).map(toOrderView);
  const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: found.length > input.first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: Number(total?.n ?? 0),
  };
}

function encodeCursor(order: OrderView): string {
  return Buffer.from(JSON.stringify([order.createdAt, order.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string') {
      return { createdAt: isoTime('after', value[0]), id: value[1] };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new ValidationError('after', 'after is not a cursor of this list');
}

function isoTime(field: string, value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, `${field} must be an ISO-8601 date-time`);
  }
  return new Date(value).toISOString();
}

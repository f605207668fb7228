import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/connect.js';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/order.js';

export interface StatisticsRange {
  /** Inclusive lower bound on createdAt (ISO-8601). */
  from?: string;
  /** Exclusive upper bound on createdAt (ISO-8601). */
  to?: string;
}

export interface OrderStatistics {
  count: number;
  totalCents: number;
  countByStatus: Record<OrderStatus, number>;
  /** Total ÷ count in whole cents, half rounded up; 0 when there are no orders. */
  averageCents: number;
}

interface StatisticsRow {
  user_id?: string;
  count: number | string;
  total: string;
  average: string;
  by_status: Record<string, number> | string;
}

// Integer arithmetic in SQL: floor((2·total + n) / 2n) is total/n rounded half up, exactly.
const AGGREGATES = sql.raw(`count(*) AS count,
  coalesce(sum(total_cents), 0)::bigint::text AS total,
  CASE WHEN count(*) = 0 THEN '0'
       ELSE ((2 * sum(total_cents)::bigint + count(*)) / (2 * count(*)))::text END AS average,
  jsonb_build_object(${ORDER_STATUSES.map((s) => `'${s}', count(*) FILTER (WHERE status = '${s}')`).join(', ')}) AS by_status`);

/** Statistics of one user's orders, or of all orders, created in the range. */
export async function orderStatistics(
  exec: Executor,
  filter: StatisticsRange & { userId?: string } = {},
): Promise<OrderStatistics> {
  const conditions = rangeConditions(filter);
  if (filter.userId !== undefined) conditions.push(sql`user_id = ${filter.userId}`);
  const [row] = await rows<StatisticsRow>(
    exec,
    sql`SELECT ${AGGREGATES} FROM orders WHERE ${sql.join(conditions, sql` AND `)}`,
  );
  return toStatistics(row);
}

/** The same per user, in one query; users without orders in the range get zeros. */
export async function orderStatisticsByUser(
  exec: Executor,
  userIds: readonly string[],
  range: StatisticsRange = {},
): Promise<Map<string, OrderStatistics>> {
  const result = new Map<string, OrderStatistics>(userIds.map((id) => [id, toStatistics(undefined)]));
  if (userIds.length === 0) return result;
  const conditions = rangeConditions(range);
  conditions.push(
    sql`user_id IN (SELECT jsonb_array_elements_text(${JSON.stringify([...new Set(userIds)])}::jsonb))`,
  );
  const found = await rows<StatisticsRow>(
    exec,
    sql`
    SELECT user_id, ${AGGREGATES} FROM orders WHERE ${sql.join(conditions, sql` AND `)} GROUP BY user_id`,
  );
  for (const row of found) result.set(row.user_id!, toStatistics(row));
  return result;
}

function rangeConditions(range: StatisticsRange): SQL[] {
  const conditions: SQL[] = [sql`true`];
  if (range.from !== undefined) conditions.push(sql`created_at >= ${range.from}::timestamptz`);
  if (range.to !== undefined) conditions.push(sql`created_at < ${range.to}::timestamptz`);
  return conditions;
}

function toStatistics(row: StatisticsRow | undefined): OrderStatistics {
  const byStatus =
    typeof row?.by_status === 'string'
      ? (JSON.parse(row.by_status) as Record<string, number>)
      : row?.by_status;
  const countByStatus = Object.fromEntries(
    ORDER_STATUSES.map((s) => [s, Number(byStatus?.[s] ?? 0)]),
  ) as Record<OrderStatus, number>;
  return {
    count: Number(row?.count ?? 0),
    totalCents: Number(row?.total ?? 0),
    countByStatus,
    averageCents: Number(row?.average ?? 0),
  };
}

import { sql } from 'drizzle-orm';
import { rows, type Database, type Executor, type Tx } from '../db/connect.js';

export interface Notification {
  id: string;
  /** Order of writing; a subscriber's place in the outbox. */
  position: string;
  userId: string;
  orderId: string;
  kind: string;
  message: string;
  createdAt: string;
}

const COLUMNS =
  sql.raw(`id, position::text AS position, user_id AS "userId", order_id AS "orderId", kind, message,
  created_at::text AS "createdAt"`);

/** NOTIFY channel: a notification was written (wakes the hub). */
export const NOTIFICATIONS_CHANNEL = 'ledgerline_notifications';

/** Advisory lock space of the notifications outbox (see writeNotification). */
const NOTIFICATIONS_LOCK_SPACE = 7_370_004;

/**
 * Writes a notification once (its id decides), in the caller's transaction, and announces
 * it on NOTIFICATIONS_CHANNEL when that commits. Positions come
 * from a sequence, taken at insert but seen at commit; writers take turns under a
 * transaction-level advisory lock, taken before the position is, so positions become
 * visible in order and a reader that resumes after one never misses a lower one that
 * commits later.
 */
export async function writeNotification(tx: Tx, notification: Omit<Notification, 'position'>): Promise<void> {
  const { id, userId, orderId, kind, message, createdAt } = notification;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${NOTIFICATIONS_LOCK_SPACE}, 0)`);
  await tx.execute(sql`
    INSERT INTO notifications (id, user_id, order_id, kind, message, created_at)
    VALUES (${id}, ${userId}, ${orderId}, ${kind}, ${message}, ${createdAt}) ON CONFLICT (id) DO NOTHING`);
  await tx.execute(sql`SELECT pg_notify(${NOTIFICATIONS_CHANNEL}, ${userId})`);
}

export async function notificationsFor(exec: Executor, userId: string, limit = 100): Promise<Notification[]> {
  const found = await rows<Notification>(
    exec,
    sql`
    SELECT ${COLUMNS} FROM notifications WHERE user_id = ${userId} ORDER BY position DESC LIMIT ${limit}`,
  );
  return found.reverse().map(normalise);
}

/** Every notification after `position` (of one user, when given), oldest first. */
export async function notificationsAfter(
  exec: Executor,
  position: string,
  limit: number,
  userId?: string,
): Promise<Notification[]> {
  const found = await rows<Notification>(
    exec,
    sql`
    SELECT ${COLUMNS} FROM notifications
    WHERE position > ${position}::bigint ${userId === undefined ? sql`` : sql`AND user_id = ${userId}`}
    ORDER BY position LIMIT ${limit}`,
  );
  return found.map(normalise);
}

/** Orders two notification positions (decimal integers) as compare functions do. */
export function compareNotificationPositions(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export async function lastNotificationPosition(exec: Executor): Promise<string> {
  const [row] = await rows<{ position: string | null }>(
    exec,
    sql`SELECT max(position)::text AS position FROM notifications`,
  );
  return row?.position ?? '0';
}

function normalise(n: Notification): Notification {
  return { ...n, createdAt: new Date(n.createdAt).toISOString() };
}

/** The outbox as the live notification hub follows it (a LiveSource; see live/source.ts). */
export function notificationSource(database: Database) {
  return {
    what: 'notifications',
    origin: '0',
    listen: (wake: () => void) => database.listen(NOTIFICATIONS_CHANNEL, wake),
    head: () => lastNotificationPosition(database.db),
    after: (position: string, limit: number, userId?: string) =>
      notificationsAfter(database.db, position, limit, userId),
    positionOf: (notification: Notification) => notification.position,
    compare: compareNotificationPositions,
  };
}

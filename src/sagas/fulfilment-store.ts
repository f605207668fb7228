import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rows, type Executor, type Tx } from '../db/connect.js';
import {
  evolveFulfilment,
  nextActions,
  notificationFor,
  type Fulfilment,
  type FulfilmentFact,
} from './fulfilment.js';
import { writeNotification } from './notifications.js';

/** NOTIFY channel: a saga became due (wakes the worker). */
export const FULFILMENT_CHANNEL = 'ledgerline_fulfilment';

export interface StoredFulfilment {
  fulfilment: Fulfilment;
  version: number;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

interface FulfilmentRow {
  order_id: string;
  user_id: string;
  state: Fulfilment['state'];
  amount_cents: string | number;
  lines: Fulfilment['lines'];
  steps: Fulfilment['steps'];
  reason: string | null;
  tracking_number: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  sql.raw(`order_id, user_id, state, amount_cents, lines, steps, reason, tracking_number, attempts,
  next_attempt_at::text AS next_attempt_at, last_error, version, created_at::text AS created_at, updated_at::text AS updated_at`);

export async function loadFulfilment(
  exec: Executor,
  orderId: string,
  forUpdate = false,
): Promise<StoredFulfilment | undefined> {
  const [row] = await rows<FulfilmentRow>(
    exec,
    sql`
    SELECT ${COLUMNS} FROM fulfilments WHERE order_id = ${orderId} ${forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
  return row && fromRow(row);
}

/** Saga ids whose next step is due, oldest first. */
export async function dueFulfilments(exec: Executor, limit: number): Promise<string[]> {
  const found = await rows<{ order_id: string }>(
    exec,
    sql`
    SELECT order_id FROM fulfilments WHERE next_attempt_at <= now() ORDER BY next_attempt_at, created_at, order_id LIMIT ${limit}`,
  );
  return found.map((r) => r.order_id);
}

/** Sagas still reserving whose reserve step of `productId` waits for restock, oldest first. */
export async function sagasWaitingFor(exec: Executor, productId: string): Promise<string[]> {
  const waiting = JSON.stringify([{ name: `reserve:${productId}`, state: 'WAITING' }]);
  const found = await rows<{ order_id: string }>(
    exec,
    sql`
    SELECT order_id FROM fulfilments WHERE state = 'RESERVING' AND steps @> ${waiting}::jsonb ORDER BY created_at, order_id`,
  );
  return found.map((r) => r.order_id);
}

/**
 * Folds facts into one saga (creating it from `start` when it is new) under a row lock,
 * and in the same transaction writes the customer notification the change warrants.
 * A change makes the saga due at once when it has something to do; one that only waits
 * for restock is not polled (a Restocked fact wakes it). A fact that changes nothing writes nothing.
 */
export async function recordFacts(
  tx: Tx,
  orderId: string,
  facts: FulfilmentFact[],
  start?: Fulfilment,
): Promise<void> {
  const stored = await loadFulfilment(tx, orderId, true);
  const before = stored?.fulfilment;
  let after = before ?? start;
  if (!after) return;
  for (const fact of facts) after = evolveFulfilment(after, fact);
  const notification = notificationFor(before, after);
  if (notification) {
    const at = facts.at(-1)?.at ?? new Date().toISOString();
    after = evolveFulfilment(after, { type: 'CustomerNotified', kind: notification.kind, at });
    await insertNotification(tx, after, notification.kind, notification.message, at);
  }
  if (after === before) return;
  const due = nextActions(after).length > 0;
  await tx.execute(sql`
    INSERT INTO fulfilments (order_id, user_id, state, amount_cents, lines, steps, reason, tracking_number,
      attempts, next_attempt_at, last_error, version, created_at, updated_at)
    VALUES (${orderId}, ${after.userId}, ${after.state}, ${after.amount}, ${JSON.stringify(after.lines)}::jsonb,
      ${JSON.stringify(after.steps)}::jsonb, ${after.reason}, ${after.trackingNumber}, 0,
      ${due ? sql`now()` : sql`NULL`}, NULL, 1, now(), now())
    ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, steps = excluded.steps, reason = excluded.reason,
      tracking_number = excluded.tracking_number, attempts = 0, next_attempt_at = excluded.next_attempt_at,
      last_error = NULL, version = fulfilments.version + 1, updated_at = now()`);
  if (due) await tx.execute(sql`SELECT pg_notify(${FULFILMENT_CHANNEL}, ${orderId})`);
}

/**
 * The worker's bookkeeping after a pass over a saga: when to look again and why. Only if
 * no fact arrived meanwhile (the version is unchanged), or a fact's wake-up would be lost.
 */
export async function postpone(
  exec: Executor,
  orderId: string,
  version: number,
  delayMs: number,
  failure?: { error: string },
): Promise<void> {
  await exec.execute(sql`
    UPDATE fulfilments SET next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}),
      attempts = attempts + ${failure ? 1 : 0}, last_error = ${failure?.error ?? null}, updated_at = now()
    WHERE order_id = ${orderId} AND version = ${version}`);
}

async function insertNotification(
  tx: Tx,
  f: Fulfilment,
  kind: string,
  message: string,
  at: string,
): Promise<void> {
  const id = createHash('sha256')
    .update(`ledgerline:notification:${f.orderId}:${kind}`)
    .digest('hex')
    .slice(0, 32);
  await writeNotification(tx, { id, userId: f.userId, orderId: f.orderId, kind, message, createdAt: at });
}

function fromRow(row: FulfilmentRow): StoredFulfilment {
  return {
    fulfilment: {
      orderId: row.order_id,
      userId: row.user_id,
      state: row.state,
      amount: Number(row.amount_cents),
      lines: row.lines,
      steps: row.steps,
      reason: row.reason,
      trackingNumber: row.tracking_number,
    },
    version: row.version,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

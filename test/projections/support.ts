import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { rows, type Database, type Executor } from '../../src/db/connect.js';
import type { CommandMetadata } from '../../src/domain/decider.js';
import { fold } from '../../src/domain/decider.js';
import {
  orderDecider,
  orderStreamId,
  type OrderCommand,
  type OrderEvent,
  type OrderItem,
} from '../../src/domain/order.js';
import { userDecider, userStreamId, type UserCommand, type UserEvent } from '../../src/domain/user.js';
import { createEventTypeRegistry } from '../../src/event-types.js';
import { comparePositions, type Position } from '../../src/eventstore/index.js';
import type { EventStore } from '../../src/eventstore/index.js';
import { runBatch } from '../../src/processing/index.js';
import type { Projection } from '../../src/processing/index.js';

export const registry = createEventTypeRegistry();
export const silent = pino({ level: 'silent' });

let counter = 0;
/** Deterministic, unique within a test file: its database is its own. */
export function nextId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export function meta(now: string): CommandMetadata {
  return { commandId: 'cmd-test', correlationId: 'corr-test', actor: 'test', now };
}

export const ITEMS: OrderItem[] = [
  { productId: 'prod-1', quantity: 2, unitPrice: 9_999 },
  { productId: 'prod-2', quantity: 1, unitPrice: 14_999 },
];

export type Step =
  | { type: 'create'; userId: string; items?: OrderItem[]; at: string }
  | { type: 'pay'; method?: string; at: string }
  | { type: 'ship'; tracking: string; at: string }
  | { type: 'deliver'; at: string }
  | { type: 'cancel'; reason: string; at: string };

const at = (day: number) => new Date(Date.UTC(2025, 9, 1 + day)).toISOString();

/** A deterministic mix of every path an order can take. */
export function pathOf(n: number, userId: string): Step[] {
  const steps: Step[] = [
    {
      type: 'create',
      userId,
      at: at(n % 20),
      items: [{ productId: `p-${n % 7}`, quantity: 1 + (n % 3), unitPrice: 100 + n }],
    },
  ];
  const kind = n % 5;
  if (kind === 1) steps.push({ type: 'cancel', reason: 'no longer needed', at: at((n % 20) + 1) });
  if (kind >= 2) steps.push({ type: 'pay', at: at((n % 20) + 1) });
  if (kind === 2) steps.push({ type: 'cancel', reason: 'found it cheaper', at: at((n % 20) + 2) });
  if (kind >= 3) steps.push({ type: 'ship', tracking: `TRK-${n}`, at: at((n % 20) + 2) });
  if (kind === 4) steps.push({ type: 'deliver', at: at((n % 20) + 3) });
  return steps;
}

/**
 * Takes an order through `steps` with the domain's decider, one append per command with
 * its expected version, as the command handler would. Returns the last position.
 */
export async function driveOrder(store: EventStore, orderId: string, steps: Step[]): Promise<Position> {
  let events: OrderEvent[] = await loadOrderEvents(store, orderId);
  let position = '0:0';
  for (const step of steps) {
    const state = fold(orderDecider, events);
    const command = orderCommand(orderId, step, state.status === 'NONE' ? 0 : state.total);
    const produced = orderDecider.decide(command, state);
    const result = await store.appendToStream(
      orderStreamId(orderId),
      produced.map((e) => ({ id: nextId(), type: e.type, data: e.data, metadata: { actor: 'test' } })),
      { expectedVersion: events.length === 0 ? 'no_stream' : events.length },
    );
    events = [...events, ...produced];
    position = result.position;
  }
  return position;
}

async function loadOrderEvents(store: EventStore, orderId: string): Promise<OrderEvent[]> {
  return (await store.readStream(orderStreamId(orderId))).map(
    (e) => ({ type: e.type, data: e.data }) as OrderEvent,
  );
}

function orderCommand(orderId: string, step: Step, total: number): OrderCommand {
  const metadata = meta(step.at);
  switch (step.type) {
    case 'create':
      return {
        type: 'CreateOrder',
        data: { orderId, userId: step.userId, items: step.items ?? ITEMS },
        metadata,
      };
    case 'pay':
      return {
        type: 'PayOrder',
        data: { orderId, paymentMethod: step.method ?? 'card', amount: total },
        metadata,
      };
    case 'ship':
      return { type: 'ShipOrder', data: { orderId, trackingNumber: step.tracking }, metadata };
    case 'deliver':
      return { type: 'DeliverOrder', data: { orderId }, metadata };
    case 'cancel':
      return { type: 'CancelOrder', data: { orderId, reason: step.reason }, metadata };
  }
}

export async function driveUser(
  store: EventStore,
  userId: string,
  commands: UserCommand['type'][],
  email = `${userId}@example.com`,
): Promise<Position> {
  let events: UserEvent[] = (await store.readStream(userStreamId(userId))).map(
    (e) => ({ type: e.type, data: e.data }) as UserEvent,
  );
  let position = '0:0';
  for (const type of commands) {
    const state = fold(userDecider, events);
    const metadata = meta('2025-10-29T09:00:00.000Z');
    const command: UserCommand =
      type === 'RegisterUser'
        ? { type, data: { userId, username: userId, email }, metadata }
        : type === 'ChangeUserEmail'
          ? { type, data: { userId, newEmail: `new-${email}` }, metadata }
          : { type, data: { userId, reason: 'asked to' }, metadata };
    const produced = userDecider.decide(command, state);
    const result = await store.appendToStream(
      userStreamId(userId),
      produced.map((e) => ({ id: nextId(), type: e.type, data: e.data })),
      { expectedVersion: events.length === 0 ? 'no_stream' : events.length },
    );
    events = [...events, ...produced];
    position = result.position;
  }
  return position;
}

/**
 * Batches until the checkpoint reaches the newest event. The feed hides events behind any
 * older transaction still open anywhere on the server (other test files' included), so
 * an empty read is not the end: it waits and reads again.
 */
export async function catchUp(database: Database, projection: Projection, batchSize = 100): Promise<void> {
  const [newest] = await rows<{ tx: string; pos: string }>(
    database.db,
    sql`
    SELECT transaction_id::text AS tx, global_position::text AS pos FROM events
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  if (!newest) return;
  const target = `${newest.tx}:${newest.pos}`;
  for (;;) {
    const result = await runBatch(database, registry, projection, { batchSize });
    if (comparePositions(result.position, target) >= 0) return;
    if (result.read === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const READ_TABLES = {
  orders: 'id',
  order_items: 'order_id, line_number',
  order_status_history: 'transaction_id, global_position',
  users: 'id',
} as const;

/** Every read row as JSON, in key order: equal dumps mean equal tables. */
export async function dumpReadSide(exec: Executor): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(READ_TABLES)) {
    dump[table] = (
      await rows<{ row: unknown }>(exec, sql.raw(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`))
    ).map((r) => (typeof r.row === 'string' ? JSON.parse(r.row) : r.row));
  }
  return dump;
}

/** Forgets the read side: the next run builds it from the start of the feed. */
export async function resetReadSide(exec: Executor): Promise<void> {
  // DELETE, not TRUNCATE: on these few rows it is much cheaper (TRUNCATE makes new files).
  for (const table of Object.keys(READ_TABLES)) await exec.execute(sql.raw(`DELETE FROM ${table}`));
  await exec.execute(sql`DELETE FROM checkpoints`);
  await exec.execute(sql`DELETE FROM projection_status`);
}

export async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

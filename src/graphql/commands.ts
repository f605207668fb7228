import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { AppCommand, CommandResult } from '../commands/index.js';
import { requireSelf } from '../auth/policy.js';
import { orderStreamId, type CommandMetadata } from '../domain/index.js';
import { WaitForPositionTimeoutError } from '../projections/waiter.js';
import type { GraphQLContext } from './context.js';

/** How long a mutation waits for its write to reach the read tables before answering. */
const READ_YOUR_WRITE_MS = 5_000;

/** The key a mutation runs under: its argument, else the Idempotency-Key header. */
export function idempotencyKey(ctx: GraphQLContext, argument: string | null | undefined): string | undefined {
  return argument ?? ctx.idempotencyKey;
}

/**
 * A new aggregate id: random, unless the request carries an idempotency key, in which case
 * it derives from the key so that a retried request asks for the very same thing.
 */
export function newId(key: string | undefined): string {
  if (!key) return randomUUID();
  const hex = createHash('sha256').update(`ledgerline:id:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function metadataFor(ctx: GraphQLContext, key: string | undefined): CommandMetadata {
  return {
    commandId: randomUUID(),
    correlationId: ctx.requestId,
    requestId: ctx.requestId,
    actor: ctx.actor,
    idempotencyKey: key,
    now: new Date().toISOString(),
  };
}

/**
 * Handles the command, then waits (bounded) for the read side to pass its position, so
 * the payload shows the write. Domain errors propagate to the result union.
 */
export async function execute(
  ctx: GraphQLContext, build: (metadata: CommandMetadata) => AppCommand, key: string | undefined, expectedVersion?: number | null,
): Promise<CommandResult> {
  const result = await ctx.services.commands.handle(build(metadataFor(ctx, key)), { expectedVersion: expectedVersion ?? undefined });
  try {
    await ctx.services.projections.waitForPosition(result.position, READ_YOUR_WRITE_MS);
  } catch (error) {
    // The write is committed either way; the payload then shows the read side as it is.
    if (!(error instanceof WaitForPositionTimeoutError)) throw error;
    ctx.logger.warn({ position: result.position }, 'read side lagging behind a mutation');
  }
  return result;
}

/**
 * The customer an order belongs to, from its creation event (authoritative, unlike a read
 * table that may lag); undefined when the order does not exist.
 */
export async function orderOwner(ctx: GraphQLContext, orderId: string): Promise<string | undefined> {
  const [created] = await ctx.services.store.readStream(orderStreamId(orderId), { toVersion: 1 });
  return (created?.data as { userId?: string } | undefined)?.userId;
}

/** A customer acts only on its own orders; staff, admins and an open server on any. */
export async function requireOrderOwner(ctx: GraphQLContext, orderId: string, action: string): Promise<void> {
  if (ctx.viewer.open || ctx.viewer.role !== 'customer') return;
  const owner = await orderOwner(ctx, orderId);
  if (owner !== undefined) requireSelf(ctx.viewer, owner, action);
}

/**
 * The write committed but the read side has not shown it within the wait (it lags, say
 * after a fail-over): not a failure to retry, so it says where to read it from.
 */
export function writtenNotReadable(what: string, position: string): GraphQLError {
  return new GraphQLError(`${what} was written but is not readable yet; read it with consistentWith: "${position}"`, {
    extensions: { code: 'CONSISTENCY_TIMEOUT', written: true, position },
  });
}

import { createHash, randomUUID } from 'node:crypto';
import type { AppCommand, CommandResult } from '../commands/index.js';
import type { CommandMetadata } from '../domain/index.js';
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
    ctx.services.logger.warn({ position: result.position }, 'read side lagging behind a mutation');
  }
  return result;
}

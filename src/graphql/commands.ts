import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { OutcomeUnknownError, type AppCommand, type CommandResult } from '../commands/index.js';
import type { CommandMetadata } from '../domain/index.js';
import { isDatabaseUnavailable, WaitForPositionTimeoutError } from '../projections/index.js';
import type { GraphQLContext } from './context.js';

/** How long a mutation waits for its write to reach the read tables before answering. */
const READ_YOUR_WRITE_MS = 5_000;
/** The least a read-back may take, even one tried when the wait is over. */
const READ_BACK_LEAST_MS = 1_000;
/** The pauses between read-backs that found no database, doubling up to the last. */
const READ_BACK_PAUSE_MS = [50, 100, 200, 400, 500];

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
 * Handles the command. Refused or failed before its commit, it wrote nothing and the error
 * says so (a domain error, or UNAVAILABLE); a database lost while the commit was under way
 * is OUTCOME_UNKNOWN, never UNAVAILABLE.
 */
export async function execute(
  ctx: GraphQLContext,
  build: (metadata: CommandMetadata) => AppCommand,
  key: string | undefined,
  expectedVersion?: number | null,
): Promise<CommandResult> {
  try {
    return await ctx.services.commands.handle(build(metadataFor(ctx, key)), {
      expectedVersion: expectedVersion ?? undefined,
    });
  } catch (error) {
    if (error instanceof OutcomeUnknownError) throw outcomeUnknown(ctx, error, key);
    throw error;
  }
}

/**
 * Reads back what a committed command wrote, once the read side has passed its position.
 * The write is durable whatever happens here, so no failure may answer "nothing written":
 * a database that went away is read again until the wait is over, and what is still not
 * readable then is a WrittenNotReadableError carrying the position.
 */
export async function readBack<T>(
  ctx: GraphQLContext,
  what: string,
  position: string,
  read: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + READ_YOUR_WRITE_MS;
  try {
    await ctx.services.projections.waitForPosition(position, READ_YOUR_WRITE_MS);
  } catch (error) {
    // The payload then shows the read side as it is.
    if (error instanceof WaitForPositionTimeoutError)
      ctx.logger.warn({ position }, 'read side lagging behind a mutation');
    else ctx.logger.warn({ err: error, position }, 'waiting for the read side failed after a write');
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const view = await beforeDeadline(read(), deadline);
      if (view != null) return view;
      break;
    } catch (error) {
      const pause = READ_BACK_PAUSE_MS[Math.min(attempt, READ_BACK_PAUSE_MS.length - 1)]!;
      if (!isDatabaseUnavailable(error) || performance.now() + pause >= deadline) {
        ctx.logger.warn({ err: error, position }, 'could not read back a committed write');
        break;
      }
      await sleep(pause);
    }
  }
  throw new WrittenNotReadableError(what, position);
}

/** The read, or undefined if it has not answered by the deadline (or within the least time). */
function beforeDeadline<T>(read: Promise<T | undefined>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(deadline - performance.now(), READ_BACK_LEAST_MS));
  });
  // A read outrun by the deadline may still fail; nobody waits for it then.
  read.catch(() => {});
  return Promise.race([read, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * The command was written, durably, at `position`, but what it wrote could not be read back
 * within the wait (the read side lags, say after a fail-over, or the database went away
 * after the commit). Not a failure: nothing to retry, read it later at `position`.
 */
export class WrittenNotReadableError extends Error {
  readonly code = 'WRITTEN_NOT_READABLE';
  constructor(
    what: string,
    readonly position: string,
  ) {
    super(
      `${what} was written (durably, at position ${position}) but could not be read back yet; ` +
        `do not retry it, read it with consistentWith: "${position}"`,
    );
    this.name = 'WrittenNotReadableError';
  }
}

/** The commit was sent and its answer lost: only the same idempotency key makes a retry safe. */
function outcomeUnknown(
  ctx: GraphQLContext,
  error: OutcomeUnknownError,
  key: string | undefined,
): GraphQLError {
  ctx.logger.warn({ err: error.cause }, 'the database went away while a write was committing');
  const retry = key
    ? 'retry with the same idempotency key: it is applied at most once, and answers with the first result if it was written'
    : 'it was sent without an idempotency key, so check whether it was written before sending it again';
  return new GraphQLError(
    `the database went away while the write was committing, so whether it was written is unknown; ${retry}`,
    {
      extensions: { code: 'OUTCOME_UNKNOWN' },
    },
  );
}

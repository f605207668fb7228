import { GraphQLError } from 'graphql';
import type { Position } from '../eventstore/index.js';
import { WaitForPositionTimeoutError } from '../projections/index.js';
import type { GraphQLContext } from './context.js';

/** How long a read waits for the read side to catch up with a position it was given. */
export const CONSISTENCY_WAIT_MS = 5_000;

/** Waits until the read tables have passed `position` (bounded), or fails with a clear error. */
export async function consistentWith(
  ctx: GraphQLContext,
  position: Position | null | undefined,
): Promise<void> {
  if (!position) return;
  try {
    await ctx.services.projections.waitForPosition(position, CONSISTENCY_WAIT_MS);
  } catch (error) {
    if (!(error instanceof WaitForPositionTimeoutError)) throw error;
    throw new GraphQLError(
      `the read side has not reached position ${position} within ${CONSISTENCY_WAIT_MS} ms; retry, or read without consistentWith`,
      { extensions: { code: 'CONSISTENCY_TIMEOUT', position } },
    );
  }
}

export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/connect.js';
import { encodePosition, type Position } from '../../eventstore/index.js';
import { users, type UserRecord } from './table.js';

/** A user as the API reads it: its row, with its feed position in place of the raw stamp. */
export type UserView = Omit<UserRecord, 'lastTransactionId' | 'lastGlobalPosition'> & { position: Position };

export async function getUser(exec: Executor, id: string): Promise<UserView | undefined> {
  const [row] = await exec.select().from(users).where(eq(users.id, id));
  if (!row) return undefined;
  const { lastTransactionId, lastGlobalPosition, ...user } = row;
  return { ...user, position: encodePosition(lastTransactionId, lastGlobalPosition) };
}

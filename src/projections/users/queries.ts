import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/connect.js';
import { encodePosition, type Position } from '../../eventstore/index.js';
import { users } from './table.js';

export interface UserView {
  id: string;
  username: string;
  email: string;
  deleted: boolean;
  version: number;
  position: Position;
}

export async function getUser(exec: Executor, id: string): Promise<UserView | undefined> {
  const [row] = await exec.select().from(users).where(eq(users.id, id));
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    deleted: row.deleted,
    version: row.version,
    position: encodePosition(row.lastTransactionId, row.lastGlobalPosition),
  };
}

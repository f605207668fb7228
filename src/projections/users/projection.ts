import { inArray } from 'drizzle-orm';
import type { Tx } from '../../db/connect.js';
import { USER_EVENT_TYPES, type UserEvent } from '../../domain/index.js';
import type { Projection } from '../../processing/index.js';
import { evolveRows, upsert } from '../recordset.js';
import { evolveUserRow, userIdOf } from './evolve.js';
import { users, type UserRecord } from './table.js';

/** users: one row per registered user, the same transitions as userDecider.evolve. */
export const usersProjection: Projection<UserEvent> = {
  name: 'users',
  eventTypes: [...USER_EVENT_TYPES],
  tables: ['users'],
  async apply(tx, events) {
    const ids = [
      ...new Set(events.filter((e) => e.type !== 'UserRegistered' || e.version > 1).map(userIdOf)),
    ];
    const touched = await loadUsers(tx, ids);
    const changed = evolveRows(touched, events, userIdOf, evolveUserRow);
    if (changed.length > 0) await tx.execute(upsert(users, changed, 'id'));
  },
};

async function loadUsers(tx: Tx, ids: string[]): Promise<Map<string, UserRecord>> {
  if (ids.length === 0) return new Map();
  const found = await tx.select().from(users).where(inArray(users.id, ids));
  return new Map(found.map((row) => [row.id, row]));
}

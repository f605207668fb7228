import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../../db/connect.js';
import { assertNever } from '../../domain/decider.js';
import { USER_EVENT_TYPES, type UserEvent } from '../../domain/index.js';
import { decodePosition } from '../../eventstore/index.js';
import type { StoredEvent } from '../../eventstore/index.js';
import type { Projection } from '../../processing/index.js';

interface UserRow {
  id: string;
  username: string;
  email: string;
  deleted: boolean;
  version: number;
  last_transaction_id: string;
  last_global_position: string;
}

const PREFIX = 'user-';

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
    const changed = new Set<string>();
    for (const event of events) {
      const id = userIdOf(event);
      const row = evolveUserRow(touched.get(id), event);
      if (!row) continue;
      touched.set(id, row);
      changed.add(id);
    }
    if (changed.size === 0) return;
    await tx.execute(sql`
      INSERT INTO users (id, username, email, deleted, version, last_transaction_id, last_global_position)
      SELECT id, username, email, deleted, version, last_transaction_id::xid8, last_global_position
      FROM jsonb_to_recordset(${JSON.stringify([...changed].map((id) => touched.get(id)))}::jsonb)
        AS x(id text, username text, email text, deleted boolean, version int, last_transaction_id text, last_global_position bigint)
      ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email, deleted = excluded.deleted,
        version = excluded.version, last_transaction_id = excluded.last_transaction_id,
        last_global_position = excluded.last_global_position`);
  },
};

function userIdOf(event: StoredEvent): string {
  return event.streamId.startsWith(PREFIX) ? event.streamId.slice(PREFIX.length) : event.streamId;
}

function evolveUserRow(current: UserRow | undefined, stored: StoredEvent<UserEvent>): UserRow | undefined {
  const event = stored;
  const { tx, pos } = decodePosition(stored.position);
  const stamp = {
    version: stored.version,
    last_transaction_id: tx.toString(),
    last_global_position: pos.toString(),
  };
  if (event.type === 'UserRegistered') {
    const { username, email } = event.data;
    return { id: userIdOf(stored), username, email, deleted: false, ...stamp };
  }
  if (!current) return undefined;
  switch (event.type) {
    case 'UserEmailChanged':
      return { ...current, ...stamp, email: event.data.newEmail };
    case 'UserDeleted':
      return { ...current, ...stamp, deleted: true };
    default:
      return assertNever(event);
  }
}

async function loadUsers(tx: Tx, ids: string[]): Promise<Map<string, UserRow>> {
  if (ids.length === 0) return new Map();
  const found = await rows<UserRow>(
    tx,
    sql`
    SELECT id, username, email, deleted, version, last_transaction_id::text AS last_transaction_id,
      last_global_position::text AS last_global_position
    FROM users WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  return new Map(found.map((row) => [row.id, row]));
}

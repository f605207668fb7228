import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsAfter, writeNotification } from '../../src/sagas/notifications.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../support/database.js';

const T0 = '2025-11-01T10:00:00.000Z';
const note = (id: string) => ({
  id,
  userId: 'u-order',
  orderId: id,
  kind: 'shipped',
  message: `order ${id} shipped`,
  createdAt: T0,
});

// Positions come from a sequence: taken at insert, seen at commit. Concurrent writers must
// not let a later position become visible before an earlier one, or a subscriber that
// resumes after the later one never gets the earlier.
describe.runIf(ENGINES.includes('postgres'))('notification positions on postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(() => database.close());

  it('become visible in order when two writers overlap, so resuming after the last one seen misses nothing', async () => {
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstWritten!: () => void;
    const written = new Promise<void>((resolve) => {
      firstWritten = resolve;
    });
    const first = database.db.transaction(async (tx) => {
      await writeNotification(tx, note('first'));
      firstWritten();
      await firstHeld;
    });
    await written;
    const second = database.db.transaction((tx) => writeNotification(tx, note('second')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The second writer waits for the first: nothing of it is visible yet.
    const seen = await notificationsAfter(database.db, '0', 100, 'u-order');
    expect(seen).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    const all = await notificationsAfter(database.db, '0', 100, 'u-order');
    expect(all.map((n) => n.id)).toEqual(['first', 'second']);
    expect(await notificationsAfter(database.db, all[0]!.position, 100, 'u-order')).toMatchObject([
      { id: 'second' },
    ]);
  });
});

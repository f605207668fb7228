import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointWaiter } from '../../src/processing/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

/** Whether `promise` has settled by the time the event loop has turned once. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('checkpoint waiter', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(() => database.close());

  it('releases a waiter once every checkpoint has passed its position, the slowest deciding', async () => {
    // The checkpoints are not in the table: its poll reads them as the start, which releases no one.
    const waiter = new CheckpointWaiter(database, ['fast', 'slow'], 60_000);
    try {
      const early = waiter.wait('10:5', 10_000);
      const late = waiter.wait('12:1', 10_000);
      waiter.heard('fast', '20:1');
      waiter.heard('slow', '9:99');
      expect(await settled(early)).toBe(false);

      waiter.heard('slow', '10:5');
      expect(await settled(early)).toBe(true);
      expect(await settled(late)).toBe(false);

      // Positions compare as numbers, not text: 100 comes after 12.
      waiter.heard('slow', '100:0');
      expect(await settled(late)).toBe(true);

      // An older position heard late does not move a checkpoint back.
      waiter.heard('fast', '11:0');
      expect(await settled(waiter.wait('20:1', 10_000))).toBe(true);
    } finally {
      await waiter.stop();
    }
  });
});

import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';

// A server that accepts the connection and then says nothing: what a PostgreSQL behind a
// dropped route or a wedged proxy looks like to the client.
describe('a database that accepts connections but never answers', () => {
  let silent: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails a query once the connect timeout passes, as unavailable, instead of hanging', async () => {
    const database = await openDatabase({
      kind: 'postgres',
      url: `postgres://nobody@127.0.0.1:${port}/none`,
      poolMax: 2,
      connectTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const error = await database.db.execute(sql`SELECT 1`).then(
        () => undefined,
        (e: unknown) => e,
      );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(5_000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});

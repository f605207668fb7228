import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/tokens.js';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'sockets-test-secret-that-is-long-enough-for-hs256';

describe('one connection’s limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, {
      AUTH_JWT_SECRET: SECRET,
      AUTH_MAX_TOKEN_AGE: '60d',
      WS_MAX_SUBSCRIPTIONS: '3',
    });
  });
  afterAll(() => server.stop());

  it('keeps open a socket whose token expires in 40 days (past setTimeout’s 24.8-day range)', async () => {
    const token = await signToken(SECRET, { sub: 'sam', role: 'staff' }, '40d');
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
    const sub = collect(client, 'subscription { orderStatusChanged { orderId } }');
    await new Promise((r) => setTimeout(r, 500));
    expect(sub.errors).toEqual([]);
    const result = await new Promise<any>((resolve) => {
      let value: any;
      client.subscribe(
        { query: '{ projections { name } }' },
        {
          next: (r) => {
            value = r;
          },
          error: resolve,
          complete: () => resolve(value),
        },
      );
    });
    expect(result.data.projections.length).toBeGreaterThan(0);
    sub.stop();
    await client.dispose();
  });

  it('refuses the subscription past WS_MAX_SUBSCRIPTIONS with a GraphQL error and keeps the socket', async () => {
    const token = await signToken(SECRET, { sub: 'sam', role: 'staff' });
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
    const query = 'subscription($id: ID) { orderStatusChanged(orderId: $id) { orderId } }';
    const held = [1, 2, 3].map((i) => collect(client, query, { id: `o-${i}` }));
    await new Promise((r) => setTimeout(r, 300));
    const fourth = collect(client, query, { id: 'o-4' });
    await fourth.done;
    expect(JSON.stringify(fourth.errors)).toMatch(/"code":"TOO_MANY_SUBSCRIPTIONS"/);
    for (const sub of held) expect(sub.errors).toEqual([]);
    held[0]!.stop();
    await new Promise((r) => setTimeout(r, 200));
    const fifth = collect(client, query, { id: 'o-5' });
    await new Promise((r) => setTimeout(r, 300));
    expect(fifth.errors).toEqual([]);
    for (const sub of [...held, fifth]) sub.stop();
    await client.dispose();
  });
});

// One server process on a data directory of its own serves both tests: the first only
// needs a server, the second stops this one, then starts another and stops it at once.
describe('a server process', () => {
  let dir: string;
  let dataDir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerline-lock-'));
    dataDir = join(dir, 'data');
    server = await startServerProcess('sockets', { DATA_DIR: dataDir, BODY_LIMIT: '2048' });
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('logs an oversized WebSocket message as one JSON line, not a stack trace on stderr', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('x'.repeat(10_000));
    expect(await new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))).toBe(1009);
    await waitUntil(() => server.logs.some((l) => l.msg === 'websocket closed on a client error'), 5_000);
    expect(server.stderr()).toBe('');
  });

  it('removes the data directory’s lock on SIGTERM, during start-up as after it', async () => {
    await server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(stat(`${dataDir}.lock`)).rejects.toThrow(/ENOENT/);

    // SIGTERM as soon as the lock exists: the database is still opening. The start is
    // cancelled, and the process exits 0 all the same (before serving, or after).
    const starting = startServerProcess('lock-early', { DATA_DIR: dataDir }).then(
      (early) => early.exited.then(String),
      (error: Error) => error.message,
    );
    // The file exists a moment before its pid is in it, and process.kill(0) would signal
    // this whole process group: wait for the pid.
    let pid = 0;
    await waitUntil(async () => {
      pid = Number(await readFile(`${dataDir}.lock`, 'utf8').catch(() => ''));
      return pid > 0;
    }, 30_000);
    process.kill(pid, 'SIGTERM');
    await waitUntil(
      () =>
        stat(`${dataDir}.lock`).then(
          () => false,
          () => true,
        ),
      30_000,
    );
    expect(await starting).toMatch(/^0$|^server lock-early exited \(0\) before serving/);
  }, 120_000);
});

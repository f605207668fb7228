import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { printSortedSchema } from '../../src/graphql/schema.js';
import { collect, waitUntil, wsClient } from '../support/clients.js';
import { openMigratedPglite, WITH_PGLITE } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.runIf(WITH_PGLITE)('server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(() => server.stop());

  it('has a committed schema.graphql that matches the code', () => {
    expect(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')).toBe(printSortedSchema());
  });

  it('answers /health ready once migrated', async () => {
    const response = await fetch(server.url.replace('/graphql', '/health'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, database: 'up' });
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/graphiql/i);
  });

  it('closes a socket only for a graphql-ws protocol violation, with its close code', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('this is not json');
    expect(await closed).toBe(4400);
  });
});

describe.runIf(WITH_PGLITE)('an app stopped while it starts', () => {
  it('skips the stages still to come and closes the database, instead of finishing the start first', async () => {
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => messages.push(JSON.parse(line).msg) });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
    // Still opening when the stop comes, as the database of `serve` is.
    const opening = openMigratedPglite();
    const app = buildApp(config, logger, { database: opening });
    const starting = app.start(0);
    await app.stop();
    await expect(starting).rejects.toThrow('stopped during start-up');
    expect(messages).toEqual([]);
    expect(app.services).toBeUndefined();
    await expect((await opening).db.execute(sql`SELECT 1`)).rejects.toMatchObject({
      cause: { message: 'PGlite is closed' },
    });
  });
});

describe.runIf(WITH_PGLITE)('the server process', () => {
  // A process of its own with a fresh data directory (initdb): some 6 s on a quiet
  // machine, several times that on a busy one, hence the minute, as for startServerProcess.
  it('on SIGTERM completes open subscriptions, closes and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(() => /"url":"(http[^"]+)"/.test(output), 60_000);
      const url = /"url":"(http[^"]+)"/.exec(output)![1]!;
      const client = wsClient(url.replace(/^http/, 'ws'));
      const subscription = collect(client, 'subscription { orderStatusChanged { to } }');
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      await subscription.done;
      expect(await exited).toBe(0);
      expect(output).toMatch(/shutting down/);
      await client.dispose();
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitUntil } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SOCKETS = 100;
const PER_SOCKET = 10;

/** A raw graphql-transport-ws socket with `count` subscriptions started on it. */
async function subscribedSocket(url: string, count: number): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  for (let i = 0; i < count; i++) {
    socket.send(
      JSON.stringify({
        id: String(i),
        type: 'subscribe',
        payload: { query: 'subscription { orderStatusChanged { to } }' },
      }),
    );
  }
  return socket;
}

describe('client disconnects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!);
  });
  afterAll(() => server.stop());

  const counts = async () => {
    const text = await (await fetch(server.metricsUrl)).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
    return { subscriptions: read('ledgerline_active_subscriptions'), sockets: read('ledgerline_websockets') };
  };

  it('leaks nothing when 1,000 subscriptions are dropped mid-stream', async () => {
    const sockets = await Promise.all(
      Array.from({ length: SOCKETS }, () => subscribedSocket(server.wsUrl, PER_SOCKET)),
    );
    await waitUntil(
      () => server.app.services!.subscriptions.subscriberCount === SOCKETS * PER_SOCKET,
      20_000,
    );
    expect(await counts()).toEqual({ subscriptions: 1_000, sockets: SOCKETS });
    // Half go away without a word, half close properly.
    sockets.forEach((socket, i) => (i % 2 === 0 ? socket.terminate() : socket.close(1000)));
    await waitUntil(() => server.app.services!.subscriptions.subscriberCount === 0, 20_000);
    let last = await counts();
    for (let i = 0; i < 100 && (last.sockets !== 0 || last.subscriptions !== 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      last = await counts();
    }
    expect(last).toEqual({ subscriptions: 0, sockets: 0 });
    // And the server still serves new subscribers.
    const again = await subscribedSocket(server.wsUrl, 1);
    await waitUntil(() => server.app.services!.subscriptions.subscriberCount === 1, 5_000);
    again.close(1000);
    await waitUntil(() => server.app.services!.subscriptions.subscriberCount === 0, 5_000);
  });
});

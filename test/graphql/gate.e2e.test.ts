import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/tokens.js';
import { collectSse, waitUntil } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'gate-test-secret-that-is-long-enough-for-hs256';
const ITEMS = '[{ productId: "p-1", quantity: 1, price: "10.00" }]';
const ORDERS = '{ orders { edges { node { id userId } } } }';

// Production with a secret: whatever the method, path or Accept, a request without a
// valid token gets no data, and the GraphiQL page (off here) grants nothing.
describe('authentication is decided once, before any route (production)', () => {
  let server: TestServer;
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, { NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET });
    base = server.url.replace('/graphql', '');
    tokens.good = await signToken(SECRET, { sub: 'sam', role: 'staff' });
    tokens.bad = await signToken('another-secret-of-sufficient-length!!', { sub: 'sam', role: 'staff' });
    const bob = await signToken(SECRET, { sub: 'bob', role: 'customer' });
    const created = await server.gql(
      `mutation { createOrder(input: { id: "o-secret-bob", userId: "bob", items: ${ITEMS} }) { __typename } }`,
      undefined,
      { authorization: `Bearer ${bob}` },
    );
    expect(created.data?.createOrder.__typename).toBe('CreateOrderSuccess');
  });
  afterAll(() => server.stop());

  const query = encodeURIComponent(ORDERS);
  const paths = [
    '/graphql',
    '/graphql/',
    `/graphql?query=${query}`,
    `/graphql/?query=${query}`,
    `/?query=${query}`,
    '/metrics',
    '/health',
    '/dashboard/',
    '/nowhere',
  ];
  const accepts = [
    '*/*',
    'text/html',
    'text/event-stream, text/html',
    'text/html, application/json',
    'application/json',
    'application/graphql-response+json',
    'text/event-stream',
  ];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

  const send = async (method: string, path: string, accept: string, token: string | undefined) => {
    const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept,
        'x-graphql-yoga-csrf': '1',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: hasBody ? JSON.stringify({ query: ORDERS }) : undefined,
      signal: AbortSignal.timeout(5_000),
    });
    const body = method === 'HEAD' ? '' : await readSome(response);
    return { status: response.status, body };
  };

  it.each(['none', 'bad'] as const)(
    'gives no data to a request with %s token, for every method × path × Accept',
    async (which) => {
      const leaks: string[] = [];
      for (const method of methods) {
        for (const path of paths) {
          for (const accept of accepts) {
            const { status, body } = await send(
              method,
              path,
              accept,
              which === 'bad' ? tokens.bad : undefined,
            );
            if (body.includes('o-secret-bob')) leaks.push(`${method} ${path} [${accept}] → ${status}`);
            if (which === 'bad') expect(status, `${method} ${path} [${accept}]`).toBe(401);
            else if (status === 200)
              expect(
                ['/health', '/dashboard/'].includes(path) || body.includes('GraphiQL'),
                `${method} ${path} [${accept}]`,
              ).toBe(true);
          }
        }
      }
      expect(leaks).toEqual([]);
    },
  );

  it('serves data to a good token over GET, POST and SSE (so the matrix above can see a leak)', async () => {
    const post = await send('POST', '/graphql', 'application/json', tokens.good);
    expect(post.body).toContain('o-secret-bob');
    const get = await send('GET', `/graphql?query=${query}`, 'application/json', tokens.good);
    expect(get.body).toContain('o-secret-bob');
  });

  it('answers a browser opening the endpoint with a page saying GraphiQL is off, and runs nothing', async () => {
    const page = await send(
      'GET',
      `/graphql?query=${query}`,
      'text/html,application/xhtml+xml,*/*;q=0.8',
      undefined,
    );
    expect(page.status).toBe(404);
    expect(page.body).toMatch(/GraphiQL is off/);
    expect(page.body).not.toContain('o-secret-bob');
  });

  it('streams no status change without a token, whatever the Accept', async () => {
    for (const accept of ['text/event-stream', 'text/event-stream, text/html']) {
      const response = await fetch(
        `${server.url}?query=${encodeURIComponent('subscription { orderStatusChanged { orderId } }')}`,
        {
          headers: { accept, 'x-graphql-yoga-csrf': '1' },
          signal: AbortSignal.timeout(5_000),
        },
      );
      expect(response.status).not.toBe(200);
      await response.body?.cancel();
    }
  });

  it('refuses a WebSocket without a valid token: graphql-ws closes it with 4403', async () => {
    for (const payload of [{}, { authorization: `Bearer ${tokens.bad}` }, { token: tokens.bad }]) {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload }));
      expect(await new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))).toBe(
        4403,
      );
    }
  });

  it('serves no metrics on the API port; METRICS_PORT does', async () => {
    const api = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${tokens.good}` } });
    expect(await api.text()).not.toMatch(/ledgerline_commands_total/);
    expect(await (await fetch(server.metricsUrl)).text()).toMatch(/ledgerline_commands_total/);
  });
});

async function readSome(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const deadline = Date.now() + 300;
  for (;;) {
    const next = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value?: undefined }>((r) =>
        setTimeout(() => r({ done: true }), Math.max(0, deadline - Date.now())),
      ),
    ]);
    if (next.done) break;
    text += next.value;
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

// An open (development) server: what a page of another site can make a browser send.
describe('cross-site requests', () => {
  let server: TestServer;
  let listed: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!);
    listed = await startTestServer(ENGINES[0]!, { CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(async () => {
    await server.stop();
    await listed.stop();
  });

  const orderCount = async () =>
    (await server.gql('{ orders { totalCount } }')).data.orders.totalCount as number;

  it.each([
    [
      'application/x-www-form-urlencoded',
      `query=${encodeURIComponent(`mutation { createOrder(input: { id: "o-form", userId: "u", items: ${ITEMS} }) { __typename } }`)}`,
    ],
    [
      'text/plain',
      JSON.stringify({
        query: `mutation { createOrder(input: { id: "o-text", userId: "u", items: ${ITEMS} }) { __typename } }`,
      }),
    ],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: `mutation { createOrder(input: { id: "o-multi", userId: "u", items: ${ITEMS} }) { __typename } }` })}\r\n--x--\r\n`,
    ],
  ])('refuses a %s body with 415 and writes nothing', async (type, body) => {
    const before = await orderCount();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': type, origin: 'https://evil.example' },
      body,
    });
    expect(response.status).toBe(415);
    expect((await response.json()).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await orderCount()).toBe(before);
  });

  it('refuses a GET operation without a header that forces a preflight (CSRF prevention)', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{ orders { totalCount } }')}`;
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } })).status).toBe(200);
  });

  it('sends no CORS grant to an origin that is not listed, and never a reflected one with credentials', async () => {
    for (const target of [server, listed]) {
      const preflight = await fetch(target.url, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const post = await fetch(target.url, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    }
    const allowed = await fetch(listed.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a WebSocket opened by a page of another origin; same origin and non-browser clients connect', async () => {
    const opens = (headers: Record<string, string>, url = server.wsUrl) =>
      new Promise<boolean>((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
        socket.once('open', () => {
          socket.close();
          resolve(true);
        });
        socket.once('unexpected-response', () => resolve(false));
        socket.once('error', () => resolve(false));
      });
    expect(await opens({ origin: 'https://evil.example' })).toBe(false);
    expect(await opens({ origin: new URL(server.url).origin })).toBe(true);
    expect(await opens({})).toBe(true);
    expect(await opens({ origin: 'https://app.example' }, listed.wsUrl)).toBe(true);
  });

  it('keeps SSE over POST working for a same-site client', async () => {
    const sse = collectSse(server.url, 'subscription { orderStatusChanged { orderId } }');
    await new Promise((r) => setTimeout(r, 200));
    await server.gql(
      `mutation { createOrder(input: { id: "o-sse", userId: "u", items: ${ITEMS} }) { __typename } }`,
    );
    await waitUntil(() => sse.items.length > 0, 10_000);
    sse.stop();
  });
});

describe('answers every client can read', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, {}, { fulfilment: {} });
  });
  afterAll(() => server.stop());

  it('answers a body far over the limit with 413 that Node’s fetch reads (no EPIPE)', async () => {
    for (const size of [1_100_000, 8_000_000]) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(size)}` }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('connection')).toBe('close');
      expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('labels saga steps by kind, never by a customer’s product id', async () => {
    const items = Array.from(
      { length: 5 },
      (_, i) => `{ productId: "customer-chosen-${i}", quantity: 1, price: "1.00" }`,
    ).join(', ');
    await server.gql(
      `mutation { createOrder(input: { id: "o-labels", userId: "u", items: [${items}] }) { __typename } }`,
    );
    await server.gql(
      'mutation { payOrder(input: { orderId: "o-labels", paymentMethod: "card", amount: "5.00" }) { __typename } }',
    );
    await waitUntil(
      async () => (await server.gql('{ order(id: "o-labels") { status } }')).data.order.status === 'SHIPPED',
      20_000,
    );
    const text = await (await fetch(server.metricsUrl)).text();
    const steps = [...text.matchAll(/^ledgerline_saga_steps_total\{[^}]*step="([^"]*)"/gm)].map((m) => m[1]);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.filter((s) => s!.includes('customer-chosen') || s!.includes(':'))).toEqual([]);
  });
});

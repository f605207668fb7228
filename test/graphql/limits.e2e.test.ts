import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A query nested through order → history → order … deeper than the depth limit.
const deep = (levels: number) => `{ order(id: "x") { ${'history { order { '.repeat(levels)}id${' } }'.repeat(levels)} } }`;
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: projections { name }`).join(' ')} }`;
const tokens = (n: number) => `{ projections { ${'name '.repeat(n)}} }`;

describe('query limits', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(ENGINES[0]!, { GRAPHQL_INTROSPECTION: 'false' }); });
  afterAll(() => server.stop());

  const stillServing = async () => {
    expect((await server.gql('{ projections { name } }')).data.projections.length).toBeGreaterThan(0);
  };

  it.each([
    ['depth', deep(8), /depth/i],
    ['aliases', aliases(40), /aliases/i],
    ['tokens', tokens(3_000), /token/i],
    ['cost', `{ orders(first: 100) { edges { node { items { productId productName quantity unitPrice lineTotal } history { from to position occurredAt } events { id type data metadata } } } } ${aliases(10).slice(1, -1)} }`, /cost/i],
  ])('refuses a query over the %s limit over HTTP and WebSocket, and keeps serving', async (_name, query, message) => {
    const http = await server.gql(query);
    expect(http.data).toBeUndefined();
    expect(http.errors?.[0]?.message).toMatch(message);
    const client = wsClient(server.wsUrl);
    const sub = collect(client, query);
    await sub.done;
    expect(JSON.stringify(sub.errors)).toMatch(message);
    await client.dispose();
    await stillServing();
  });

  it('refuses a body over the limit before parsing it', async () => {
    const response = await fetch(server.url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ projections { name } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it.each(['POST', 'PUT'])('refuses a %s body of undeclared length (chunked), which could be any size', async (method) => {
    const response = await fetch(server.url, {
      method, headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ query: '{ projections { name } }' })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    expect((await response.json()).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
    await stillServing();
  });

  it('hides the schema when introspection is off: no introspection, no field suggestions', async () => {
    const introspection = await server.gql('{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await server.gql('{ projection { name } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    await stillServing();
  });

  it('exposes Prometheus metrics', async () => {
    await server.gql(`mutation { createOrder(input: { userId: "u", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }`);
    const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/ledgerline_commands_total\{type="CreateOrder",outcome="ok"\} 1/);
    expect(text).toMatch(/ledgerline_append_duration_seconds_count 1/);
    expect(text).toMatch(/ledgerline_projection_events_behind\{projection="orders"\} \d+/);
    expect(text).toMatch(/ledgerline_active_subscriptions 0/);
  });
  it('refuses text with a NUL character, in variables or in the document, and writes nothing', async () => {
    const cancel = 'mutation($r: String!) { cancelOrder(input: { orderId: "nul-1", reason: $r }) { __typename } }';
    const created = await server.gql(`mutation { createOrder(input: { id: "nul-1", userId: "u", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }`);
    expect(created.data.createOrder.__typename).toBe('CreateOrderSuccess');
    for (const [query, variables] of [[cancel, { r: 'bad \u0000 reason' }], ['{ order(id: "a\\u0000b") { id } }', {}]] as const) {
      const answer = await server.gql(query, variables);
      expect(answer.errors?.[0]).toMatchObject({ message: expect.stringMatching(/NUL/), extensions: { code: 'BAD_USER_INPUT' } });
    }
    const client = wsClient(server.wsUrl);
    const sub = collect(client, 'subscription { orderStatusChanged(orderId: "a\\u0000b") { to } }');
    await sub.done;
    expect(JSON.stringify(sub.errors)).toMatch(/BAD_USER_INPUT/);
    await client.dispose();
    expect((await server.gql('{ order(id: "nul-1") { status version } }')).data.order).toEqual({ status: 'PENDING', version: 1 });
  });
});

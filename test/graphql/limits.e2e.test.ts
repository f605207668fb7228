import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A query nested through order → history → order … deeper than the depth limit.
const deep = (levels: number) =>
  `{ order(id: "x") { ${'history { order { '.repeat(levels)}id${' } }'.repeat(levels)} } }`;
const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: projections { name }`).join(' ')} }`;
const tokens = (n: number) => `{ projections { ${'name '.repeat(n)}} }`;
const directives = (n: number) => `{ projections { ${'name @include(if: true) '.repeat(n)}} }`;
const typenames = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
const costly = `{ orders(first: 100) { edges { node { items { productId productName quantity unitPrice lineTotal } history { from to position occurredAt } events { id type data metadata } } } } ${aliases(10).slice(1, -1)} }`;
const createOrder = (id: string) =>
  `mutation { createOrder(input: { id: "${id}", userId: "u", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }`;

/** POSTs with an Accept header of choice and keeps the status. */
async function post(url: string, accept: string, query: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

describe('query limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, {
      GRAPHQL_INTROSPECTION: 'false',
      GRAPHQL_MAX_DIRECTIVES: '5',
    });
  });
  afterAll(() => server.stop());

  const stillServing = async () => {
    expect((await server.gql('{ projections { name } }')).data.projections.length).toBeGreaterThan(0);
  };

  it.each([
    ['depth', deep(8), /depth/i, 'QUERY_TOO_DEEP'],
    ['aliases', aliases(40), /aliases/i, 'TOO_MANY_ALIASES'],
    ['aliases (of __typename too)', typenames(100), /aliases/i, 'TOO_MANY_ALIASES'],
    ['tokens', tokens(3_000), /token/i, 'TOO_MANY_TOKENS'],
    ['cost', costly, /cost/i, 'QUERY_TOO_COSTLY'],
    ['directives (GRAPHQL_MAX_DIRECTIVES)', directives(6), /directives/i, 'TOO_MANY_DIRECTIVES'],
  ])(
    'refuses a query over the %s limit over HTTP and WebSocket, with a code, and keeps serving',
    async (_name, query, message, code) => {
      const http = await server.gql(query);
      expect(http.data).toBeUndefined();
      expect(http.errors?.[0]).toMatchObject({
        message: expect.stringMatching(message),
        extensions: { code },
      });
      expect(http.errors?.[0]?.message).not.toMatch(/Syntax Error/);
      const client = wsClient(server.wsUrl);
      const sub = collect(client, query);
      await sub.done;
      expect(JSON.stringify(sub.errors)).toMatch(message);
      expect(sub.errors).toEqual([
        [expect.objectContaining({ extensions: expect.objectContaining({ code }) })],
      ]);
      // HTTP's status hint stays on HTTP.
      expect(JSON.stringify(sub.errors)).not.toMatch(/"http"/);
      await client.dispose();
      await stillServing();
    },
  );

  it.each([
    ['depth', deep(8), 'QUERY_TOO_DEEP'],
    ['tokens', tokens(3_000), 'TOO_MANY_TOKENS'],
    ['directives', directives(6), 'TOO_MANY_DIRECTIVES'],
  ])(
    'answers a %s refusal with 400 under application/graphql-response+json, 200 under application/json',
    async (_name, query, code) => {
      const strict = await post(server.url, 'application/graphql-response+json', query);
      expect(strict.status).toBe(400);
      expect(strict.body.data).toBeUndefined();
      expect(strict.body.errors?.[0]?.extensions).toEqual({ code });
      const legacy = await post(server.url, 'application/json', query);
      expect(legacy.status).toBe(200);
      expect(legacy.body.errors?.[0]?.extensions).toEqual({ code });
    },
  );

  it('counts __typename aliases and directives (GRAPHQL_MAX_DIRECTIVES) against their limits', async () => {
    expect((await server.gql(typenames(15))).data.t14).toBe('Query');
    expect((await server.gql(typenames(16))).errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
    expect((await server.gql(directives(5))).data.projections.length).toBeGreaterThan(0);
    expect((await server.gql(directives(6))).errors?.[0]?.extensions?.code).toBe('TOO_MANY_DIRECTIVES');
  });

  it('refuses a body over the limit before parsing it', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ projections { name } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it.each(['POST', 'PUT'])(
    'refuses a %s body of undeclared length (chunked), which could be any size',
    async (method) => {
      const response = await fetch(server.url, {
        method,
        headers: { 'content-type': 'application/json' },
        body: new Blob([JSON.stringify({ query: '{ projections { name } }' })]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(411);
      expect((await response.json()).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
      await stillServing();
    },
  );

  it('hides the schema when introspection is off: no introspection, no field suggestions', async () => {
    const introspection = await server.gql('{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await server.gql('{ projection { name } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    await stillServing();
  });

  it('suggests no name at all when introspection is off, over HTTP and WebSocket', async () => {
    const typos: [string, Record<string, unknown>][] = [
      ['{ orders(status: PAI) { edges { cursor } } }', {}],
      ['query($s: OrderStatus) { orders(status: $s) { edges { cursor } } }', { s: 'PAI' }],
      ['{ orders(frist: 1) { edges { cursor } } }', {}],
      ['query($s: OrderStatu) { orders(status: $s) { edges { cursor } } }', {}],
      [
        'mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }',
        { i: { userId: 'u', item: [] } },
      ],
      ['mutation { createOrder(input: { userId: "u", item: [] }) { __typename } }', {}],
      ['subscription($o: Idd) { orderStatusChanged(orderId: $o) { to } }', {}],
    ];
    const client = wsClient(server.wsUrl);
    for (const [query, variables] of typos) {
      const { errors } = await server.gql(query, variables);
      expect(errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(errors)).not.toMatch(/Did you mean|"PAID"/);
      const sub = collect(client, query, variables);
      await sub.done;
      expect(sub.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(sub.errors)).not.toMatch(/Did you mean|"PAID"/);
    }
    await client.dispose();
  });

  it('exposes Prometheus metrics', async () => {
    await server.gql(
      `mutation { createOrder(input: { userId: "u", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }`,
    );
    const text = await (await fetch(server.metricsUrl)).text();
    expect(text).toMatch(/ledgerline_commands_total\{type="CreateOrder",outcome="ok"\} 1/);
    expect(text).toMatch(/ledgerline_append_duration_seconds_count 1/);
    expect(text).toMatch(/ledgerline_projection_events_behind\{projection="orders"\} \d+/);
    expect(text).toMatch(/ledgerline_active_subscriptions 0/);
  });
  it('refuses text with a NUL character, in variables or in the document, and writes nothing', async () => {
    const cancel =
      'mutation($r: String!) { cancelOrder(input: { orderId: "nul-1", reason: $r }) { __typename } }';
    const created = await server.gql(
      `mutation { createOrder(input: { id: "nul-1", userId: "u", items: [{ productId: "p", quantity: 1, price: "1.00" }] }) { __typename } }`,
    );
    expect(created.data.createOrder.__typename).toBe('CreateOrderSuccess');
    for (const [query, variables] of [
      [cancel, { r: 'bad \u0000 reason' }],
      ['{ order(id: "a\\u0000b") { id } }', {}],
    ] as const) {
      const answer = await server.gql(query, variables);
      expect(answer.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/NUL/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    const client = wsClient(server.wsUrl);
    const sub = collect(client, 'subscription { orderStatusChanged(orderId: "a\\u0000b") { to } }');
    await sub.done;
    expect(JSON.stringify(sub.errors)).toMatch(/BAD_USER_INPUT/);
    await client.dispose();
    expect((await server.gql('{ order(id: "nul-1") { status version } }')).data.order).toEqual({
      status: 'PENDING',
      version: 1,
    });
  });

  describe('text inputs: well-formed Unicode, no NUL, bounded length', () => {
    const refused = { extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) };
    const cancel =
      'mutation($r: String!, $k: String) { cancelOrder(idempotencyKey: $k, input: { orderId: "text-1", reason: $r }) { __typename } }';
    const unchanged = async () => {
      expect((await server.gql('{ order(id: "text-1") { status version } }')).data.order).toEqual({
        status: 'PENDING',
        version: 1,
      });
    };
    beforeAll(async () => {
      expect((await server.gql(createOrder('text-1'))).data.createOrder.__typename).toBe(
        'CreateOrderSuccess',
      );
    });

    it('refuses a lone UTF-16 surrogate in variables, over HTTP and WebSocket, and writes nothing', async () => {
      const answer = await server.gql(cancel, { r: 'bad \ud800 reason' });
      expect(answer.errors?.[0]).toMatchObject(refused);
      const id = await server.gql('query($id: ID!) { order(id: $id) { id } }', { id: '\ud800' });
      expect(id.errors?.[0]).toMatchObject(refused);
      const client = wsClient(server.wsUrl);
      const sub = collect(client, cancel, { r: 'x\udc00' });
      await sub.done;
      expect(JSON.stringify(sub.errors)).toMatch(/BAD_USER_INPUT/);
      await client.dispose();
      await unchanged();
    });

    it('refuses a lone UTF-16 surrogate written as a literal in the document', async () => {
      for (const query of [
        '{ order(id: "\\ud800") { id } }',
        '{ order(id: "\ud800") { id } }',
        createOrder('a\\udc00b'),
      ]) {
        const answer = await server.gql(query);
        expect(answer.data).toBeUndefined();
        expect(answer.errors?.[0]).toMatchObject(refused);
        expect(answer.errors?.[0]?.message).toMatch(/Unicode/);
      }
    });

    it('refuses an idempotency key over 255 characters, as an argument and as the header, and writes nothing', async () => {
      const key = 'k'.repeat(3_000);
      expect((await server.gql(cancel, { r: 'changed my mind', k: key })).errors?.[0]).toMatchObject(refused);
      expect(
        (
          await server.gql(
            `mutation { cancelOrder(idempotencyKey: "${key}", input: { orderId: "text-1", reason: "r" }) { __typename } }`,
          )
        ).errors?.[0],
      ).toMatchObject(refused);
      expect(
        (await server.gql(cancel, { r: 'changed my mind' }, { 'idempotency-key': key })).errors?.[0],
      ).toMatchObject(refused);
      const client = wsClient(server.wsUrl);
      const sub = collect(client, cancel, { r: 'changed my mind', k: key });
      await sub.done;
      expect(JSON.stringify(sub.errors)).toMatch(/BAD_USER_INPUT/);
      await client.dispose();
      await unchanged();
      const keyed = await server.gql(createOrder('text-2'), {}, { 'idempotency-key': 'k'.repeat(255) });
      expect(keyed.data.createOrder.__typename).toBe('CreateOrderSuccess');
    });

    it('refuses an id over 255 characters and text over 1,000, in variables and in the document', async () => {
      const long = 'i'.repeat(256);
      expect(
        (await server.gql('query($id: ID!) { order(id: $id) { id } }', { id: long })).errors?.[0],
      ).toMatchObject(refused);
      expect((await server.gql(`{ order(id: "${long}") { id } }`)).errors?.[0]).toMatchObject(refused);
      expect(
        (
          await server.gql('mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename } }', {
            i: { userId: 'u', items: [{ productId: long, quantity: 1, price: '1.00' }] },
          })
        ).errors?.[0],
      ).toMatchObject(refused);
      expect((await server.gql(cancel, { r: 'r'.repeat(1_001) })).errors?.[0]).toMatchObject(refused);
      await unchanged();
      // 255 passes the request check; a write's id then meets the domain's own bound (100), in the result union.
      expect((await server.gql(createOrder('i'.repeat(255)))).data.createOrder).toEqual({
        __typename: 'ValidationError',
      });
      expect(await server.gql('query($id: ID!) { order(id: $id) { id } }', { id: 'i'.repeat(255) })).toEqual({
        data: { order: null },
      });
    });
  });
});

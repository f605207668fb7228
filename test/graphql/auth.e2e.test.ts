import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/tokens.js';
import type { Role } from '../../src/auth/viewer.js';
import { collect, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';
const ITEMS = '[{ productId: "p-1", quantity: 1, price: "10.00" }]';

describe('authentication and authorization', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const run = (who: string, query: string, variables?: Record<string, unknown>) =>
    server.gql(query, variables, as(who));
  const typename = async (who: string, mutation: string) => {
    const result = await run(who, `mutation { m: ${mutation} { __typename ... on Error { code message } } }`);
    return result.data?.m?.__typename ?? result.errors?.[0]?.extensions?.code;
  };

  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, { AUTH_JWT_SECRET: SECRET });
    const sign = (sub: string, role: Role, expires = '1h') => signToken(SECRET, { sub, role }, expires);
    Object.assign(tokens, {
      alice: await sign('alice', 'customer'),
      bob: await sign('bob', 'customer'),
      staff: await sign('sam', 'staff'),
      admin: await sign('ada', 'admin'),
      expired: await sign('alice', 'customer', '-1s'),
    });
    expect(
      await typename('alice', `createOrder(input: { id: "o-alice", userId: "alice", items: ${ITEMS} })`),
    ).toBe('CreateOrderSuccess');
    expect(await typename('bob', `createOrder(input: { id: "o-bob", userId: "bob", items: ${ITEMS} })`)).toBe(
      'CreateOrderSuccess',
    );
  });
  afterAll(() => server.stop());

  it('answers 401 without a valid bearer token', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer nonsense' },
      { authorization: `Bearer ${tokens.expired}` },
      {
        authorization: `Bearer ${await signToken('another-secret-of-sufficient-length!!', { sub: 'x', role: 'admin' })}`,
      },
    ]) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"query":"{ __typename }"}',
      });
      expect(response.status).toBe(401);
      expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it.each([
    // mutation, then who is allowed (others get ForbiddenError)
    [
      `createOrder(input: { id: "o-m1-WHO", userId: "alice", items: ${ITEMS} })`,
      ['alice', 'staff', 'admin'],
      ['bob'],
    ],
    [`payOrder(input: { orderId: "o-alice", paymentMethod: "card", amount: "10.00" })`, ['alice'], ['bob']],
    [`shipOrder(input: { orderId: "o-alice", trackingNumber: "T-1" })`, ['staff'], ['alice', 'bob']],
    [`deliverOrder(input: { orderId: "o-alice" })`, ['admin'], ['alice', 'bob']],
    [`cancelOrder(input: { orderId: "o-bob", reason: "no longer needed" })`, ['bob'], ['alice']],
    [
      `registerUser(input: { id: "alice", username: "alice", email: "alice@example.com" })`,
      ['alice'],
      ['bob'],
    ],
    [`changeUserEmail(input: { userId: "alice", email: "alice2@example.com" })`, ['alice'], ['bob', 'staff']],
    [`deleteUser(input: { userId: "alice", reason: "asked to" })`, ['admin'], ['bob', 'staff']],
    [`defineProduct(input: { productId: "p-WHO", name: "Kettle" })`, ['admin'], ['alice', 'staff']],
    [`addStock(input: { productId: "p-admin", quantity: 5 })`, ['admin'], ['alice', 'staff']],
    [
      `defineProduct(input: { productId: "p-bo-WHO", name: "Kettle", backorders: true })`,
      ['admin'],
      ['alice', 'staff'],
    ],
  ])(
    '%s: allowed for %j, ForbiddenError for %j, and a refusal writes nothing',
    async (mutation, allowed, refused) => {
      const events = async () =>
        (await run('admin', '{ a: order(id: "o-alice") { version } b: order(id: "o-bob") { version } }'))
          .data;
      for (const who of refused) {
        const before = await events();
        expect(await typename(who, mutation.replace('WHO', who))).toBe('ForbiddenError');
        expect(await events()).toEqual(before);
      }
      for (const who of allowed)
        expect(await typename(who, mutation.replace('WHO', who))).toMatch(/Success$/);
    },
  );

  it('lets a customer read only its own orders, statistics and user; staff read everything', async () => {
    const code = async (who: string, query: string) => (await run(who, query)).errors?.[0]?.extensions?.code;
    expect((await run('alice', '{ order(id: "o-alice") { id } }')).data.order.id).toBe('o-alice');
    expect(await code('bob', '{ order(id: "o-alice") { id } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ orderAt(id: "o-alice", version: 1) { id } }')).toBe('FORBIDDEN');
    // Past the last version too: another customer learns nothing of the order's length.
    const pastTheEnd = (await run('bob', '{ orderAt(id: "o-alice", version: 99) { id } }')).errors?.[0];
    expect(pastTheEnd?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(await code('bob', '{ orders(userId: "alice") { totalCount } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ orderStatistics(userId: "alice") { totalOrders } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ user(id: "alice") { id } }')).toBe('FORBIDDEN');
    expect(await code('alice', '{ projections { name } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ notifications(userId: "alice") { id } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ fulfilment(orderId: "o-alice") { state } }')).toBe('FORBIDDEN');
    expect(await code('bob', '{ recommendations(userId: "alice") { productId } }')).toBe('FORBIDDEN');
    expect(
      (
        await run(
          'alice',
          '{ notifications(userId: "alice") { id } recommendations(productId: "p-1") { productId } }',
        )
      ).errors,
    ).toBeUndefined();
    const own = await run('bob', '{ orders { edges { node { userId } } } }');
    expect(new Set(own.data.orders.edges.map((e: any) => e.node.userId))).toEqual(new Set(['bob']));
    expect(
      (await run('staff', '{ orders { totalCount } projections { name } }')).data.orders.totalCount,
    ).toBeGreaterThanOrEqual(3);
    expect((await run('staff', '{ order(id: "o-alice") { id } }')).data.order.id).toBe('o-alice');
  });

  it('refuses every staff and admin field to a customer, and a refused mutation writes nothing', async () => {
    const admin = async (query: string) => (await run('admin', query)).data;
    expect(await typename('admin', 'defineProduct(input: { productId: "p-guard", name: "Guard" })')).toBe(
      'DefineProductSuccess',
    );
    expect(await typename('admin', 'addStock(input: { productId: "p-guard", quantity: 5 })')).toBe(
      'AddStockSuccess',
    );
    expect(
      await typename(
        'admin',
        'registerUser(input: { id: "dave", username: "dave", email: "dave@example.com" })',
      ),
    ).toBe('RegisterUserSuccess');
    const state = () =>
      admin(
        '{ p: product(id: "p-guard") { onHand backorders } n: product(id: "p-new") { id } ' +
          'dave: user(id: "dave") { email deleted version } carol: user(id: "carol") { id } ' +
          'o: order(id: "o-bob") { version status } }',
      );
    const before = await state();
    const refusals: [string, string][] = [
      ['bob', 'shipOrder(input: { orderId: "o-bob", trackingNumber: "T-x" })'],
      ['bob', 'deliverOrder(input: { orderId: "o-bob" })'],
      ['bob', 'defineProduct(input: { productId: "p-guard", name: "Mine", backorders: true })'],
      ['bob', 'defineProduct(input: { productId: "p-new", name: "New" })'],
      ['bob', 'addStock(input: { productId: "p-guard", quantity: 100 })'],
      ['bob', 'rebuildProjection(name: "orders")'],
      ['staff', 'rebuildProjection(name: "orders")'],
      ['bob', 'registerUser(input: { id: "carol", username: "carol", email: "carol@example.com" })'],
      ['bob', 'changeUserEmail(input: { userId: "dave", email: "bob@example.com" })'],
      ['bob', 'deleteUser(input: { userId: "dave", reason: "mine now" })'],
      ['staff', 'deleteUser(input: { userId: "dave", reason: "staff may not" })'],
    ];
    for (const [who, mutation] of refusals)
      expect(await typename(who, mutation), `${who}: ${mutation}`).toBe('ForbiddenError');
    expect(await state()).toEqual(before);

    // A refused field is a FORBIDDEN error at its path: a non-null one (projections) takes the
    // whole answer with it, a nullable one only itself.
    const mixed = await run(
      'bob',
      '{ mine: order(id: "o-bob") { id } theirs: order(id: "o-alice") { id } projections { name } }',
    );
    expect(mixed.data).toBeNull();
    expect(mixed.errors!.map((e: any) => [e.path?.[0], e.extensions.code]).sort()).toEqual([
      ['projections', 'FORBIDDEN'],
      ['theirs', 'FORBIDDEN'],
    ]);
    const partial = await run(
      'bob',
      '{ mine: order(id: "o-bob") { id } theirs: order(id: "o-alice") { id } user(id: "alice") { id } }',
    );
    expect(partial.data).toEqual({ mine: { id: 'o-bob' }, theirs: null, user: null });
    expect(partial.errors!.map((e: any) => [e.path[0], e.extensions.code, e.message]).sort()).toEqual([
      ['theirs', 'FORBIDDEN', 'you may not read order o-alice'],
      ['user', 'FORBIDDEN', 'you may not read user for user alice'],
    ]);
  });

  it('lets no customer reach another user through variables, nesting or a mutation’s own order', async () => {
    const code = async (who: string, query: string, variables?: Record<string, unknown>) =>
      (await run(who, query, variables)).errors?.map((e: any) => e.extensions.code);
    expect(await code('bob', 'query($u: ID) { orders(userId: $u) { totalCount } }', { u: 'alice' })).toEqual([
      'FORBIDDEN',
    ]);
    expect(await code('bob', '{ user(id: "alice") { orders { edges { node { id } } } } }')).toEqual([
      'FORBIDDEN',
    ]);
    expect(await code('bob', '{ recommendations(userId: "alice", productId: "p-1") { productId } }')).toEqual(
      ['FORBIDDEN'],
    );
    const sse = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...as('bob') },
      body: JSON.stringify({ query: 'subscription { orderStatusChanged(userId: "alice") { orderId } }' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(await sse.text()).toMatch(/"code":"FORBIDDEN"/);
    // The refusal names the order asked about, never whose it is.
    const paid = await run(
      'bob',
      'mutation { payOrder(input: { orderId: "o-alice", paymentMethod: "card", amount: "10.00" }) { __typename ... on Error { code message } } }',
    );
    expect(paid.data.payOrder).toEqual({
      __typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: 'you may not call payOrder on order o-alice',
    });
  });

  it('refuses a WebSocket without a valid token with 4403, and subscriptions to other customers', async () => {
    for (const params of [
      {},
      { authorization: 'Bearer nonsense' },
      { authorization: `Bearer ${tokens.expired}` },
    ]) {
      const client = wsClient(server.wsUrl, params);
      const sub = collect(client, 'subscription { orderStatusChanged { to } }');
      await sub.done;
      expect((sub.errors[0] as { code?: number }).code).toBe(4403);
      await client.dispose();
    }
    const alice = wsClient(server.wsUrl, as('alice'));
    for (const variables of [
      { userId: 'bob' },
      { orderId: 'o-bob' },
      { userId: 'alice', orderId: 'o-bob' },
    ]) {
      const sub = collect(
        alice,
        'subscription($userId: ID, $orderId: ID) { orderStatusChanged(userId: $userId, orderId: $orderId) { to } }',
        variables,
      );
      await sub.done;
      expect(JSON.stringify(sub.errors)).toMatch(/FORBIDDEN|may not/);
    }
    const mine = collect(alice, 'subscription { orderStatusChanged { orderId to } }');
    await new Promise((r) => setTimeout(r, 200));
    await typename('bob', `createOrder(input: { id: "o-bob-2", userId: "bob", items: ${ITEMS} })`);
    await typename('alice', `createOrder(input: { id: "o-alice-2", userId: "alice", items: ${ITEMS} })`);
    await mine.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(mine.items.map((d: any) => d.orderStatusChanged.orderId)).toEqual(['o-alice-2']);
    const shipOverWs = await new Promise<any>((resolve) => {
      let result: any;
      alice.subscribe(
        {
          query:
            'mutation { shipOrder(input: { orderId: "o-alice-2", trackingNumber: "T" }) { __typename } }',
        },
        {
          next: (r) => {
            result = r;
          },
          error: resolve,
          complete: () => resolve(result),
        },
      );
    });
    expect(shipOverWs.data.shipOrder.__typename).toBe('ForbiddenError');
    mine.stop();
    await alice.dispose();
  });

  it('closes a socket with 4403 when its token expires', async () => {
    const shortLived = await signToken(SECRET, { sub: 'alice', role: 'customer' }, '2s');
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${shortLived}` } }),
    );
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    expect(await closed).toBe(4403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CREATE = `mutation Create($input: CreateOrderInput!, $key: String) {
  createOrder(input: $input, idempotencyKey: $key) {
    __typename
    ... on CreateOrderSuccess { position order { id userId status totalAmount version items { productId quantity unitPrice lineTotal } } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}`;
const PAY = `mutation Pay($input: PayOrderInput!, $key: String) {
  payOrder(input: $input, idempotencyKey: $key) {
    __typename
    ... on PayOrderSuccess { position order { id status paymentMethod version } }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on InvalidStateError { status }
    ... on ConcurrencyError { expected actual }
  }
}`;
const EXAMPLE_ITEMS = [
  { productId: 'prod-1', quantity: 2, price: '99.99' },
  { productId: 'prod-2', quantity: 1, price: 149.99 },
];

describe.each(ENGINES)('orders over HTTP on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.stop());

  it("runs the original design's example: create, pay, detail, list, statistics", async () => {
    const created = await server.gql(CREATE, {
      input: { id: 'order-001', userId: 'user-123', items: EXAMPLE_ITEMS },
    });
    expect(created.data.createOrder).toMatchObject({
      __typename: 'CreateOrderSuccess',
      order: {
        id: 'order-001',
        userId: 'user-123',
        status: 'PENDING',
        totalAmount: '349.97',
        version: 1,
        items: [
          { productId: 'prod-1', quantity: 2, unitPrice: '99.99', lineTotal: '199.98' },
          { productId: 'prod-2', quantity: 1, unitPrice: '149.99', lineTotal: '149.99' },
        ],
      },
    });
    const paid = await server.gql(PAY, {
      input: { orderId: 'order-001', paymentMethod: 'credit_card', amount: '349.97' },
    });
    expect(paid.data.payOrder).toMatchObject({
      __typename: 'PayOrderSuccess',
      order: { status: 'PAID', paymentMethod: 'credit_card', version: 2 },
    });

    const detail = await server.gql(
      `query($p: Position) { order(id: "order-001", consistentWith: $p) {
      status totalAmount history { from to } events { type version schemaVersion data metadata } } }`,
      { p: paid.data.payOrder.position },
    );
    expect(detail.data.order.history).toEqual([
      { from: null, to: 'PENDING' },
      { from: 'PENDING', to: 'PAID' },
    ]);
    expect(detail.data.order.events.map((e: any) => e.type)).toEqual(['OrderCreated', 'OrderPaid']);
    expect(detail.data.order.events[1].data).toMatchObject({ paymentMethod: 'credit_card', amount: 34997 });

    const list = await server.gql(
      `{ orders(userId: "user-123") { totalCount edges { cursor node { id status totalAmount items { productId } } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(list.data.orders).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: 'order-001', status: 'PAID', totalAmount: '349.97' } }],
      pageInfo: { hasNextPage: false },
    });

    const stats = await server.gql(
      `{ orderStatistics(userId: "user-123") { totalOrders totalAmount pendingOrders completedOrders averageOrderValue byStatus { status count } } }`,
    );
    expect(stats.data.orderStatistics).toMatchObject({
      totalOrders: 1,
      totalAmount: '349.97',
      pendingOrders: 0,
      completedOrders: 0,
      averageOrderValue: '349.97',
    });
    expect(stats.data.orderStatistics.byStatus).toContainEqual({ status: 'PAID', count: 1 });
  });

  it('returns every error type in the result union, and writes nothing for them', async () => {
    const invalid = await server.gql(CREATE, {
      input: { id: 'bad-1', userId: 'u', items: [{ productId: 'p', quantity: 0, price: '1.00' }] },
    });
    expect(invalid.data.createOrder).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'items[0].quantity',
    });
    const notFound = await server.gql(PAY, {
      input: { orderId: 'nope', paymentMethod: 'card', amount: '1.00' },
    });
    expect(notFound.data.payOrder).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const wrongAmount = await server.gql(PAY, {
      input: { orderId: 'order-001', paymentMethod: 'card', amount: '1.00' },
    });
    expect(wrongAmount.data.payOrder).toMatchObject({ __typename: 'InvalidStateError', status: 'PAID' });
    await server.gql(CREATE, { input: { id: 'order-002', userId: 'user-9', items: EXAMPLE_ITEMS } });
    const amount = await server.gql(PAY, {
      input: { orderId: 'order-002', paymentMethod: 'card', amount: '300.00' },
    });
    expect(amount.data.payOrder).toMatchObject({ __typename: 'ValidationError', field: 'amount' });
    const pinned = await server.gql(PAY, {
      input: { orderId: 'order-002', paymentMethod: 'card', amount: '349.97', expectedVersion: 5 },
    });
    expect(pinned.data.payOrder).toMatchObject({
      __typename: 'ConcurrencyError',
      code: 'CONCURRENCY',
      expected: 5,
      actual: 1,
    });
    await server.gql(
      CREATE,
      { input: { id: 'order-003', userId: 'user-9', items: EXAMPLE_ITEMS } },
      { 'Idempotency-Key': 'k-conflict' },
    );
    const conflict = await server.gql(
      CREATE,
      { input: { id: 'order-004', userId: 'user-9', items: EXAMPLE_ITEMS } },
      { 'Idempotency-Key': 'k-conflict' },
    );
    expect(conflict.data.createOrder).toMatchObject({
      __typename: 'IdempotencyConflictError',
      code: 'IDEMPOTENCY_CONFLICT',
    });

    const badMoney = await server.gql(PAY, {
      input: { orderId: 'order-002', paymentMethod: 'card', amount: '1.001' },
    });
    expect(badMoney.errors?.[0]?.message).toMatch(/Money/);
    const missing = await server.gql(`{ order(id: "bad-1") { id } o4: order(id: "order-004") { id } }`);
    expect(missing.data).toEqual({ order: null, o4: null });
    const o2 = await server.gql(`{ order(id: "order-002") { status version } }`);
    expect(o2.data.order).toEqual({ status: 'PENDING', version: 1 });
  });

  it('pays once when 20 payments race', async () => {
    await server.gql(CREATE, { input: { id: 'order-race', userId: 'user-9', items: EXAMPLE_ITEMS } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.gql(PAY, { input: { orderId: 'order-race', paymentMethod: 'card', amount: '349.97' } }),
      ),
    );
    const kinds = results.map((r) => r.data.payOrder.__typename);
    expect(kinds.filter((k) => k === 'PayOrderSuccess')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'InvalidStateError')).toHaveLength(19);
    const events = await server.gql(`{ order(id: "order-race") { events { type } } }`);
    expect(events.data.order.events.map((e: any) => e.type)).toEqual(['OrderCreated', 'OrderPaid']);
  });

  it('answers a repeated idempotency key with the same response and one set of events', async () => {
    const input = { userId: 'user-idem', items: EXAMPLE_ITEMS };
    const first = await server.gql(CREATE, { input, key: 'create-once' });
    const again = await server.gql(CREATE, { input, key: 'create-once' });
    const viaHeader = await server.gql(CREATE, { input }, { 'Idempotency-Key': 'create-once' });
    expect(first.data.createOrder.__typename).toBe('CreateOrderSuccess');
    expect(again).toEqual(first);
    expect(viaHeader).toEqual(first);
    const list = await server.gql(
      `{ orders(userId: "user-idem") { totalCount edges { node { events { type } } } } }`,
    );
    expect(list.data.orders.totalCount).toBe(1);
    expect(list.data.orders.edges[0].node.events).toHaveLength(1);
  });

  it('pages orders stably and refuses a page over 100', async () => {
    for (let i = 0; i < 5; i++)
      await server.gql(CREATE, { input: { id: `page-${i}`, userId: 'user-page', items: EXAMPLE_ITEMS } });
    const first = await server.gql(
      `{ orders(userId: "user-page", first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.data.orders.totalCount).toBe(5);
    const seen = first.data.orders.edges.map((e: any) => e.node.id);
    let cursor = first.data.orders.pageInfo.endCursor;
    await server.gql(CREATE, { input: { id: 'page-new', userId: 'user-page', items: EXAMPLE_ITEMS } });
    for (;;) {
      const next = await server.gql(
        `query($after: String) { orders(userId: "user-page", first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor },
      );
      seen.push(...next.data.orders.edges.map((e: any) => e.node.id));
      if (!next.data.orders.pageInfo.hasNextPage) break;
      cursor = next.data.orders.pageInfo.endCursor;
    }
    expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    const tooMany = await server.gql(`{ orders(first: 101) { totalCount } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('answers the whole PageInfo: where a page starts, and whether one came before it', async () => {
    for (let i = 0; i < 3; i++)
      await server.gql(CREATE, { input: { id: `info-${i}`, userId: 'user-info', items: EXAMPLE_ITEMS } });
    const PAGE = `query($first: Int, $after: String) { orders(userId: "user-info", first: $first, after: $after) {
      edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const first = (await server.gql(PAGE, { first: 2 })).data.orders;
    const [a, b] = first.edges.map((e: { cursor: string }) => e.cursor);
    expect(first.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: a,
      endCursor: b,
    });
    const last = (await server.gql(PAGE, { first: 2, after: b })).data.orders;
    const [c] = last.edges.map((e: { cursor: string }) => e.cursor);
    expect(last.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: c,
      endCursor: c,
    });
    const past = (await server.gql(PAGE, { first: 2, after: c })).data.orders;
    expect(past).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
    });
  });

  it('folds an order as it was with orderAt', async () => {
    const at = await server.gql(
      `{ v1: orderAt(id: "order-001", version: 1) { status version events { type } } v2: orderAt(id: "order-001", version: 2) { status } none: orderAt(id: "order-001", at: "2000-01-01T00:00:00Z") { status } }`,
    );
    expect(at.data).toEqual({
      v1: { status: 'PENDING', version: 1, events: [{ type: 'OrderCreated' }] },
      v2: { status: 'PAID' },
      none: null,
    });
  });

  it('refuses an orderAt version past the end of the stream, or below 1', async () => {
    await server.gql(CREATE, { input: { id: 'at-3', userId: 'user-at', items: EXAMPLE_ITEMS } });
    await server.gql(PAY, { input: { orderId: 'at-3', paymentMethod: 'card', amount: '349.97' } });
    await server.gql(
      `mutation { cancelOrder(input: { orderId: "at-3", reason: "changed my mind" }) { __typename } }`,
    );
    const AT = `query($id: ID!, $v: Int) { orderAt(id: $id, version: $v) { status version events { version } } }`;
    const last = await server.gql(AT, { id: 'at-3', v: 3 });
    expect(last).toEqual({
      data: {
        orderAt: {
          status: 'CANCELLED',
          version: 3,
          events: [{ version: 1 }, { version: 2 }, { version: 3 }],
        },
      },
    });
    for (const v of [4, 99]) {
      const past = await server.gql(AT, { id: 'at-3', v });
      expect(past.data).toEqual({ orderAt: null });
      expect(past.errors).toHaveLength(1);
      expect(past.errors![0]).toMatchObject({
        message: `order at-3 has no version ${v}: its last is 3`,
        path: ['orderAt'],
        extensions: { code: 'NOT_FOUND', lastVersion: 3 },
      });
    }
    for (const v of [0, -1]) {
      expect((await server.gql(AT, { id: 'at-3', v })).errors?.[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'version' },
      });
    }
    // An order that never existed is null at any version, as order(id) is.
    expect(await server.gql(AT, { id: 'no-such-order', v: 99 })).toEqual({ data: { orderAt: null } });
  });

  it('registers users with unique emails and reads them back', async () => {
    const REGISTER = `mutation($input: RegisterUserInput!) { registerUser(input: $input) { __typename ... on RegisterUserSuccess { user { id username email } } ... on ValidationError { field } } }`;
    const ok = await server.gql(REGISTER, {
      input: { id: 'user-123', username: 'ada', email: 'Ada@Example.com' },
    });
    expect(ok.data.registerUser).toEqual({
      __typename: 'RegisterUserSuccess',
      user: { id: 'user-123', username: 'ada', email: 'ada@example.com' },
    });
    const taken = await server.gql(REGISTER, {
      input: { id: 'user-456', username: 'eve', email: 'ada@example.com' },
    });
    expect(taken.data.registerUser).toEqual({ __typename: 'ValidationError', field: 'email' });
    const user = await server.gql(`{ user(id: "user-123") { username orders { totalCount } } }`);
    expect(user.data.user).toEqual({ username: 'ada', orders: { totalCount: 1 } });
  });
});

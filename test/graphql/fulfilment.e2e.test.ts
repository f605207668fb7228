import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from '../support/clients.js';
import { ENGINES } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DEFINE = `mutation($input: DefineProductInput!) { defineProduct(input: $input) {
  __typename ... on DefineProductSuccess { position product { id name backorders onHand reserved available } } ... on Error { code message } } }`;
const ADD = `mutation($input: AddStockInput!) { addStock(input: $input) {
  __typename ... on AddStockSuccess { position product { id onHand available } } ... on Error { code message } } }`;
const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { __typename ... on Error { code message } } }`;
const PAY = `mutation($input: PayOrderInput!) { payOrder(input: $input) { __typename ... on Error { code message } } }`;
const FULFILMENT = `query($id: ID!) { fulfilment(orderId: $id) { orderId state reason trackingNumber steps { name state at detail } } }`;

describe.each(ENGINES)('fulfilment over GraphQL on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, {}, {});
  });
  afterAll(() => server.stop());

  async function order(
    id: string,
    userId: string,
    items: { productId: string; quantity: number; price: string }[],
    amount: string,
  ) {
    expect((await server.gql(CREATE, { input: { id, userId, items } })).data.createOrder.__typename).toBe(
      'CreateOrderSuccess',
    );
    expect(
      (await server.gql(PAY, { input: { orderId: id, paymentMethod: 'card', amount } })).data.payOrder
        .__typename,
    ).toBe('PayOrderSuccess');
  }

  async function settled(id: string): Promise<any> {
    let found: any;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      found = (await server.gql(FULFILMENT, { id })).data.fulfilment;
      if (['SHIPPED', 'COMPENSATED', 'FAILED'].includes(found?.state)) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`fulfilment of ${id} did not settle: ${JSON.stringify(found)}`);
  }

  it('defines products and adds stock, with typed errors', async () => {
    const defined = await server.gql(DEFINE, { input: { productId: 'kb', name: 'Keyboard' } });
    expect(defined.data.defineProduct).toMatchObject({
      __typename: 'DefineProductSuccess',
      product: { id: 'kb', name: 'Keyboard', backorders: false, onHand: 0, reserved: 0, available: 0 },
    });
    const added = await server.gql(ADD, { input: { productId: 'kb', quantity: 3 } });
    expect(added.data.addStock).toMatchObject({
      __typename: 'AddStockSuccess',
      product: { id: 'kb', onHand: 3, available: 3 },
    });
    expect(
      (await server.gql(ADD, { input: { productId: 'nope', quantity: 1 } })).data.addStock,
    ).toMatchObject({ __typename: 'NotFoundError' });
    expect((await server.gql(ADD, { input: { productId: 'kb', quantity: 0 } })).data.addStock).toMatchObject({
      __typename: 'ValidationError',
    });
    expect(
      (await server.gql(DEFINE, { input: { productId: 'kb', name: 'Other' } })).data.defineProduct,
    ).toMatchObject({ __typename: 'InvalidStateError' });
  });

  it('ships a paid order with a tracking number, reduces stock and notifies the customer once', async () => {
    await server.gql(DEFINE, { input: { productId: 'mouse', name: 'Mouse' } });
    await server.gql(ADD, { input: { productId: 'mouse', quantity: 5 } });
    const client = wsClient(server.wsUrl);
    const live = collect(
      client,
      'subscription { notificationAdded(userId: "u-happy") { orderId kind message } }',
    );
    await new Promise((r) => setTimeout(r, 200));
    await order(
      'o-happy',
      'u-happy',
      [
        { productId: 'mouse', quantity: 2, price: '10.00' },
        { productId: 'prod-1', quantity: 1, price: '99.99' },
      ],
      '119.99',
    );

    const done = await settled('o-happy');
    expect(done).toMatchObject({ orderId: 'o-happy', state: 'SHIPPED', reason: null });
    expect(done.trackingNumber).toMatch(/^LL\d{12}$/);
    expect(done.steps.map((s: any) => `${s.name}:${s.state}`)).toEqual([
      'payment:DONE',
      'reserve:mouse:DONE',
      'reserve:prod-1:DONE',
      'ship:DONE',
      'notify:DONE',
    ]);
    expect(done.steps.every((s: any) => typeof s.at === 'string')).toBe(true);

    const detail =
      await server.gql(`{ order(id: "o-happy") { status trackingNumber items { productId productName } }
      product(id: "mouse") { onHand reserved available } notifications(userId: "u-happy") { orderId kind message } }`);
    expect(detail.data.order).toEqual({
      status: 'SHIPPED',
      trackingNumber: done.trackingNumber,
      items: [
        { productId: 'mouse', productName: 'Mouse' },
        { productId: 'prod-1', productName: null },
      ],
    });
    expect(detail.data.product).toEqual({ onHand: 5, reserved: 2, available: 3 });
    const message = `Your order o-happy has shipped, tracking ${done.trackingNumber}`;
    expect(detail.data.notifications).toEqual([{ orderId: 'o-happy', kind: 'shipped', message }]);
    expect(await live.waitFor(1)).toEqual([
      { notificationAdded: { orderId: 'o-happy', kind: 'shipped', message } },
    ]);
    live.stop();
    await client.dispose();
  });

  it("resumes notifications after a position: the user's later ones replayed, then live, none twice", async () => {
    const mine = 'query { notifications(userId: "u-resume") { orderId position } }';
    for (const id of ['o-r1', 'o-r2', 'o-r3']) {
      await order(id, 'u-resume', [{ productId: 'prod-1', quantity: 1, price: '5.00' }], '5.00');
      await settled(id);
    }
    await order('o-other', 'u-other', [{ productId: 'prod-1', quantity: 1, price: '5.00' }], '5.00');
    await settled('o-other');
    const written = (await server.gql(mine)).data.notifications;
    expect(written.map((n: any) => n.orderId)).toEqual(['o-r1', 'o-r2', 'o-r3']);

    const client = wsClient(server.wsUrl);
    const resumed = collect(
      client,
      'subscription($after: String) { notificationAdded(userId: "u-resume", after: $after) { orderId position } }',
      { after: written[0].position },
    );
    await resumed.waitFor(2);
    await order('o-r4', 'u-resume', [{ productId: 'prod-1', quantity: 1, price: '5.00' }], '5.00');
    await settled('o-r4');
    const all = (await resumed.waitFor(3)).map((n: any) => n.notificationAdded);
    await new Promise((r) => setTimeout(r, 200));
    expect(all.map((n: any) => n.orderId)).toEqual(['o-r2', 'o-r3', 'o-r4']);
    expect(resumed.items).toHaveLength(3);
    expect(all[0]).toEqual(written[1]);

    const bad = collect(
      client,
      'subscription { notificationAdded(userId: "u-resume", after: "12:3") { orderId } }',
    );
    await bad.done;
    expect(bad.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }]);
    resumed.stop();
    await client.dispose();
  });

  it('refunds and cancels an order it cannot fill, keeping nothing reserved', async () => {
    await server.gql(DEFINE, { input: { productId: 'pen', name: 'Pen' } });
    await server.gql(ADD, { input: { productId: 'pen', quantity: 10 } });
    await server.gql(DEFINE, { input: { productId: 'ink', name: 'Ink' } });
    await order(
      'o-short',
      'u-short',
      [
        { productId: 'pen', quantity: 2, price: '1.50' },
        { productId: 'ink', quantity: 1, price: '346.97' },
      ],
      '349.97',
    );

    const done = await settled('o-short');
    expect(done).toMatchObject({ state: 'COMPENSATED', reason: 'out of stock: ink' });
    const detail =
      await server.gql(`{ order(id: "o-short") { status cancellationReason history { from to } events { type data } }
      products { id reserved available } notifications(userId: "u-short") { kind message } }`);
    expect(detail.data.order.status).toBe('CANCELLED');
    expect(detail.data.order.cancellationReason).toBe('out of stock: ink');
    expect(detail.data.order.history.at(-1)).toEqual({ from: 'PAID', to: 'CANCELLED' });
    expect(detail.data.order.events.at(-1)).toMatchObject({
      type: 'OrderPaymentRefunded',
      data: { amount: 34997, reason: 'out of stock: ink' },
    });
    expect(detail.data.products).toEqual(
      expect.arrayContaining([
        { id: 'pen', reserved: 0, available: 10 },
        { id: 'ink', reserved: 0, available: 0 },
      ]),
    );
    expect(detail.data.notifications).toEqual([
      {
        kind: 'compensated',
        message: 'Your order o-short was cancelled: out of stock: ink; a refund of 349.97 is on its way',
      },
    ]);
  });

  it('keeps an order short of a product taking backorders PAID and WAITING, then ships it once stock is added', async () => {
    const defined = await server.gql(DEFINE, {
      input: { productId: 'piano', name: 'Piano', backorders: true },
    });
    expect(defined.data.defineProduct).toMatchObject({
      product: { id: 'piano', backorders: true, onHand: 0 },
    });
    await order('o-piano', 'u-piano', [{ productId: 'piano', quantity: 1, price: '4999.00' }], '4999.00');

    let waiting: any;
    for (
      const deadline = Date.now() + 20_000;
      Date.now() < deadline && waiting?.steps[1]?.state !== 'WAITING';
    ) {
      waiting = (await server.gql(FULFILMENT, { id: 'o-piano' })).data.fulfilment;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiting).toMatchObject({ state: 'RESERVING', reason: null });
    expect(waiting.steps.map((s: any) => `${s.name}:${s.state}`)).toEqual([
      'payment:DONE',
      'reserve:piano:WAITING',
      'ship:PENDING',
    ]);
    expect((await server.gql('{ order(id: "o-piano") { status } }')).data.order.status).toBe('PAID');

    await server.gql(ADD, { input: { productId: 'piano', quantity: 1 } });
    const done = await settled('o-piano');
    expect(done.state).toBe('SHIPPED');
    expect(
      (await server.gql('{ product(id: "piano") { backorders onHand reserved } }')).data.product,
    ).toEqual({ backorders: true, onHand: 1, reserved: 1 });
  });
});

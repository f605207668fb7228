import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/tokens.js';
import { createEventTypeRegistry } from '../../src/event-types.js';
import { checkOrders } from '../../src/projections/orders/checker.js';
import { ENGINES } from '../support/database.js';
import { createOrder, payOrder } from '../support/orders.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'rebuild-secret-that-is-long-enough-for-hs256';
const REBUILD = `mutation($name: String!) {
  rebuildProjection(name: $name) {
    __typename
    ... on RebuildProjectionSuccess { eventsProcessed position projection { name state position } }
    ... on Error { code message }
  }
}`;

describe.each(ENGINES)('rebuilding a projection through the API on %s', (engine) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    server = await startTestServer(engine, { AUTH_JWT_SECRET: SECRET });
    for (const [who, role] of [
      ['ada', 'admin'],
      ['alice', 'customer'],
      ['sam', 'staff'],
    ] as const) {
      headers[who] = { authorization: `Bearer ${await signToken(SECRET, { sub: who, role })}` };
    }
    const gql = (query: string, variables?: Record<string, unknown>) =>
      server.gql(query, variables, headers.ada);
    for (let i = 0; i < 5; i++) {
      expect((await createOrder(gql, `rb-${i}`, 'alice')).outcome).toBe('CreateOrderSuccess');
      if (i % 2 === 0) expect((await payOrder(gql, `rb-${i}`)).outcome).toBe('PayOrderSuccess');
    }
  });
  afterAll(() => server?.stop());

  it('lets an admin rebuild, after which the read tables equal the events', async () => {
    const { data } = await server.gql(REBUILD, { name: 'orders' }, headers.ada);
    expect(data.rebuildProjection).toMatchObject({
      __typename: 'RebuildProjectionSuccess',
      projection: { name: 'orders' },
    });
    expect(data.rebuildProjection.eventsProcessed).toBeGreaterThanOrEqual(8);
    const services = server.app.services!;
    const check = await checkOrders(services.database, createEventTypeRegistry());
    expect(check).toMatchObject({ checked: 5, mismatches: [] });
    const orders = await server.gql('{ orders(first: 10) { edges { node { id } } } }', {}, headers.ada);
    expect(orders.data.orders.edges).toHaveLength(5);
    // The live projection goes on after the switch.
    expect((await createOrder((q, v) => server.gql(q, v, headers.ada), 'rb-after', 'alice')).outcome).toBe(
      'CreateOrderSuccess',
    );
    const after = await server.gql('{ order(id: "rb-after") { status } }', {}, headers.ada);
    expect(after.data.order).toEqual({ status: 'PENDING' });
  });

  it('refuses everyone but admins, and an unknown projection', async () => {
    for (const who of ['alice', 'sam']) {
      const { data } = await server.gql(REBUILD, { name: 'orders' }, headers[who]);
      expect(data.rebuildProjection).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    const unknown = await server.gql(REBUILD, { name: 'nope' }, headers.ada);
    expect(unknown.data.rebuildProjection).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });
});

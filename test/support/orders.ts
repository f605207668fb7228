import pg from 'pg';

type Gql = (
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<{ data?: any; errors?: any[] }>;

export const ALL_CHANGES = `subscription($after: Position) {
  orderStatusChanged(after: $after) { orderId from to position }
}`;

const CREATE = `mutation($i: CreateOrderInput!) { createOrder(input: $i) { __typename ... on CreateOrderSuccess { position } } }`;
const PAY = `mutation($i: PayOrderInput!) { payOrder(input: $i) { __typename ... on PayOrderSuccess { position } } }`;
const CANCEL = `mutation($i: CancelOrderInput!) { cancelOrder(input: $i) { __typename } }`;
const DELIVER = `mutation($i: DeliverOrderInput!) { deliverOrder(input: $i) { __typename } }`;
const ORDER = `query($id: ID!) { order(id: $id) { status events { type metadata } } }`;

export const ONE_LINE = [{ productId: 'prod-1', quantity: 1, price: '10.00' }];

/** What one mutation came to: its result's typename, or the code of the GraphQL error it failed with. */
export interface Outcome {
  outcome: string;
  message?: string;
  ms: number;
}

/** Runs a mutation and reduces it to its outcome, timing it. */
export async function attempt(
  gql: Gql,
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Outcome> {
  const started = performance.now();
  try {
    const result = await gql(query, variables, headers);
    const ms = performance.now() - started;
    const error = result.errors?.[0];
    if (error)
      return { outcome: String(error.extensions?.code ?? 'ERROR'), message: String(error.message), ms };
    return {
      outcome: String((Object.values(result.data ?? {})[0] as { __typename?: string } | null)?.__typename),
      ms,
    };
  } catch (error) {
    return { outcome: 'NETWORK', message: String(error), ms: performance.now() - started };
  }
}

export const createOrder = (gql: Gql, id: string, userId = 'user-1', headers?: Record<string, string>) =>
  attempt(gql, CREATE, { i: { id, userId, items: ONE_LINE } }, headers);

export const payOrder = (gql: Gql, orderId: string) =>
  attempt(gql, PAY, { i: { orderId, paymentMethod: 'card', amount: '10.00' } });

export const cancelOrder = (gql: Gql, orderId: string) =>
  attempt(gql, CANCEL, { i: { orderId, reason: 'changed my mind' } });

export const deliverOrder = (gql: Gql, orderId: string) => attempt(gql, DELIVER, { i: { orderId } });

export async function readOrder(
  gql: Gql,
  id: string,
): Promise<{ status: string; events: Array<{ type: string; metadata: any }> } | null> {
  const result = await gql(ORDER, { id });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.order;
}

/** Every position in order_status_history, in feed order: what subscribers to all changes must receive. */
export async function historyPositions(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ p: string }>(
      `SELECT transaction_id::text || ':' || global_position AS p FROM order_status_history ORDER BY transaction_id, global_position`,
    );
    return rows.map((r) => r.p);
  } finally {
    await client.end();
  }
}

/** Duplicates and gaps of `received` against `expected` (both in feed order) from `received`'s first position on. */
export function compareDelivery(received: readonly string[], expected: readonly string[], from?: string) {
  const start = from === undefined ? 0 : expected.indexOf(from) + 1;
  const due = expected.slice(start);
  const seen = new Set(received);
  const dueSet = new Set(due);
  return {
    duplicates: received.length - seen.size,
    gaps: due.filter((p) => !seen.has(p)).length,
    unexpected: received.filter((p) => !dueSet.has(p)).length,
  };
}

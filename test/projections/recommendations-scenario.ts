import type { OrderItem } from '../../src/domain/order.js';
import type { EventStore } from '../../src/eventstore/index.js';
import type { Position } from '../../src/eventstore/index.js';
import { driveOrder, type Step } from './support.js';

// Three users, five products. Only paid orders count, and o5 (paid, then cancelled) and
// o6 (never paid) must leave no trace. The counted orders give these pairs:
//   o1 alice A B C → A–B, A–C, B–C     o2 bob A B → A–B     o3 bob B D → B–D     o4 carol A E → A–E
// so A–B = 2 and A–C = B–C = B–D = A–E = 1.

export const USERS = ['alice', 'bob', 'carol'] as const;
export const PRODUCTS = ['A', 'B', 'C', 'D', 'E'] as const;

const day = (n: number) => new Date(Date.UTC(2025, 10, 1 + n)).toISOString();
const items = (...products: string[]): OrderItem[] =>
  products.map((productId, i) => ({ productId, quantity: 1 + i, unitPrice: 1_000 }));
const paid = (userId: string, products: string[], n: number): Step[] => [
  { type: 'create', userId, items: items(...products), at: day(n) },
  { type: 'pay', at: day(n) },
];

export const ORDERS: [string, Step[]][] = [
  ['o1', paid('alice', ['A', 'B', 'C'], 1)],
  ['o2', paid('bob', ['A', 'B'], 2)],
  [
    'o3',
    [
      ...paid('bob', ['B', 'D'], 3),
      { type: 'ship', tracking: 'TRK-3', at: day(4) },
      { type: 'deliver', at: day(5) },
    ],
  ],
  ['o4', paid('carol', ['A', 'E', 'A'], 4)],
  ['o5', [...paid('carol', ['C', 'D', 'E'], 5), { type: 'cancel', reason: 'changed my mind', at: day(6) }]],
  ['o6', [{ type: 'create', userId: 'alice', items: items('D', 'E'), at: day(7) }]],
];

/** Highest score first, ties by product id. */
export const EXPECTED = {
  products: {
    A: [
      { productId: 'B', score: 2 },
      { productId: 'C', score: 1 },
      { productId: 'E', score: 1 },
    ],
    B: [
      { productId: 'A', score: 2 },
      { productId: 'C', score: 1 },
      { productId: 'D', score: 1 },
    ],
    C: [
      { productId: 'A', score: 1 },
      { productId: 'B', score: 1 },
    ],
    D: [{ productId: 'B', score: 1 }],
    E: [{ productId: 'A', score: 1 }],
  },
  users: {
    // has A B C: D through B, E through A.
    alice: [
      { productId: 'D', score: 1 },
      { productId: 'E', score: 1 },
    ],
    // has A B D: C through A and B, E through A.
    bob: [
      { productId: 'C', score: 2 },
      { productId: 'E', score: 1 },
    ],
    // has A E (not C D: o5 was cancelled): B through A twice, C through A.
    carol: [
      { productId: 'B', score: 2 },
      { productId: 'C', score: 1 },
    ],
  },
} as const;

/** Writes every order of the scenario; returns the last position. */
export async function writeScenario(store: EventStore): Promise<Position> {
  let last = '0:0';
  for (const [id, steps] of ORDERS) last = await driveOrder(store, id, steps);
  return last;
}

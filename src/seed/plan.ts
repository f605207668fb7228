import type { AppCommand } from '../commands/index.js';
import type { CommandMetadata, OrderCommand, OrderItem, OrderStatus, RegisterUser } from '../domain/index.js';
import {
  CANCEL_REASONS_PAID,
  CANCEL_REASONS_PENDING,
  PAYMENT_METHODS,
  SEED_PEOPLE,
  SEED_PRODUCTS,
} from './catalogue.js';

export interface SeedOptions {
  orders: number;
  /** The newest moment an order event may carry; the history spreads over the 30 days before it. */
  until: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPAN = 30 * DAY;

/**
 * Every command of the seed, in the order to run them. Ids and command ids are fixed and
 * the choices come from a seeded generator, so a second run sends the very same commands
 * and the store recognises each one instead of writing it again.
 */
export function seedPlan({ orders, until }: SeedOptions): AppCommand[] {
  const random = generator(8);
  const end = until.getTime();
  const users = SEED_PEOPLE.map(([first, last], i) => registerUser(i + 1, first, last, end - SPAN - DAY));
  const ages = Array.from({ length: orders }, () => Math.floor(HOUR / 2 + random() ** 1.6 * SPAN)).sort(
    (a, b) => b - a,
  );
  const lifecycles = ages.flatMap((age, i) => orderCommands(`seed-order-${i + 1}`, end - age, age, random));
  // Interleaved by time, as real traffic would have written them; the sort is stable, so
  // an order's own steps stay in their order even when two share a moment.
  const byTime = lifecycles.sort((a, b) => Date.parse(a.metadata.now) - Date.parse(b.metadata.now));
  return [...products(end - SPAN - 2 * DAY), ...users, ...byTime];
}

/**
 * The catalogue under stock control, with stock enough for every seeded order, but for
 * the one product that takes backorders: it gets none, so the orders left PAID (which all
 * want one) wait for it under the running saga instead of shipping at once.
 */
function products(at: number): AppCommand[] {
  return SEED_PRODUCTS.flatMap((product): AppCommand[] => {
    const data = {
      productId: product.id,
      name: product.name,
      ...(product.backorders ? { backorders: true } : {}),
    };
    const define: AppCommand = {
      type: 'DefineProduct',
      data,
      metadata: metadata(`${product.id}:define`, 'seed', at),
    };
    if (product.backorders) return [define];
    const stock: AppCommand = {
      type: 'AddStock',
      data: { productId: product.id, quantity: 1_000 },
      metadata: metadata(`${product.id}:stock`, 'seed', at),
    };
    return [define, stock];
  });
}

function registerUser(n: number, first: string, last: string, at: number): RegisterUser {
  const username = ascii(`${first}.${last}`).toLowerCase();
  const userId = `seed-user-${n}`;
  return {
    type: 'RegisterUser',
    data: { userId, username, email: `${username}@example.com` },
    metadata: metadata(`${userId}:register`, userId, at),
  };
}

/** An order's life up to the status its age makes likely: recent ones are mostly still open. */
function orderCommands(
  orderId: string,
  createdAt: number,
  age: number,
  random: () => number,
): OrderCommand[] {
  const userId = `seed-user-${1 + Math.floor(random() * SEED_PEOPLE.length)}`;
  const picked = pickItems(random);
  const target = pickStatus(age, random);
  // Added after the draws, not drawn: the rest of the plan stays as it was.
  const items = target === 'PAID' ? withBackorderedLine(picked) : picked;
  const total = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
  const at = (fraction: number, minimum: number) =>
    createdAt + Math.min(age - MINUTE, Math.max(minimum, age * fraction));
  const paidAt = at(0.05 * random(), 2 * MINUTE);
  const shippedAt = at(0.2 + 0.2 * random(), HOUR);
  const deliveredAt = at(0.6 + 0.3 * random(), 2 * HOUR);
  const step = (name: string, when: number) => metadata(`${orderId}:${name}`, orderId, when);

  const commands: OrderCommand[] = [
    { type: 'CreateOrder', data: { orderId, userId, items }, metadata: step('create', createdAt) },
  ];
  const paid = target !== 'PENDING' && !(target === 'CANCELLED' && random() < 0.6);
  if (paid) {
    const paymentMethod = pick(PAYMENT_METHODS, random);
    commands.push({
      type: 'PayOrder',
      data: { orderId, paymentMethod, amount: total },
      metadata: step('pay', paidAt),
    });
  }
  if (target === 'CANCELLED') {
    const reason = pick(paid ? CANCEL_REASONS_PAID : CANCEL_REASONS_PENDING, random);
    commands.push({ type: 'CancelOrder', data: { orderId, reason }, metadata: step('cancel', shippedAt) });
  }
  if (target === 'SHIPPED' || target === 'DELIVERED') {
    const trackingNumber = `1Z${Math.floor(random() * 1e10)
      .toString()
      .padStart(10, '0')}`;
    commands.push({
      type: 'ShipOrder',
      data: { orderId, trackingNumber },
      metadata: step('ship', shippedAt),
    });
  }
  if (target === 'DELIVERED')
    commands.push({ type: 'DeliverOrder', data: { orderId }, metadata: step('deliver', deliveredAt) });
  return commands;
}

function pickItems(random: () => number): OrderItem[] {
  const lines = 1 + Math.floor(random() ** 2 * 4);
  const products = [...SEED_PRODUCTS];
  // A partial Fisher–Yates shuffle: the first `lines` products, none twice.
  for (let i = 0; i < lines; i++) {
    const j = i + Math.floor(random() * (products.length - i));
    [products[i], products[j]] = [products[j]!, products[i]!];
  }
  return products.slice(0, lines).map((p) => ({
    productId: p.id,
    quantity: p.priceCents > 20_000 ? 1 : 1 + Math.floor(random() ** 3 * 4),
    unitPrice: p.priceCents,
  }));
}

/** An order left PAID wants the product that takes backorders, so it stays PAID until stock comes in. */
function withBackorderedLine(items: OrderItem[]): OrderItem[] {
  const product = SEED_PRODUCTS.find((p) => p.backorders)!;
  if (items.some((item) => item.productId === product.id)) return items;
  return [...items, { productId: product.id, quantity: 1, unitPrice: product.priceCents }];
}

function pickStatus(age: number, random: () => number): OrderStatus {
  const weights: [OrderStatus, number][] =
    age < 6 * HOUR
      ? [
          ['PENDING', 50],
          ['PAID', 30],
          ['SHIPPED', 10],
          ['CANCELLED', 10],
        ]
      : age < 3 * DAY
        ? [
            ['PENDING', 10],
            ['PAID', 25],
            ['SHIPPED', 40],
            ['DELIVERED', 15],
            ['CANCELLED', 10],
          ]
        : [
            ['PENDING', 4],
            ['PAID', 4],
            ['SHIPPED', 8],
            ['DELIVERED', 72],
            ['CANCELLED', 12],
          ];
  let roll = random() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [status, weight] of weights) {
    roll -= weight;
    if (roll < 0) return status;
  }
  return weights.at(-1)![0];
}

function metadata(commandId: string, correlationId: string, at: number): CommandMetadata {
  return {
    commandId: `seed:${commandId}`,
    correlationId: `seed:${correlationId}`,
    actor: 'seed',
    now: new Date(at).toISOString(),
  };
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z.]/g, '');
}

/** mulberry32: small, fast and the same on every machine, which Math.random() is not. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

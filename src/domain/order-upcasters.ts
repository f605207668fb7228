import { ValidationError } from './errors.js';
import { parseMoney, type Cents } from './money.js';
import type { OrderCreated } from './order-types.js';

type Json = Record<string, unknown>;

function record(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `${field} must be an object in OrderCreated v1`);
  }
  return value as Json;
}

function text(obj: Json, key: string, field: string): string {
  const value = obj[key];
  if (typeof value !== 'string')
    throw new ValidationError(field, `${field} must be a string in OrderCreated v1`);
  return value;
}

/**
 * v1 stored money as JSON floats. `toPrecision(15)` drops only binary noise such as
 * 349.97000000000003 left by float sums (any decimal of up to 15 significant digits
 * survives a double round trip), then the digits are parsed exactly; a genuine third
 * decimal is still rejected.
 */
function legacyMoney(value: unknown, field: string): Cents {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, `${field} must be a finite number in OrderCreated v1`);
  }
  return parseMoney(Number(value.toPrecision(15)), field);
}

/** OrderCreated schema v1 (snake_case, float money) → the current shape. */
export function upcastOrderCreatedV1(data: unknown): OrderCreated['data'] {
  const v1 = record(data, 'data');
  const rawItems = v1['items'];
  if (!Array.isArray(rawItems))
    throw new ValidationError('items', 'items must be an array in OrderCreated v1');
  const items = rawItems.map((raw: unknown, i) => {
    const item = record(raw, `items[${i}]`);
    const quantity = item['quantity'];
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity)) {
      throw new ValidationError(
        `items[${i}].quantity`,
        `items[${i}].quantity must be an integer in OrderCreated v1`,
      );
    }
    return {
      productId: text(item, 'product_id', `items[${i}].product_id`),
      quantity,
      unitPrice: legacyMoney(item['price'], `items[${i}].price`),
    };
  });
  return {
    orderId: text(v1, 'order_id', 'order_id'),
    userId: text(v1, 'user_id', 'user_id'),
    items,
    // Kept as recorded: v1 totals need not equal the sum of the stored lines.
    total: legacyMoney(v1['total_amount'], 'total_amount'),
    createdAt: text(v1, 'created_at', 'created_at'),
  };
}

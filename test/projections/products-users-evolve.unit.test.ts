import { describe, expect, it } from 'vitest';
import type { InventoryEvent, UserEvent } from '../../src/domain/index.js';
import type { StoredEvent } from '../../src/eventstore/index.js';
import { evolveProductRow, type ProductEvent } from '../../src/projections/products/evolve.js';
import type { ProductRecord } from '../../src/projections/products/table.js';
import { evolveUserRow } from '../../src/projections/users/evolve.js';
import type { UserRecord } from '../../src/projections/users/table.js';

/** Events stored one after another on one stream, at positions 9:1, 9:2, … */
function stored<E extends InventoryEvent | UserEvent>(streamId: string, events: E[]): StoredEvent<E>[] {
  return events.map((event, i) => ({
    ...event,
    id: `e-${i + 1}`,
    streamId,
    streamType: streamId.split('-')[0]!,
    version: i + 1,
    position: `9:${i + 1}`,
    schemaVersion: 1,
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  })) as unknown as StoredEvent<E>[];
}

function foldRows<R, E>(evolve: (row: R | undefined, event: E) => R | undefined, events: E[]): R | undefined {
  return events.reduce<R | undefined>((row, event) => evolve(row, event) ?? row, undefined);
}

describe('the products row evolve', () => {
  const defined: ProductEvent = {
    type: 'ProductDefined',
    data: { productId: 'p1', name: 'Mug', backorders: false },
  };
  const added: ProductEvent = { type: 'StockAdded', data: { quantity: 5 } };
  const reserved: ProductEvent = {
    type: 'StockReserved',
    data: { orderId: 'o1', quantity: 2 },
  };
  const released: ProductEvent = {
    type: 'StockReleased',
    data: { orderId: 'o1', quantity: 1 },
  };

  it('given a product defined, stocked, reserved and partly released, counts on hand and reserved', () => {
    const row = foldRows<ProductRecord, StoredEvent<ProductEvent>>(
      evolveProductRow,
      stored('product-p1', [defined, added, reserved, released]),
    );
    expect(row).toEqual({ id: 'p1', name: 'Mug', backorders: false, onHand: 5, reserved: 1, version: 4 });
  });

  it('given stock of a product never defined, writes nothing', () => {
    expect(evolveProductRow(undefined, stored('product-p1', [added])[0]!)).toBeUndefined();
  });
});

describe('the users row evolve', () => {
  const registered: UserEvent = {
    type: 'UserRegistered',
    data: { userId: 'u1', username: 'ada', email: 'ada@example.com' },
  };
  const changed: UserEvent = {
    type: 'UserEmailChanged',
    data: { oldEmail: 'ada@example.com', newEmail: 'ada@example.org' },
  };
  const deleted: UserEvent = { type: 'UserDeleted', data: { reason: 'asked to leave' } };

  it('given registered, email changed and deleted, keeps the new email, marks deleted, stamps the position', () => {
    const row = foldRows<UserRecord, StoredEvent<UserEvent>>(
      evolveUserRow,
      stored('user-u1', [registered, changed, deleted]),
    );
    expect(row).toEqual({
      id: 'u1',
      username: 'ada',
      email: 'ada@example.org',
      deleted: true,
      version: 3,
      lastTransactionId: '9',
      lastGlobalPosition: 3n,
    });
  });

  it('given a change to a user never registered, writes nothing', () => {
    expect(evolveUserRow(undefined, stored('user-u1', [changed])[0]!)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  InvalidStateError,
  NotFoundError,
  NotStockManagedError,
  ValidationError,
} from '../../src/domain/errors.js';
import {
  INVENTORY_EVENT_SCHEMA_VERSIONS,
  inventoryDecider,
  upcastProductDefinedV1,
  type InventoryCommand,
  type InventoryEvent,
} from '../../src/domain/inventory.js';
import { createEventTypeRegistry } from '../../src/event-types.js';
import { given } from './given.js';

const metadata = {
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  actor: 'test',
  now: '2026-01-01T00:00:00.000Z',
};
const P = 'widget';
const define = (name = 'Widget', backorders?: boolean): InventoryCommand => ({
  type: 'DefineProduct',
  data: { productId: P, name, ...(backorders === undefined ? {} : { backorders }) },
  metadata,
});
const add = (quantity: number): InventoryCommand => ({
  type: 'AddStock',
  data: { productId: P, quantity },
  metadata,
});
const reserve = (orderId: string, quantity: number): InventoryCommand => ({
  type: 'ReserveStock',
  data: { productId: P, orderId, quantity },
  metadata,
});
const release = (orderId: string): InventoryCommand => ({
  type: 'ReleaseStock',
  data: { productId: P, orderId },
  metadata,
});

const defined: InventoryEvent = {
  type: 'ProductDefined',
  data: { productId: P, name: 'Widget', backorders: false },
};
const definedForBackorders: InventoryEvent = {
  type: 'ProductDefined',
  data: { productId: P, name: 'Widget', backorders: true },
};
const added = (quantity: number): InventoryEvent => ({ type: 'StockAdded', data: { quantity } });
const reserved = (orderId: string, quantity: number): InventoryEvent => ({
  type: 'StockReserved',
  data: { orderId, quantity },
});
const backordered = (orderId: string, requested: number, available: number): InventoryEvent => ({
  type: 'StockBackordered',
  data: { orderId, requested, available },
});

describe('inventory decider', () => {
  it('defines a product once; the same definition again is a no-op, another name a conflict', () => {
    given(inventoryDecider, []).when(define()).then([defined]);
    given(inventoryDecider, [defined]).when(define()).thenNothing();
    given(inventoryDecider, [defined]).when(define('Gadget')).thenThrows(InvalidStateError);
  });

  it('defines a product that takes backorders only when asked to; the policy is part of the definition', () => {
    given(inventoryDecider, []).when(define('Widget', true)).then([definedForBackorders]);
    given(inventoryDecider, []).when(define('Widget', false)).then([defined]);
    given(inventoryDecider, [definedForBackorders]).when(define('Widget', true)).thenNothing();
    given(inventoryDecider, [definedForBackorders]).when(define()).thenThrows(InvalidStateError);
    given(inventoryDecider, [defined]).when(define('Widget', true)).thenThrows(InvalidStateError);
  });

  it('backorders what a product taking backorders is short of, holding none of its stock', () => {
    const state = given(inventoryDecider, [definedForBackorders, added(3), reserved('o-1', 2)])
      .when(reserve('o-2', 2))
      .then([{ type: 'StockBackordered', data: { orderId: 'o-2', requested: 2, available: 1 } }]);
    expect(state).toMatchObject({ onHand: 3, reservations: { 'o-1': 2 } });
    // The unit still free is still free, and the order asks again once stock comes in.
    given(inventoryDecider, [definedForBackorders, added(3), reserved('o-1', 2), backordered('o-2', 2, 1)])
      .when(reserve('o-3', 1))
      .then([reserved('o-3', 1)]);
    given(inventoryDecider, [
      definedForBackorders,
      added(3),
      reserved('o-1', 2),
      backordered('o-2', 2, 1),
      added(1),
    ])
      .when(reserve('o-2', 2))
      .then([reserved('o-2', 2)]);
    given(inventoryDecider, [definedForBackorders, added(3)])
      .when(reserve('o-1', 3))
      .then([reserved('o-1', 3)]);
  });

  it('reads a ProductDefined of schema v1 (no backorders field) as not taking backorders', () => {
    expect(INVENTORY_EVENT_SCHEMA_VERSIONS.ProductDefined).toBe(2);
    const v1 = { productId: P, name: 'Widget' };
    expect(upcastProductDefinedV1(v1)).toStrictEqual({ productId: P, name: 'Widget', backorders: false });
    expect(createEventTypeRegistry().upcast('ProductDefined', 1, v1)).toStrictEqual({
      productId: P,
      name: 'Widget',
      backorders: false,
    });
    const old: InventoryEvent = { type: 'ProductDefined', data: upcastProductDefinedV1(v1) };
    given(inventoryDecider, [old, added(1)])
      .when(reserve('o-1', 2))
      .then([{ type: 'StockReservationRejected', data: { orderId: 'o-1', requested: 2, available: 1 } }]);
    expect(() => upcastProductDefinedV1(null)).toThrow(ValidationError);
  });

  it('adds positive whole quantities to a defined product only', () => {
    given(inventoryDecider, [defined])
      .when(add(5))
      .then([added(5)]);
    given(inventoryDecider, [defined]).when(add(0)).thenThrows(ValidationError, { field: 'quantity' });
    given(inventoryDecider, []).when(add(5)).thenThrows(NotFoundError, { entity: 'product', id: P });
  });

  it('reserves what is available, and rejects what an ordinary product is short of without going below zero', () => {
    given(inventoryDecider, [defined, added(3)])
      .when(reserve('o-1', 3))
      .then([reserved('o-1', 3)]);
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2)])
      .when(reserve('o-2', 2))
      .then([{ type: 'StockReservationRejected', data: { orderId: 'o-2', requested: 2, available: 1 } }]);
  });

  it('reserves once per order: a second request for the same order is a no-op', () => {
    given(inventoryDecider, [defined, added(3), reserved('o-1', 1)])
      .when(reserve('o-1', 1))
      .thenNothing();
  });

  it('says a product never defined is not stock-managed, so the saga holds nothing for it', () => {
    given(inventoryDecider, [])
      .when(reserve('o-1', 1))
      .thenThrows(NotStockManagedError, { productId: P, code: 'NOT_STOCK_MANAGED' });
  });

  it('releases what an order holds, and nothing for an order that holds nothing', () => {
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2)])
      .when(release('o-1'))
      .then([{ type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } }]);
    given(inventoryDecider, [defined, added(3)])
      .when(release('o-1'))
      .thenNothing();
    given(inventoryDecider, [
      defined,
      added(3),
      reserved('o-1', 2),
      { type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } },
    ])
      .when(release('o-1'))
      .thenNothing();
    const releasedAll: InventoryEvent = { type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } };
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2), releasedAll])
      .when(reserve('o-2', 3))
      .then([reserved('o-2', 3)]);
  });
});

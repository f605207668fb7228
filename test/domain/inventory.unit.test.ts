import { describe, it } from 'vitest';
import { InvalidStateError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { inventoryDecider, type InventoryCommand, type InventoryEvent } from '../../src/domain/inventory.js';
import { given } from './given.js';

const metadata = { commandId: 'cmd-1', correlationId: 'corr-1', actor: 'test', now: '2026-01-01T00:00:00.000Z' };
const P = 'widget';
const define = (name = 'Widget'): InventoryCommand => ({ type: 'DefineProduct', data: { productId: P, name }, metadata });
const add = (quantity: number): InventoryCommand => ({ type: 'AddStock', data: { productId: P, quantity }, metadata });
const reserve = (orderId: string, quantity: number): InventoryCommand => ({ type: 'ReserveStock', data: { productId: P, orderId, quantity }, metadata });
const release = (orderId: string): InventoryCommand => ({ type: 'ReleaseStock', data: { productId: P, orderId }, metadata });

const defined: InventoryEvent = { type: 'ProductDefined', data: { productId: P, name: 'Widget' } };
const added = (quantity: number): InventoryEvent => ({ type: 'StockAdded', data: { quantity } });
const reserved = (orderId: string, quantity: number): InventoryEvent => ({ type: 'StockReserved', data: { orderId, quantity } });

describe('inventory decider', () => {
  it('defines a product once; the same definition again is a no-op, another name a conflict', () => {
    given(inventoryDecider, []).when(define()).then([defined]);
    given(inventoryDecider, [defined]).when(define()).thenNothing();
    given(inventoryDecider, [defined]).when(define('Gadget')).thenThrows(InvalidStateError);
  });

  it('adds positive whole quantities to a defined product only', () => {
    given(inventoryDecider, [defined]).when(add(5)).then([added(5)]);
    given(inventoryDecider, [defined]).when(add(0)).thenThrows(ValidationError, { field: 'quantity' });
    given(inventoryDecider, []).when(add(5)).thenThrows(NotFoundError, { entity: 'product', id: P });
  });

  it('reserves what is available, and rejects what is not without going below zero', () => {
    given(inventoryDecider, [defined, added(3)]).when(reserve('o-1', 3)).then([reserved('o-1', 3)]);
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2)]).when(reserve('o-2', 2))
      .then([{ type: 'StockReservationRejected', data: { orderId: 'o-2', requested: 2, available: 1 } }]);
  });

  it('reserves once per order: a second request for the same order is a no-op', () => {
    given(inventoryDecider, [defined, added(3), reserved('o-1', 1)]).when(reserve('o-1', 1)).thenNothing();
  });

  it('says a product never defined is not found, so the saga can treat it as not stock-managed', () => {
    given(inventoryDecider, []).when(reserve('o-1', 1)).thenThrows(NotFoundError, { entity: 'product' });
  });

  it('releases what an order holds, and nothing for an order that holds nothing', () => {
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2)])
      .when(release('o-1')).then([{ type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } }]);
    given(inventoryDecider, [defined, added(3)]).when(release('o-1')).thenNothing();
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2), { type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } }])
      .when(release('o-1')).thenNothing();
    const releasedAll: InventoryEvent = { type: 'StockReleased', data: { orderId: 'o-1', quantity: 2 } };
    given(inventoryDecider, [defined, added(3), reserved('o-1', 2), releasedAll]).when(reserve('o-2', 3)).then([reserved('o-2', 3)]);
  });
});

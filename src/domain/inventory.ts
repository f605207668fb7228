import { assertNever, type Decider } from './decider.js';
import { InvalidStateError, NotFoundError, NotStockManagedError, ValidationError } from './errors.js';
import {
  availableOf,
  type InventoryCommand,
  type InventoryEvent,
  type Product,
  type ProductState,
} from './inventory-types.js';
import { requireText } from './validate.js';

export * from './inventory-types.js';
export { upcastProductDefinedV1 } from './inventory-upcasters.js';

const MAX_QUANTITY = 1_000_000;

function quantityOf(field: string, quantity: number): number {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new ValidationError(field, `${field} must be an integer from 1 to ${MAX_QUANTITY}`);
  }
  return quantity;
}

function existing(state: ProductState, productId: string): Product {
  if (state.status === 'NONE') throw new NotFoundError('product', productId);
  return state;
}

function decide(command: InventoryCommand, state: ProductState): InventoryEvent[] {
  const productId = requireText('productId', command.data.productId);
  switch (command.type) {
    case 'DefineProduct': {
      const name = requireText('name', command.data.name, 200);
      const backorders = command.data.backorders ?? false;
      if (state.status === 'NONE') return [{ type: 'ProductDefined', data: { productId, name, backorders } }];
      // The same definition sent again is a retry; a different one is a conflict.
      if (state.name === name && state.backorders === backorders) return [];
      const as = `"${state.name}"${state.backorders ? ', taking backorders' : ''}`;
      throw new InvalidStateError(state.status, `product ${productId} is already defined as ${as}`);
    }
    case 'AddStock': {
      existing(state, productId);
      return [{ type: 'StockAdded', data: { quantity: quantityOf('quantity', command.data.quantity) } }];
    }
    case 'ReserveStock': {
      // An undefined product is not stock-managed: the caller (the saga) holds nothing for it.
      if (state.status === 'NONE') throw new NotStockManagedError(productId);
      const product = state;
      const orderId = requireText('orderId', command.data.orderId);
      const quantity = quantityOf('quantity', command.data.quantity);
      // One reservation per order: a redelivered request must not hold the stock twice.
      if (product.reservations[orderId] !== undefined) return [];
      const available = availableOf(product);
      if (quantity > available) {
        const short = { orderId, requested: quantity, available };
        // A backorder holds nothing: the order waits, and asks again once stock comes in.
        return product.backorders
          ? [{ type: 'StockBackordered', data: short }]
          : [{ type: 'StockReservationRejected', data: short }];
      }
      return [{ type: 'StockReserved', data: { orderId, quantity } }];
    }
    case 'ReleaseStock': {
      const product = existing(state, productId);
      const orderId = requireText('orderId', command.data.orderId);
      const held = product.reservations[orderId];
      return held === undefined ? [] : [{ type: 'StockReleased', data: { orderId, quantity: held } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: ProductState, event: InventoryEvent): ProductState {
  if (event.type === 'ProductDefined') {
    const { productId, name, backorders } = event.data;
    return { status: 'DEFINED', productId, name, backorders, onHand: 0, reservations: {} };
  }
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'StockAdded':
      return { ...state, onHand: state.onHand + event.data.quantity };
    case 'StockReserved':
      return { ...state, reservations: { ...state.reservations, [event.data.orderId]: event.data.quantity } };
    case 'StockReservationRejected':
    case 'StockBackordered':
      return state;
    case 'StockReleased': {
      const { [event.data.orderId]: _released, ...rest } = state.reservations;
      return { ...state, reservations: rest };
    }
    default:
      return assertNever(event);
  }
}

export const inventoryDecider: Decider<InventoryCommand, InventoryEvent, ProductState> = {
  initialState: () => ({ status: 'NONE' }),
  decide,
  evolve,
};

import { ValidationError } from './errors.js';
import type { ProductDefined } from './inventory-types.js';

/** ProductDefined v1 had no `backorders`: a product defined then refuses an order it is short of. */
export function upcastProductDefinedV1(data: unknown): ProductDefined['data'] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError('data', 'data must be an object in ProductDefined v1');
  }
  return { ...(data as Omit<ProductDefined['data'], 'backorders'>), backorders: false };
}

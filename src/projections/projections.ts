import { ordersProjection } from './orders/projection.js';
import { productsProjection } from './products/projection.js';
import { recommendationsProjection } from './recommendations/projection.js';
import type { Projection } from '../processing/index.js';
import { usersProjection } from './users/projection.js';

/** Every projection the server runs, by name. */
export const PROJECTIONS: readonly Projection[] = [
  ordersProjection,
  usersProjection,
  recommendationsProjection,
  productsProjection,
];

export function findProjection(name: string): Projection | undefined {
  return PROJECTIONS.find((projection) => projection.name === name);
}

import { ordersProjection } from './orders.js';
import { productsProjection } from './products.js';
import { recommendationsProjection } from './recommendations.js';
import type { Projection } from '../processing/index.js';
import { usersProjection } from './users.js';

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

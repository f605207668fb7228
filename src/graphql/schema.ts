import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './types/order.js';
import './types/order-list.js';
import './types/statistics.js';
import './types/user.js';
import './types/projections.js';
import './types/products.js';
import './types/fulfilment.js';
import './types/notifications.js';
import './types/recommendations.js';
import './mutations/orders.js';
import './mutations/users.js';
import './mutations/products.js';
import './subscriptions.js';

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql: sorted, so the diff of a change shows only the change. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

import type { Db } from '../db/connect.js';
import { getOrderItems, getStatusHistory, type OrderItemView, type OrderView } from './orders/queries.js';
import { listOrders, type ListOrdersInput, type OrderPage } from './orders/list.js';
import { OrderReads } from './orders/reads.js';
import { orderStatistics, type OrderStatistics, type StatisticsRange } from './orders/statistics.js';
import type { OrderStatusChange } from './orders/status-changes.js';
import { getProduct, listProducts, type ProductView } from './products/queries.js';
import { recommendForProduct, recommendForUser, type Recommendation } from './recommendations/queries.js';
import { getUser, type UserView } from './users/queries.js';

/**
 * The read models' queries as the API reads them: the database is bound in when the
 * composition root builds them, so a resolver never holds it.
 */
export interface ReadModels {
  /** One order, batched with the other single-order reads of the same turn (OrderReads). */
  order(id: string): Promise<OrderView | undefined>;
  /** One order's lines in line order, batched likewise; none for an order that does not exist. */
  orderItems(orderId: string): Promise<OrderItemView[]>;
  /** The lines of many orders in one query; every id asked for has an entry. */
  itemsOfOrders(orderIds: readonly string[]): Promise<Map<string, OrderItemView[]>>;
  orders(input: ListOrdersInput): Promise<OrderPage>;
  statusHistory(orderId: string): Promise<OrderStatusChange[]>;
  orderStatistics(filter: StatisticsRange & { userId?: string }): Promise<OrderStatistics>;
  user(id: string): Promise<UserView | undefined>;
  product(id: string): Promise<ProductView | undefined>;
  products(): Promise<ProductView[]>;
  recommendationsForUser(userId: string, first: number): Promise<Recommendation[]>;
  recommendationsForProduct(productId: string, first: number): Promise<Recommendation[]>;
}

export function readModels(db: Db): ReadModels {
  const orders = new OrderReads(db);
  return {
    order: (id) => orders.order(id),
    orderItems: (orderId) => orders.itemsOf(orderId),
    itemsOfOrders: (orderIds) => getOrderItems(db, orderIds),
    orders: (input) => listOrders(db, input),
    statusHistory: (orderId) => getStatusHistory(db, orderId),
    orderStatistics: (filter) => orderStatistics(db, filter),
    user: (id) => getUser(db, id),
    product: (id) => getProduct(db, id),
    products: () => listProducts(db),
    recommendationsForUser: (userId, first) => recommendForUser(db, userId, first),
    recommendationsForProduct: (productId, first) => recommendForProduct(db, productId, first),
  };
}

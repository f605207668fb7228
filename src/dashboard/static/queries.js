export const CHECKPOINTS = `query Checkpoints { projections { name position } }`;

export const PROJECTIONS = `query Projections {
  projections { name state eventsBehind secondsBehind lastError { message at } }
}`;

export const STATISTICS = `query Statistics($consistentWith: Position) {
  orderStatistics(consistentWith: $consistentWith) {
    totalOrders totalAmount averageOrderValue completedOrders pendingOrders
    byStatus { status count }
  }
}`;

export const ORDERS = `query Orders($first: Int, $after: String, $status: OrderStatus, $userId: ID, $consistentWith: Position) {
  orders(first: $first, after: $after, status: $status, userId: $userId, consistentWith: $consistentWith) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id userId status totalAmount createdAt updatedAt items { quantity } } }
  }
}`;

export const ORDER = `query Order($id: ID!, $consistentWith: Position) {
  order(id: $id, consistentWith: $consistentWith) {
    id userId status totalAmount version createdAt updatedAt
    paymentMethod trackingNumber cancellationReason
    items { productId productName quantity unitPrice lineTotal }
    history { from to occurredAt position }
    events { id type version position schemaVersion occurredAt data metadata }
  }
  fulfilment(orderId: $id) { state steps { name state at detail } }
}`;

export const STATUS_CHANGES = `subscription StatusChanges($after: Position) {
  orderStatusChanged(after: $after) { orderId userId from to position occurredAt }
}`;

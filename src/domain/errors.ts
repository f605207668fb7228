/** Base of every error a decider throws; `code` lets callers map errors without instanceof. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
  override readonly name = 'ValidationError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidStateError extends DomainError {
  readonly code = 'INVALID_STATE';
  override readonly name = 'InvalidStateError';

  constructor(
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  override readonly name = 'NotFoundError';

  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/**
 * Stock was asked of a product never defined: it is not stock-managed, so there is
 * nothing to hold. Not a failure (the saga goes on without holding stock), and its code
 * says so wherever outcomes are counted.
 */
export class NotStockManagedError extends DomainError {
  readonly code = 'NOT_STOCK_MANAGED';
  override readonly name = 'NotStockManagedError';

  constructor(readonly productId: string) {
    super(`product ${productId} is not stock-managed`);
  }
}

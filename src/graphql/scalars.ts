import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { formatMoney, parseMoney, DomainError } from '../domain/index.js';
import { decodePosition, InvalidPositionError } from '../eventstore/index.js';
import { builder } from './builder.js';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    default:
      return undefined;
  }
}

/** Exact decimal string out; in, a decimal string or a JSON number with at most 2 decimals. */
builder.scalarType('Money', {
  description:
    'An exact amount of money as a decimal string such as "349.97"; input also accepts a JSON number with at most 2 decimals.',
  serialize: (cents) => formatMoney(cents as number),
  parseValue: (value) => parseMoneyInput(value),
  parseLiteral: (ast) =>
    parseMoneyInput(ast.kind === Kind.FLOAT || ast.kind === Kind.INT ? ast.value : literal(ast)),
});

function parseMoneyInput(value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw badInput('Money must be a decimal string or a number');
  try {
    return parseMoney(value);
  } catch (error) {
    throw badInput(error instanceof DomainError ? `Money: ${error.message}` : 'Money is not a valid amount');
  }
}

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time, e.g. "2025-10-29T10:00:00.000Z".',
  serialize: (value) =>
    value instanceof Date ? value.toISOString() : new Date(value as string).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(literal(ast)),
});

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw badInput('DateTime must be an ISO-8601 string such as "2025-10-29T10:00:00Z"');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`DateTime "${value}" is not a real date`);
  return date.toISOString();
}

builder.scalarType('Position', {
  description:
    'An opaque position in the global event feed. Hand it back as given: to `consistentWith`, or to `after` to resume a subscription.',
  serialize: (value) => value as string,
  parseValue: (value) => parsePosition(value),
  parseLiteral: (ast) => parsePosition(literal(ast)),
});

function parsePosition(value: unknown): string {
  if (typeof value !== 'string') throw badInput('Position must be a string');
  try {
    decodePosition(value);
    return value;
  } catch (error) {
    if (error instanceof InvalidPositionError) throw badInput(error.message);
    throw error;
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => literal(ast),
});

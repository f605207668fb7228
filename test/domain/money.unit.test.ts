import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { formatMoney, multiplyCents, parseMoney, sumCents } from '../../src/domain/money.js';

describe('parseMoney', () => {
  it.each([
    ['349.97', 34997],
    ['349.9', 34990],
    ['349', 34900],
    ['0.05', 5],
    ['0', 0],
    ['0.1', 10],
    ['007.50', 750],
    [349.97, 34997],
    [99.99, 9999],
    [0.05, 5],
    [1, 100],
    [-0, 0],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ] as const)('%j → %i cents', (input, cents) => {
    expect(parseMoney(input)).toBe(cents);
  });

  it.each([
    '-1.50',
    '1.005',
    '',
    ' 1',
    '1.',
    '.5',
    '1,50',
    '1e3',
    'abc',
    '+1',
    '90071992547409.92',
    -1.5,
    1.005,
    1e21,
    1e-7,
    NaN,
    Infinity,
    -Infinity,
    0.1 + 0.2,
  ])('rejects %j', (input) => {
    expect(() => parseMoney(input, 'price')).toThrow(ValidationError);
    expect(() => parseMoney(input, 'price')).toThrow(expect.objectContaining({ field: 'price' }));
  });
});

describe('formatMoney', () => {
  it.each([
    [34997, '349.97'],
    [5, '0.05'],
    [100, '1.00'],
    [0, '0.00'],
    [-150, '-1.50'],
    [-5, '-0.05'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('%i → %s', (cents, text) => {
    expect(formatMoney(cents)).toBe(text);
    if (cents >= 0) expect(parseMoney(text)).toBe(cents);
  });

  it('refuses fractional cents', () => {
    expect(() => formatMoney(1.5)).toThrow(ValidationError);
  });
});

describe('cents arithmetic', () => {
  it('adds "0.1" + "0.2" to exactly "0.30"', () => {
    expect(formatMoney(sumCents([parseMoney('0.1'), parseMoney('0.2')]))).toBe('0.30');
    expect(sumCents(Array.from({ length: 10 }, () => parseMoney('0.1')))).toBe(100);
  });

  it('multiplies exactly', () => {
    expect(multiplyCents(9999, 3)).toBe(29997);
    expect(sumCents([])).toBe(0);
  });

  it('throws instead of losing precision', () => {
    expect(() => multiplyCents(Number.MAX_SAFE_INTEGER, 2, 'line')).toThrow(
      expect.objectContaining({ field: 'line' }),
    );
    expect(() => multiplyCents(1.5, 2)).toThrow(ValidationError);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(ValidationError);
    expect(() => sumCents([0.5])).toThrow(ValidationError);
  });
});

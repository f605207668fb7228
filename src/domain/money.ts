import { ValidationError } from './errors.js';

/** Integer minor units; always a safe integer so addition and comparison stay exact. */
export type Cents = number;

// No sign, no exponent, at most two decimals: the only shapes a price can take.
const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Parses "349.97", "349.9", "349" or a number with at most 2 decimals into cents, digit by digit. */
export function parseMoney(input: string | number, field = 'amount'): Cents {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new ValidationError(field, `${field} must be a finite number`);
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw new ValidationError(field, `${field} must be a decimal string or number`);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    throw new ValidationError(
      field,
      `${field} must be a non-negative decimal with at most 2 decimal places, got "${text}"`,
    );
  }
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(2, '0');
  // BigInt keeps the check exact even when the digits exceed double precision.
  const cents = BigInt(whole) * 100n + BigInt(fraction);
  if (cents > MAX) throw new ValidationError(field, `${field} is too large`);
  return Number(cents);
}

/** Always two decimals: 34997 → "349.97", 5 → "0.05", -150 → "-1.50". */
export function formatMoney(c: Cents): string {
  if (!Number.isSafeInteger(c))
    throw new ValidationError('amount', `amount must be a whole number of cents, got ${c}`);
  const abs = Math.abs(c);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return `${c < 0 ? '-' : ''}${whole}.${fraction}`;
}

/** `field` names the input in the error when the product overflows. */
export function multiplyCents(unit: Cents, qty: number, field = 'amount'): Cents {
  if (!Number.isSafeInteger(unit) || !Number.isSafeInteger(qty)) {
    throw new ValidationError(field, `${field} must be whole numbers of cents and units`);
  }
  return checked(unit * qty, field);
}

export function sumCents(xs: Cents[], field = 'amount'): Cents {
  let total = 0;
  for (const x of xs) {
    if (!Number.isSafeInteger(x)) throw new ValidationError(field, `${field} must be whole numbers of cents`);
    total = checked(total + x, field);
  }
  return total;
}

function checked(c: number, field: string): Cents {
  if (!Number.isSafeInteger(c))
    throw new ValidationError(field, `${field} is too large to represent exactly`);
  return c;
}

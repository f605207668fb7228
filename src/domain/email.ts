import { ValidationError } from './errors.js';

// The WHATWG (HTML input type=email) grammar, plus a required dot in the domain:
// strict enough to catch typos, loose enough not to reject real addresses.
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const MAX_EMAIL = 254;

/** The one spelling of an address used in state, events and stream ids. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  const normalised = normaliseEmail(email);
  return normalised.length <= MAX_EMAIL && EMAIL.test(normalised);
}

/** Returns the normalised address or throws ValidationError(field). */
export function requireEmail(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isValidEmail(value)) {
    throw new ValidationError(field, `${field} must be a valid email address`);
  }
  return normaliseEmail(value);
}

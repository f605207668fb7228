import { ValidationError } from './errors.js';

/** A non-blank string of at most `max` characters, returned as given (ids are not rewritten). */
export function requireText(field: string, value: unknown, max = 100): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, `${field} must not be empty`);
  }
  if (value.length > max) {
    throw new ValidationError(field, `${field} must be at most ${max} characters`);
  }
  return value;
}

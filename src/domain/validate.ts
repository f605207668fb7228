import { ValidationError } from './errors.js';

// Under the u flag a surrogate pair reads as one code point; only a lone half matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Why text cannot be stored as given, or undefined when it can: PostgreSQL stores neither
 * a lone UTF-16 surrogate (it is not Unicode) nor the NUL character, and nothing is longer
 * than `max` (counted as JavaScript counts, in UTF-16 code units).
 */
export function textProblem(value: string, max: number): string | undefined {
  if (value.length > max) return `must be at most ${max} characters`;
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';
  if (value.includes('\0')) return 'must not contain the NUL character (\\u0000)';
  return undefined;
}

/** A non-blank string of at most `max` characters, returned as given (ids are not rewritten). */
export function requireText(field: string, value: unknown, max = 100): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, `${field} must not be empty`);
  }
  const problem = textProblem(value, max);
  if (problem) throw new ValidationError(field, `${field} ${problem}`);
  return value;
}

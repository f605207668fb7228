import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { requireText, textProblem } from '../../src/domain/validate.js';

describe('text the domain accepts', () => {
  it.each([
    ['a lone high surrogate', 'a\ud800b', /well-formed Unicode/],
    ['a lone low surrogate', '\udc00', /well-formed Unicode/],
    ['a reversed pair', '\ude00\ud83d', /well-formed Unicode/],
    ['the NUL character', 'a\u0000b', /NUL/],
    ['more than the maximum', 'x'.repeat(101), /at most 100 characters/],
  ])('refuses %s with a ValidationError naming the field', (_name, value, message) => {
    expect(textProblem(value, 100)).toMatch(message);
    expect(() => requireText('reason', value)).toThrow(ValidationError);
    expect(() => requireText('reason', value)).toThrow(/^reason /);
  });

  it('accepts a surrogate pair (one character beyond the BMP) and text of exactly the maximum', () => {
    expect(textProblem('order 😀', 100)).toBeUndefined();
    expect(requireText('reason', 'x'.repeat(100))).toBe('x'.repeat(100));
  });
});

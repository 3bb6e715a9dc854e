import { describe, expect, it } from 'vitest';
import { numberProblem } from './number-problem';

describe('a typed number is named, never changed', () => {
  it('accepts what is in range', () => {
    expect(numberProblem('Seed', '0', 0, 4294967295, true)).toBeNull();
    expect(numberProblem('Seed', '4294967295', 0, 4294967295, true)).toBeNull();
    expect(numberProblem('Guidance', '3.5', 0, 50, false)).toBeNull();
  });

  it('names what is not: negative, huge, fractional, empty', () => {
    expect(numberProblem('Seed', '-1', 0, 4294967295, true)).toBe(
      'Seed must be a whole number from 0 to 4294967295; -1 is not.',
    );
    expect(numberProblem('Seed', '1e20', 0, 4294967295, true)).toMatch(/1e20 is not/);
    expect(numberProblem('Steps', '2.5', 1, 1000, true)).toMatch(/whole number from 1 to 1000/);
    expect(numberProblem('Images', '0', 1, 8, true)).toBe('Images must be a whole number from 1 to 8; 0 is not.');
    expect(numberProblem('Images', '', 1, 8, true)).toBe('Images is empty: enter a whole number from 1 to 8.');
  });
});

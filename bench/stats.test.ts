import { describe, expect, it } from 'vitest';
import { ratio, summarize } from './stats';

describe('benchmark statistics', () => {
  it('gives the median with min and max, for odd and even counts, whatever the order', () => {
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 100])).toEqual({ n: 4, median: 3.5, min: 1, max: 100 });
  });

  it('refuses an empty series rather than reporting NaN', () => {
    expect(() => summarize([])).toThrow(/no samples/);
  });

  it('compares medians, so one slow outlier does not move the ratio', () => {
    expect(ratio([10, 10, 10, 1000, 10], [5, 5, 5, 5, 5])).toBe(2);
  });
});

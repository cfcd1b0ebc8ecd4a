import { describe, expect, it } from 'vitest';
import { backoffDelay } from './capture-waits.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay with each failure in a row, up to the cap', () => {
    const backoff = { initialDelayMs: 50, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, backoff))).toEqual([
      50, 100, 200, 400, 800, 1_000,
    ]);
    expect(backoffDelay(10_000, backoff)).toBe(1_000);
  });
});

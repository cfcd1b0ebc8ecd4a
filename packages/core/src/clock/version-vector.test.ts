import { describe, expect, it } from 'vitest';
import {
  canonicalVersionVector,
  compareVersionVectors,
  dominatesOrEquals,
  incrementVersionVector,
  mergeVersionVectors,
} from './version-vector.js';

describe('version vectors', () => {
  it('compares causally', () => {
    expect(compareVersionVectors({}, {})).toBe('equal');
    expect(compareVersionVectors({ a: 1 }, { a: 1, b: 0 })).toBe('equal');
    expect(compareVersionVectors({ a: 1 }, { a: 2 })).toBe('before');
    expect(compareVersionVectors({ a: 2, b: 1 }, { a: 2 })).toBe('after');
    expect(compareVersionVectors({ a: 2 }, { b: 1 })).toBe('concurrent');
    expect(compareVersionVectors({ a: 2, b: 1 }, { a: 1, b: 2 })).toBe('concurrent');
  });

  it('merges pointwise into canonical form', () => {
    const merged = mergeVersionVectors({ b: 1, a: 3, z: 0 }, { a: 2, c: 4 });
    expect(merged).toEqual({ a: 3, b: 1, c: 4 });
    expect(Object.keys(merged)).toEqual(['a', 'b', 'c']);
  });

  it('increments one node and dominates the original', () => {
    const vv = incrementVersionVector({ a: 1 }, 'b');
    expect(vv).toEqual({ a: 1, b: 1 });
    expect(dominatesOrEquals(vv, { a: 1 })).toBe(true);
    expect(dominatesOrEquals({ a: 1 }, vv)).toBe(false);
    expect(() => incrementVersionVector({}, '')).toThrow(/empty node id/);
  });

  it('drops zero entries and refuses corrupt counters', () => {
    expect(canonicalVersionVector({ b: 0, a: 2 })).toEqual({ a: 2 });
    expect(() => canonicalVersionVector({ a: -1 })).toThrow(/node "a" is -1/);
    expect(() => canonicalVersionVector({ a: 1.5 })).toThrow(/non-negative integer/);
  });
});

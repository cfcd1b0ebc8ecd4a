/**
 * Invariants of version vectors: merge is commutative, associative and idempotent and is the least upper bound;
 * compare is antisymmetric and agrees with dominatesOrEquals; increment strictly dominates.
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/clock`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalVersionVector,
  compareVersionVectors,
  dominatesOrEquals,
  incrementVersionVector,
  mergeVersionVectors,
} from './version-vector.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 2000, ...(seed === undefined ? {} : { seed }) };

const node = fc.constantFrom('a', 'b', 'c', 'd');
const vvArb = fc.dictionary(node, fc.nat(4), { maxKeys: 4, noNullPrototype: true });
const mirror = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' } as const;

describe('version vector laws', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(vvArb, vvArb, vvArb, (a, b, c) => {
        expect(mergeVersionVectors(a, b)).toStrictEqual(mergeVersionVectors(b, a));
        expect(mergeVersionVectors(mergeVersionVectors(a, b), c)).toStrictEqual(
          mergeVersionVectors(a, mergeVersionVectors(b, c)),
        );
        expect(mergeVersionVectors(a, a)).toStrictEqual(canonicalVersionVector(a));
      }),
      options,
    );
  });

  it('merge is the least upper bound', () => {
    fc.assert(
      fc.property(vvArb, vvArb, vvArb, (a, b, c) => {
        const m = mergeVersionVectors(a, b);
        expect(dominatesOrEquals(m, a) && dominatesOrEquals(m, b)).toBe(true);
        if (dominatesOrEquals(c, a) && dominatesOrEquals(c, b)) expect(dominatesOrEquals(c, m)).toBe(true);
      }),
      options,
    );
  });

  it('compare is antisymmetric and consistent with dominatesOrEquals', () => {
    fc.assert(
      fc.property(vvArb, vvArb, (a, b) => {
        const ab = compareVersionVectors(a, b);
        expect(compareVersionVectors(b, a)).toBe(mirror[ab]);
        expect(dominatesOrEquals(a, b)).toBe(ab === 'after' || ab === 'equal');
        expect(ab === 'equal').toBe(
          JSON.stringify(canonicalVersionVector(a)) === JSON.stringify(canonicalVersionVector(b)),
        );
      }),
      options,
    );
  });

  it('increment strictly dominates and stays canonical', () => {
    fc.assert(
      fc.property(vvArb, node, (a, n) => {
        const next = incrementVersionVector(a, n);
        expect(compareVersionVectors(next, a)).toBe('after');
        expect(Object.values(next).every((count) => count > 0)).toBe(true);
        expect(Object.keys(next)).toStrictEqual(Object.keys(next).sort());
      }),
      options,
    );
  });

  it('increment is the canonical vector with one more write by the node, whatever the shortcut taken', () => {
    fc.assert(
      fc.property(vvArb, node, (a, n) => {
        const expected = canonicalVersionVector({ ...a, [n]: (a[n] ?? 0) + 1 });
        expect(incrementVersionVector(a, n)).toStrictEqual(expected);
        // The single-writer shortcut: a vector holding only this node, or nothing.
        expect(incrementVersionVector({}, n)).toStrictEqual({ [n]: 1 });
        expect(incrementVersionVector(incrementVersionVector({}, n), n)).toStrictEqual({ [n]: 2 });
      }),
      options,
    );
  });
});

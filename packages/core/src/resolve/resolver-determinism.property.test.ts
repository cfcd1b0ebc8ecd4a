/**
 * Invariants of every automatic built-in resolver through settleConflict: determinism (same inputs, same
 * settlement), order independence (settle(a, b) mirrors settle(b, a)), idempotence (settle(x, x) is x) and
 * associativity of settlement (settling three versions in any grouping gives the same state; for column merge
 * over live rows, see its documented limit with deletions).
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/resolve`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInResolvers, sameState, sideArb } from './resolver-arbitraries.js';
import { settleConflict } from './settle-conflict.js';
import { compareSides } from './version-order.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 2000, ...(seed === undefined ? {} : { seed }) };
const context = { table: { namespace: 'app', name: 'items' }, key: [['id', 1n]] as const };
const mirrored = { a: 'b', b: 'a', merged: 'merged', parked: 'parked' } as const;

describe.each(builtInResolvers)('%s', (name, resolver) => {
  const side = sideArb(name !== 'column-merge');

  it('is deterministic', () => {
    fc.assert(
      fc.property(side, side, (a, b) => {
        expect(settleConflict(resolver, a, b, context)).toStrictEqual(settleConflict(resolver, a, b, context));
      }),
      options,
    );
  });

  it('does not depend on which side is local', () => {
    fc.assert(
      fc.property(sideArb(), sideArb(), (a, b) => {
        const ab = settleConflict(resolver, a, b, context);
        const ba = settleConflict(resolver, b, a, context);
        // Sides equal in everything a resolver reads may be picked as 'a' both ways; the state is the same.
        if (compareSides(a, b) !== 0) expect(ba.outcome).toBe(mirrored[ab.outcome]);
        expect(sameState(ab, ba)).toBe(true);
      }),
      options,
    );
  });

  it('settles a version with itself to itself', () => {
    fc.assert(
      fc.property(sideArb(), (x) => {
        expect(sameState(settleConflict(resolver, x, x, context), x)).toBe(true);
      }),
      options,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(side, side, side, (a, b, c) => {
        const left = settleConflict(resolver, settleConflict(resolver, a, b, context), c, context);
        const right = settleConflict(resolver, a, settleConflict(resolver, b, c, context), context);
        expect(sameState(left, right)).toBe(true);
      }),
      options,
    );
  });
});

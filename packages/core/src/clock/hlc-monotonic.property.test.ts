/**
 * Invariant: a HybridLogicalClock never issues a timestamp that is not greater than everything it issued or
 * observed before, whatever the wall clock does (jumps back, stalls, leaps ahead), across restarts, and across
 * logical-counter overflow; a remote stamp beyond the drift bound is refused and leaves the clock unchanged.
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/clock`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packHlc, unpackHlc } from './hlc-timestamp.js';
import { HybridLogicalClock } from './hybrid-logical-clock.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 1000, ...(seed === undefined ? {} : { seed }) };
const MAX_DRIFT = 10_000;

type Step =
  | { readonly kind: 'jump'; readonly millis: number }
  | { readonly kind: 'now' }
  | { readonly kind: 'observe'; readonly aheadMillis: number; readonly logical: number }
  | { readonly kind: 'restart' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('jump' as const), millis: fc.integer({ min: -5_000_000, max: 5_000_000 }) }),
  fc.record({ kind: fc.constant('jump' as const), millis: fc.constantFrom(0, 1, -1) }),
  fc.constant({ kind: 'now' as const }),
  fc.constant({ kind: 'restart' as const }),
  fc.record({
    kind: fc.constant('observe' as const),
    aheadMillis: fc.integer({ min: -1_000_000, max: 2 * MAX_DRIFT }),
    logical: fc.constantFrom(0, 1, 0xfffe, 0xffff),
  }),
);

describe('hybrid logical clock monotonicity', () => {
  it('only moves forward under arbitrary wall-clock jumps, observations and restarts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_000_000, max: 2_000_000_000_000 }),
        fc.array(stepArb, { maxLength: 60 }),
        (start, steps) => {
          let wall = start;
          const make = (last?: bigint) =>
            new HybridLogicalClock({
              now: () => wall,
              maxDriftMillis: MAX_DRIFT,
              ...(last === undefined ? {} : { last }),
            });
          let clock = make();
          let highest = 0n;
          for (const step of steps) {
            if (step.kind === 'jump') {
              wall = Math.max(0, wall + step.millis);
            } else if (step.kind === 'restart') {
              clock = make(clock.last);
            } else if (step.kind === 'now') {
              const t = clock.now();
              expect(t > highest).toBe(true);
              expect(unpackHlc(t).wallMillis >= BigInt(wall)).toBe(true);
              highest = t;
            } else {
              const remote = packHlc(BigInt(Math.max(0, wall + step.aheadMillis)), step.logical);
              if (step.aheadMillis > MAX_DRIFT) {
                const before = clock.last;
                expect(() => clock.observe(remote)).toThrow(/ahead of the local wall clock/);
                expect(clock.last).toBe(before);
                continue;
              }
              const t = clock.observe(remote);
              expect(t > highest && t > remote).toBe(true);
              highest = t;
            }
            expect(clock.last).toBe(highest);
          }
        },
      ),
      options,
    );
  });

  it('borrows the next millisecond when the logical counter runs out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 40 }), (ms, burst) => {
        const last = packHlc(BigInt(ms), 0xffff - 20);
        const clock = new HybridLogicalClock({ now: () => ms, last });
        let previous = last;
        for (let i = 0; i < burst; i++) {
          const t = clock.now();
          expect(t).toBe(previous + 1n);
          expect(unpackHlc(t).logical <= 0xffff).toBe(true);
          previous = t;
        }
      }),
      options,
    );
  });
});

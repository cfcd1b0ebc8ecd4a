/**
 * Invariant: decodeBatch(encodeBatch(b)) is b, exactly (types, -0, NaN, bigint range, absent vs present fields,
 * column order), for arbitrary batches of every value type.
 *
 * Failures print a seed; rerun one with `FC_SEED=<seed> pnpm vitest run --project unit packages/core/src/codec`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { batchArb } from './change-arbitraries.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const options = { numRuns: 500, ...(seed === undefined ? {} : { seed }) };

function keyListing(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return typeof value;
  if (Array.isArray(value)) return value.map(keyListing);
  return Object.entries(value).map(([k, v]) => [k, keyListing(v)]);
}

describe('batch codec round trip', () => {
  it('decodes exactly what it encoded, column order included', () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        const decoded = decodeBatch(encodeBatch(batch));
        // toEqual, not toStrictEqual: the latter compares `constructor` properties, which rows may legally hold.
        // toEqual still tells -0 from 0 (Object.is) and the key listing below catches absent-versus-present fields.
        expect(decoded).toEqual(batch);
        expect(keyListing(decoded)).toStrictEqual(keyListing(batch));
      }),
      options,
    );
  });

  it('encodes deterministically', () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        expect(encodeBatch(batch)).toStrictEqual(encodeBatch(decodeBatch(encodeBatch(batch))));
      }),
      { ...options, numRuns: 200 },
    );
  });

  it('rejects every truncation of a valid batch with an IntegrityError, never a crash or a hang', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), (batch, cut) => {
        const bytes = encodeBatch(batch);
        const at = cut % bytes.length;
        expect(() => decodeBatch(bytes.subarray(0, at))).toThrow(/undecodable batch at byte \d+: expected/);
      }),
      { ...options, numRuns: 500 },
    );
  });

  it('either decodes or names an offset for random garbage and bit flips', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (batch, where, mask) => {
        const bytes = encodeBatch(batch);
        bytes[where % bytes.length]! ^= mask;
        try {
          decodeBatch(bytes);
        } catch (error) {
          expect((error as Error).name).toBe('IntegrityError');
          expect((error as Error).message).toMatch(/at byte \d+: expected/);
        }
      }),
      { ...options, numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        try {
          decodeBatch(garbage);
        } catch (error) {
          expect((error as Error).name).toBe('IntegrityError');
        }
      }),
      options,
    );
  });
});

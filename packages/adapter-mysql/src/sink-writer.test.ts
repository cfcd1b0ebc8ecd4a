import { encodeVersionVector } from '@worker-sync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { versionVectorText } from './sink-writer.js';

describe('versionVectorText', () => {
  it('is encodeVersionVector for node ids in any order, integer-like ones included', () => {
    const node = fc.oneof(fc.string({ maxLength: 6 }), fc.nat(20).map(String), fc.constantFrom('a', 'b', 'node-1'));
    fc.assert(
      fc.property(fc.dictionary(node, fc.nat()), (vv) => {
        expect(versionVectorText(vv)).toBe(encodeVersionVector(vv));
      }),
      { numRuns: 500 },
    );
  });
});

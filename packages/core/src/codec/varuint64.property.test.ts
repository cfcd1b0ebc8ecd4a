import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';

/** LEB128 by the definition, one bigint step per byte: what the fast paths must reproduce. */
function reference(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

const edges = [0n, 127n, 128n, (1n << 49n) - 1n, 1n << 49n, (1n << 53n) - 1n, 1n << 53n, 1n << 63n, (1n << 64n) - 1n];

describe('varuint64', () => {
  it('writes and reads every unsigned 64-bit value as plain LEB128 (HLCs are above 2^53)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(...edges)), (value) => {
        const w = new ByteWriter();
        w.varuint64(value, 'value');
        const bytes = w.finish();
        expect([...bytes]).toStrictEqual(reference(value));
        expect(new ByteReader(bytes).varuint64('value')).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('still refuses a value of 2^64 or more, an overlong varint and a truncated one', () => {
    expect(() => new ByteReader(new Uint8Array(reference(1n << 64n))).varuint64('x')).toThrow(/within 64 bits/);
    expect(() => new ByteReader(new Uint8Array([...Array(10).fill(0x80), 0])).varuint64('x')).toThrow(/longer than 10/);
    expect(() => new ByteReader(new Uint8Array(Array(9).fill(0x80))).varuint64('x')).toThrow();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeColumnHlcs, encodeColumnHlcs } from './row-version-columns.js';

const hlcs = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
const columnNames = fc.string({ minLength: 1, maxLength: 8 }).filter((name) => name !== '__proto__');

describe('per-column HLC encoding', () => {
  it('decodes what it encodes, whichever columns carry the row HLC', () => {
    fc.assert(
      fc.property(hlcs, fc.dictionary(columnNames, fc.option(hlcs, { nil: undefined })), (hlc, picks) => {
        const columns = Object.fromEntries(Object.entries(picks).map(([name, stamp]) => [name, stamp ?? hlc]));
        const text = encodeColumnHlcs(columns, hlc)!;
        expect(decodeColumnHlcs(text, hlc)).toEqual(columns);
      }),
    );
  });

  it('is canonical: the same columns in any order give the same text', () => {
    expect(encodeColumnHlcs({ b: 5n, a: 5n, c: 7n }, 5n)).toBe('["a","b",{"c":"7"}]');
    expect(encodeColumnHlcs({ c: 7n, a: 5n, b: 5n }, 5n)).toBe('["a","b",{"c":"7"}]');
    expect(encodeColumnHlcs(undefined, 5n)).toBeNull();
  });

  it('reads the earlier form, one object of every column HLC', () => {
    expect(decodeColumnHlcs('{"a": "5", "b": "7"}', 5n)).toEqual({ a: 5n, b: 7n });
  });
});

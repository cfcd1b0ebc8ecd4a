import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeColumnHlcs, encodeColumnHlcs, encodeVersionVector } from './row-version-columns.js';

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

  it('writes what sorting every name first writes, integer-like names included', () => {
    // The reference forms: names sorted, then one object built from them.
    const sortedVector = (vv: Record<string, number>) =>
      JSON.stringify(
        Object.fromEntries(
          Object.keys(vv)
            .sort()
            .map((node) => [node, vv[node]]),
        ),
      );
    const sortedColumns = (columns: Record<string, bigint>, hlc: bigint) => {
      const names = Object.keys(columns).sort();
      const own: (string | Record<string, string>)[] = names.filter((name) => columns[name] === hlc);
      const others = names.filter((name) => columns[name] !== hlc);
      if (others.length > 0) own.push(Object.fromEntries(others.map((name) => [name, columns[name]!.toString()])));
      return JSON.stringify(own);
    };
    const names = fc.oneof(columnNames, fc.nat({ max: 200 }).map(String));
    fc.assert(
      fc.property(fc.dictionary(names, fc.nat()), (vv) => {
        expect(encodeVersionVector(vv)).toBe(sortedVector(vv));
        // Inserted in sorted order, as most vectors are: the path that writes the object as it is.
        const ordered = Object.fromEntries(
          Object.keys(vv)
            .sort()
            .map((node) => [node, vv[node]!]),
        );
        expect(encodeVersionVector(ordered)).toBe(sortedVector(vv));
      }),
    );
    fc.assert(
      fc.property(hlcs, fc.dictionary(names, fc.option(hlcs, { nil: undefined })), (hlc, picks) => {
        const columns = Object.fromEntries(Object.entries(picks).map(([name, stamp]) => [name, stamp ?? hlc]));
        expect(encodeColumnHlcs(columns, hlc)).toBe(sortedColumns(columns, hlc));
        const ordered = Object.fromEntries(
          Object.keys(columns)
            .sort()
            .map((name) => [name, columns[name]!]),
        );
        expect(encodeColumnHlcs(ordered, hlc)).toBe(sortedColumns(columns, hlc));
      }),
    );
  });

  it('reads the earlier form, one object of every column HLC', () => {
    expect(decodeColumnHlcs('{"a": "5", "b": "7"}', 5n)).toEqual({ a: 5n, b: 7n });
  });
});

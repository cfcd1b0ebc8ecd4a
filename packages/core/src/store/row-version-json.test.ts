import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowArb, versionArb } from '../codec/change-arbitraries.js';
import { IntegrityError } from '../errors.js';
import type { RowVersion } from '../model/change-event.js';
import { decodeRowVersion, encodeRowVersion } from './row-version-json.js';

describe('row version JSON', () => {
  it('round-trips bigint HLCs beyond 2^53 as decimal text, with and without column stamps', () => {
    const plain: RowVersion = { vv: { a: 3, b: 1 }, hlc: 2n ** 63n - 1n, writer: 'a', deleted: true };
    const stamped: RowVersion = { ...plain, deleted: false, columns: { qty: 2n ** 60n + 1n } };
    expect(encodeRowVersion(plain)).toBe(
      '{"vv":{"a":3,"b":1},"hlc":"9223372036854775807","writer":"a","deleted":true}',
    );
    expect(decodeRowVersion(encodeRowVersion(plain), 'here')).toEqual(plain);
    expect(decodeRowVersion(encodeRowVersion(stamped), 'here')).toEqual(stamped);
  });

  it('round-trips unwritten data exactly, every neutral type, and null for a deletion', () => {
    fc.assert(
      fc.property(versionArb, fc.option(rowArb), (version, unwritten) => {
        const owed = { ...version, unwritten };
        expect(decodeRowVersion(encodeRowVersion(owed), 'here')).toEqual(owed);
      }),
    );
    const damaged = JSON.stringify({ vv: {}, hlc: '1', writer: 'a', deleted: false, unwritten: 'AQ' });
    expect(() => decodeRowVersion(damaged, 'log view row r1')).toThrow(
      'log view row r1: stored row version has an invalid unwritten row',
    );
  });

  it('rejects damaged text with an IntegrityError naming where and the field', () => {
    expect(() => decodeRowVersion('{', 'log view row r1')).toThrow(IntegrityError);
    expect(() => decodeRowVersion('{', 'log view row r1')).toThrow('log view row r1: stored row version is not JSON');
    const bad = (patch: object) => JSON.stringify({ vv: {}, hlc: '1', writer: 'a', deleted: false, ...patch });
    expect(() => decodeRowVersion(bad({ hlc: 1 }), 'x')).toThrow('invalid hlc');
    expect(() => decodeRowVersion(bad({ vv: { a: -1 } }), 'x')).toThrow('invalid vv');
    expect(() => decodeRowVersion(bad({ writer: 1 }), 'x')).toThrow('invalid writer');
    expect(() => decodeRowVersion(bad({ columns: { q: 'z' } }), 'x')).toThrow('invalid columns.q');
  });
});

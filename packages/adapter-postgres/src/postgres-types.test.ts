import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPgArray, parsePgArray } from './postgres-array.js';
import { dateFromPg, dateToPg, timeFromPg, timestampFromPg, timestampToPg, timeToPg } from './postgres-temporal.js';
import { valueFromPg, valueToPg } from './postgres-types.js';

describe('postgres value mapping', () => {
  it('keeps int8 and numeric exact', () => {
    expect(valueFromPg('9223372036854775807', 20)).toBe(9_223_372_036_854_775_807n);
    expect(valueFromPg('-12.3400', 1700)).toEqual({ kind: 'decimal', value: '-12.3400' });
    expect(valueToPg(-9_223_372_036_854_775_808n)).toBe('-9223372036854775808');
  });

  it('round-trips float8 through text, including the special values', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(valueFromPg(valueToPg(x), 701), x)).toBe(true);
      }),
    );
  });

  it('round-trips bytea, uuid and text with quotes', () => {
    expect(valueToPg(Uint8Array.of(0, 255))).toBe('\\x00ff');
    expect(valueFromPg('\\x00ff', 17)).toEqual(Uint8Array.of(0, 255));
    expect(valueFromPg('0F8FAD5B-D9CB-469F-A165-70867728950E', 2950)).toEqual({
      kind: 'uuid',
      value: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
  });

  it('maps arrays element by element, nested and with NULLs', () => {
    expect(valueFromPg('{{1,2},{3,NULL}}', 1007)).toEqual({
      kind: 'array',
      items: [
        { kind: 'array', items: [1n, 2n] },
        { kind: 'array', items: [3n, null] },
      ],
    });
    const tricky = ['a', null, 'b,c', '{x}', 'q"u\\o', 'NULL', ''];
    expect(parsePgArray(formatPgArray(tricky))).toEqual(tricky);
  });

  it('formats any flat or nested list of texts and NULLs so that it parses back the same', () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('NULL', '', '"', '\\', 'a,b', '{}', ' x ', 'n\u0000ul', '["1"]'),
    );
    const flat = fc.array(fc.option(text, { nil: null }), { maxLength: 8 });
    const nested = fc.array(fc.oneof(fc.option(text, { nil: null }), flat), { maxLength: 5 });
    fc.assert(
      fc.property(fc.oneof(flat, nested), (items) => {
        expect(parsePgArray(formatPgArray(items))).toEqual(items);
      }),
    );
  });

  it('refuses text with NUL and nested documents, naming table and column', () => {
    expect(() => valueToPg('a\u0000b', { table: 'public.t', column: 'c' })).toThrow(/table public.t, column c/);
    expect(() => valueToPg({ kind: 'document', fields: {} }, { table: 'public.t', column: 'd' })).toThrow(/column d/);
  });
});

describe('postgres temporal text', () => {
  it('maps BC dates to astronomical years and back', () => {
    expect(dateFromPg('0044-03-15 BC')).toBe('-0043-03-15');
    expect(dateToPg('-0043-03-15')).toBe('0044-03-15 BC');
    expect(dateToPg('0000-01-01')).toBe('0001-01-01 BC');
  });

  it('round-trips timestamps at microsecond precision across the epoch and zones', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -62_135_596_800_000_000n * 2n, max: 253_402_300_799_999_999n }),
        fc.boolean(),
        (micros, zoned) => {
          expect(timestampFromPg(timestampToPg(micros, zoned), zoned)).toBe(micros);
        },
      ),
    );
    expect(timestampFromPg('2024-01-01 05:30:00+05:30', true)).toBe(timestampFromPg('2024-01-01 00:00:00+00', true));
  });

  it('reads and writes recent timestamps on the fast path exactly as the general path does', () => {
    const recent = fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n });
    fc.assert(
      fc.property(recent, (micros) => {
        const text = timestampToPg(micros, true);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00$/);
        expect(timestampFromPg(text, true)).toBe(micros);
        // `+00:00` is not the fast path's shape: the general parser reads the same text.
        expect(timestampFromPg(`${text}:00`, true)).toBe(micros);
        expect(timestampFromPg(text.slice(0, -3), false)).toBe(micros);
      }),
    );
    expect(timestampFromPg('2024-02-30 00:00:00', false)).toBe(timestampFromPg('2024-03-01 00:00:00', false));
    expect(timestampFromPg('1999-12-31 23:59:59.5+00', true)).toBe(946_684_799_500_000n);
  });

  it('reads time with and without zone', () => {
    expect(timeFromPg('12:34:56.000001', false)).toEqual({ micros: 45_296_000_001n });
    expect(timeFromPg('01:00:00-03:30', true)).toEqual({ micros: 3_600_000_000n, offsetSeconds: -12_600 });
    expect(timeToPg(3_600_000_000n, -12_600)).toBe('01:00:00.000000-03:30:00');
  });
});

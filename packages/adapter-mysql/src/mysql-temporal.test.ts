import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDateTimeMicros, parseDateTimeMicros, parseTimeMicros } from './mysql-temporal.js';

describe('temporal conversions', () => {
  it('parse and format date-times exactly, including before 1970 and far years', () => {
    expect(parseDateTimeMicros('1970-01-01 00:00:00')).toBe(0n);
    expect(parseDateTimeMicros('1969-12-31 23:59:59.999999')).toBe(-1n);
    expect(parseDateTimeMicros('2024-02-29 12:34:56.000123')).toBe(1_709_210_096_000_123n);
    expect(formatDateTimeMicros(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(parseDateTimeMicros('0000-00-00 00:00:00')).toBeUndefined();
  });

  it('round-trip every microsecond in 1000..9999', () => {
    const min = parseDateTimeMicros('1000-01-01 00:00:00')!;
    const max = parseDateTimeMicros('9999-12-31 23:59:59.999999')!;
    fc.assert(
      fc.property(fc.bigInt({ min, max }), (micros) => parseDateTimeMicros(formatDateTimeMicros(micros)) === micros),
    );
  });

  it('parse signed times beyond a day', () => {
    expect(parseTimeMicros('-838:59:59.000001')).toBe(-(838n * 3600n + 59n * 60n + 59n) * 1_000_000n - 1n);
  });
});

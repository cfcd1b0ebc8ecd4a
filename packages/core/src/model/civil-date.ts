/**
 * Proleptic Gregorian calendar arithmetic on bigint day counts (Howard Hinnant's algorithms), shared by every
 * adapter that turns a database's date text into the neutral microsecond values without passing through `Date`.
 */

/** Microseconds in one second. */
export const MICROS_PER_SECOND = 1_000_000n;
/** Microseconds in one day. */
export const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

/** Days from 1970-01-01 to a proleptic Gregorian date (year 0 is 1 BC). */
export function daysFromCivil(year: number, month: number, day: number): bigint {
  const y = BigInt(month <= 2 ? year - 1 : year);
  const era = (y >= 0n ? y : y - 399n) / 400n;
  const yoe = y - era * 400n;
  const m = BigInt(month);
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + BigInt(day) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146_097n + doe - 719_468n;
}

/** The inverse of {@link daysFromCivil}. */
export function civilFromDays(days: bigint): { year: number; month: number; day: number } {
  const z = days + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const month = Number(mp < 10n ? mp + 3n : mp - 9n);
  const year = Number(yoe + era * 400n) + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/**
 * PostgreSQL's ISO text forms of dates, times and timestamps to and from the neutral microsecond values.
 * The sessions worker-sync opens run with `DateStyle=ISO` and `TimeZone=UTC`, but offsets are parsed in full so a
 * server-side default never changes a value.
 */

import { civilFromDays, daysFromCivil, MICROS_PER_DAY, MICROS_PER_SECOND } from '@worker-sync/core';

/** PG date text (`2024-02-29`, `0044-03-15 BC`) to the neutral ISO form (`-0043-03-15`: year 0 is 1 BC). */
export function dateFromPg(text: string): string {
  const bc = text.endsWith(' BC');
  const body = bc ? text.slice(0, -3) : text;
  const match = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(body);
  if (match === null) throw new RangeError(`not an ISO date: ${text}`);
  const year = Number(match[1]);
  return `${formatYear(bc ? 1 - year : year)}-${match[2]}-${match[3]}`;
}

/** Neutral ISO date to PG date text. */
export function dateToPg(value: string): string {
  const match = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) throw new RangeError(`not an ISO date: ${value}`);
  const year = Number(match[1]);
  const tail = `-${match[2]}-${match[3]}`;
  return year <= 0 ? `${String(1 - year).padStart(4, '0')}${tail} BC` : `${String(year).padStart(4, '0')}${tail}`;
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(4, '0')}`;
}

/** `HH:MM:SS[.ffffff]` to microseconds since midnight (24:00:00 is allowed, as in PostgreSQL). */
function clockMicros(text: string): bigint {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) throw new RangeError(`not a time of day: ${text}`);
  const seconds = BigInt(Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]));
  return seconds * MICROS_PER_SECOND + BigInt((match[4] ?? '').padEnd(6, '0'));
}

function formatClock(micros: bigint): string {
  const seconds = micros / MICROS_PER_SECOND;
  const fraction = micros % MICROS_PER_SECOND;
  const hh = String(seconds / 3600n).padStart(2, '0');
  const mm = String((seconds / 60n) % 60n).padStart(2, '0');
  const ss = String(seconds % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(fraction).padStart(6, '0')}`;
}

/** `+05`, `-03:30`, `+05:45:10` to seconds east of UTC. */
function offsetSeconds(text: string): number {
  const match = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text);
  if (match === null) throw new RangeError(`not a UTC offset: ${text}`);
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}

function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor(abs / 60) % 60).padStart(2, '0');
  const ss = String(abs % 60).padStart(2, '0');
  return `${sign}${hh}:${mm}:${ss}`;
}

/** PG `time` / `timetz` text to microseconds since midnight and, for `timetz`, the offset. */
export function timeFromPg(text: string, zoned: boolean): { micros: bigint; offsetSeconds?: number } {
  if (!zoned) return { micros: clockMicros(text) };
  const at = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
  if (at < 0) throw new RangeError(`time with time zone lacks an offset: ${text}`);
  return { micros: clockMicros(text.slice(0, at)), offsetSeconds: offsetSeconds(text.slice(at)) };
}

/** Neutral time to PG `time` / `timetz` text. */
export function timeToPg(micros: bigint, offset: number | undefined): string {
  return offset === undefined ? formatClock(micros) : `${formatClock(micros)}${formatOffset(offset)}`;
}

/**
 * PG `timestamp` / `timestamptz` text (`2024-01-02 03:04:05.123456+00`, BC dates, any offset) to microseconds since
 * the epoch, from UTC for `timestamptz` and from the same wall clock for `timestamp`.
 */
export function timestampFromPg(text: string, zoned: boolean): bigint {
  const fast = recentTimestampFromPg(text, zoned);
  if (fast !== undefined) return BigInt(fast);
  const bc = text.endsWith(' BC');
  const body = bc ? text.slice(0, -3) : text;
  const match = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-][\d:]+)?$/.exec(body);
  if (match === null) throw new RangeError(`not a finite timestamp: ${text}`);
  const year = bc ? 1 - Number(match[1]) : Number(match[1]);
  const days = daysFromCivil(year, Number(match[2]), Number(match[3]));
  let micros = days * MICROS_PER_DAY + clockMicros(match[4]!);
  if (zoned) {
    if (match[5] === undefined) throw new RangeError(`timestamp with time zone lacks an offset: ${text}`);
    micros -= BigInt(offsetSeconds(match[5])) * MICROS_PER_SECOND;
  }
  return micros;
}

/** Neutral timestamp to PG text (UTC with an explicit `+00` offset for `timestamptz`). */
export function timestampToPg(micros: bigint, zoned: boolean): string {
  if (micros > -RECENT_MICROS && micros < RECENT_MICROS) return recentTimestampToPg(Number(micros), zoned);
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(days);
  const datePart = dateToPg(`${formatYear(year)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  const bc = datePart.endsWith(' BC');
  const ymd = bc ? datePart.slice(0, -3) : datePart;
  return `${ymd} ${formatClock(rest)}${zoned ? '+00' : ''}${bc ? ' BC' : ''}`;
}

/**
 * Instants within ±2^53 µs of the epoch (about 1685 to 2255) are exact in a double, so the common case, which the
 * log and the sink meet for every row, is read and written with plain arithmetic and `Date` instead of bigint
 * arithmetic and regular expressions. The general functions above give the same results.
 */
const RECENT_MICROS = 2n ** 53n;
const MICROS_PER_MILLI = 1000;

/**
 * `YYYY-MM-DD HH:MM:SS[.f…]` with `+00` when zoned (what a UTC session prints), years 1700–2199, as microseconds
 * since the epoch; `undefined` for any other text, which the general parser reads.
 */
function recentTimestampFromPg(text: string, zoned: boolean): number | undefined {
  const year = digits(text, 0, 4);
  if (year < 1700 || year > 2199 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  if (text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  let at = 19;
  let fraction = 0;
  if (text.charCodeAt(at) === 46) {
    let scale = 100_000;
    for (at += 1; at < text.length && scale >= 1; at++, scale /= 10) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      fraction += digit * scale;
    }
    if (at === 20) return undefined;
  }
  const rest = text.length - at;
  if (zoned ? rest !== 3 || !text.endsWith('+00') : rest !== 0) return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls an impossible day (Feb 30) into the next month; the general parser decides those.
  if (new Date(millis).getUTCDate() !== day) return undefined;
  return millis * MICROS_PER_MILLI + fraction;
}

/** The value of `length` decimal digits at `from`, or -1 when one is not a digit. */
function digits(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** {@link timestampToPg} for an instant within ±2^53 µs of the epoch. */
function recentTimestampToPg(micros: number, zoned: boolean): string {
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const iso = new Date((micros - fraction) / MICROS_PER_MILLI).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(fraction).padStart(6, '0')}${zoned ? '+00' : ''}`;
}

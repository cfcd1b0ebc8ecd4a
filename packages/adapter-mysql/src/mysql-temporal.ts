/**
 * Exact conversions between MySQL's temporal text forms (what mysql2 with `dateStrings` and the binlog decoder
 * return) and microsecond counts. Done on bigint arithmetic so no date ever passes through a lossy `Date`.
 */

import { civilFromDays, daysFromCivil, MICROS_PER_DAY, MICROS_PER_SECOND } from '@worker-sync/core';

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as microseconds since the epoch; undefined for zero or invalid dates. */
export function parseDateTimeMicros(text: string): bigint | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const fraction = BigInt((match[7] ?? '').padEnd(6, '0'));
  const seconds = BigInt(hour * 3600 + minute * 60 + second);
  return daysFromCivil(year, month, day) * MICROS_PER_DAY + seconds * MICROS_PER_SECOND + fraction;
}

/** Formats microseconds since the epoch as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC wall clock). */
export function formatDateTimeMicros(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(days);
  return `${formatDate(year, month, day)} ${formatTimeOfDay(rest)}`;
}

/** Checks a `YYYY-MM-DD` date (no zero parts). */
export function isValidDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Parses `[-]HHH:MM:SS[.ffffff]` as signed microseconds. */
export function parseTimeMicros(text: string): bigint | undefined {
  const match = /^(-)?(\d{2,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return undefined;
  const seconds = BigInt(Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]));
  const micros = seconds * MICROS_PER_SECOND + BigInt((match[5] ?? '').padEnd(6, '0'));
  return match[1] === '-' ? -micros : micros;
}

/** Formats microseconds since midnight as `HH:MM:SS.ffffff`. */
export function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / MICROS_PER_SECOND;
  const fraction = micros % MICROS_PER_SECOND;
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, 6)}`;
}

/** True when `micros` has non-zero digits beyond `fsp` fractional digits. */
export function exceedsFractionDigits(micros: bigint, fsp: number): boolean {
  const unit = 10n ** BigInt(6 - fsp);
  return micros % unit !== 0n;
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function pad(value: bigint, width: number): string {
  return value.toString().padStart(width, '0');
}

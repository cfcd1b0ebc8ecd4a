import type { Row, Value } from './value.js';
import { valueTypeOf } from './value-type.js';

/**
 * Exact equality of neutral values, the one every comparison in worker-sync uses:
 * - types must match (`1n` is not `1`, text is not a uuid);
 * - float64 by `Object.is`: `NaN` equals `NaN`, `-0` differs from `0` (both round-trip through every engine);
 * - bytes by content; decimals by their string, so `1.50` differs from `1.5` (scale is data);
 * - json by its canonical text (adapters store `JsonValue` text canonical, see `canonicalJson`);
 * - arrays item by item in order; documents field by field regardless of field order.
 *
 * @example
 * ```ts
 * valuesEqual({ kind: 'decimal', value: '1.50' }, { kind: 'decimal', value: '1.5' }); // false
 * valuesEqual(new Uint8Array([1]), new Uint8Array([1]));                              // true
 * ```
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (Object.is(a, b)) return true;
  const type = valueTypeOf(a);
  if (type !== valueTypeOf(b)) return false;
  switch (type) {
    case 'float64':
      return Object.is(a, b);
    case 'bytes':
      return bytesEqual(a as Uint8Array, b as Uint8Array);
    case 'decimal':
    case 'date':
    case 'uuid':
    case 'json':
      return (a as { value: string }).value === (b as { value: string }).value;
    case 'time': {
      const x = a as { micros: bigint; offsetSeconds?: number };
      const y = b as { micros: bigint; offsetSeconds?: number };
      return x.micros === y.micros && x.offsetSeconds === y.offsetSeconds;
    }
    case 'timestamp': {
      const x = a as { micros: bigint; zoned: boolean };
      const y = b as { micros: bigint; zoned: boolean };
      return x.micros === y.micros && x.zoned === y.zoned;
    }
    case 'array': {
      const x = (a as { items: readonly Value[] }).items;
      const y = (b as { items: readonly Value[] }).items;
      return x.length === y.length && x.every((item, i) => valuesEqual(item, y[i]!));
    }
    case 'document':
      return rowsEqual((a as { fields: Row }).fields, (b as { fields: Row }).fields);
    default:
      // null, boolean, int64 and text are equal only when identical, which `Object.is` already ruled out.
      return false;
  }
}

/** Two rows are equal when they name the same columns with equal values; column order does not matter. */
export function rowsEqual(a: Row, b: Row): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !valuesEqual(a[key]!, b[key]!)) return false;
  }
  return true;
}

/** Byte-wise equality of two byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

import { MappingError } from '../errors.js';
import type { Value, ValueType } from './value.js';

const TAGGED_KINDS: ReadonlySet<string> = new Set([
  'decimal',
  'date',
  'time',
  'timestamp',
  'uuid',
  'json',
  'array',
  'document',
]);

/**
 * The neutral type of a value. Throws a `MappingError` for anything outside the {@link Value} union (`undefined`,
 * a `Date`, a plain object without a known `kind`), so a stray JS value is reported instead of coerced.
 *
 * @example
 * ```ts
 * valueTypeOf(42n);                               // 'int64'
 * valueTypeOf({ kind: 'decimal', value: '1.50' }); // 'decimal'
 * ```
 */
export function valueTypeOf(value: Value): ValueType {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'int64';
    case 'number':
      return 'float64';
    case 'string':
      return 'text';
    case 'object':
      if (value instanceof Uint8Array) return 'bytes';
      if (TAGGED_KINDS.has((value as { kind?: unknown }).kind as string)) return (value as { kind: ValueType }).kind;
      break;
  }
  throw new MappingError(`not a neutral value: ${describe(value)}`, { type: describe(value) });
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind === 'string') return `object of kind "${kind}"`;
  return value.constructor?.name ?? 'object';
}

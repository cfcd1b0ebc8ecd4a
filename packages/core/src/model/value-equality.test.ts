import { describe, expect, it } from 'vitest';
import type { Value } from './value.js';
import { rowsEqual, valuesEqual } from './value-equality.js';
import { valueTypeOf } from './value-type.js';

describe('valuesEqual', () => {
  it('is exact about numbers', () => {
    expect(valuesEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(valuesEqual(0, -0)).toBe(false);
    expect(valuesEqual(1n, 1)).toBe(false);
    expect(valuesEqual(2n ** 63n - 1n, 2n ** 63n - 1n)).toBe(true);
  });

  it('keeps decimal scale significant', () => {
    expect(valuesEqual({ kind: 'decimal', value: '1.50' }, { kind: 'decimal', value: '1.5' })).toBe(false);
    expect(valuesEqual({ kind: 'decimal', value: '1.50' }, { kind: 'decimal', value: '1.50' })).toBe(true);
  });

  it('compares bytes by content and types strictly', () => {
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    const id = '123e4567-e89b-12d3-a456-426614174000';
    expect(valuesEqual(id, { kind: 'uuid', value: id })).toBe(false);
  });

  it('compares temporal values by every field', () => {
    expect(valuesEqual({ kind: 'time', micros: 1n }, { kind: 'time', micros: 1n, offsetSeconds: 0 })).toBe(false);
    expect(
      valuesEqual({ kind: 'timestamp', micros: 5n, zoned: true }, { kind: 'timestamp', micros: 5n, zoned: false }),
    ).toBe(false);
  });

  it('compares arrays in order and documents regardless of field order', () => {
    const arr = (...items: Value[]): Value => ({ kind: 'array', items });
    expect(valuesEqual(arr(1n, 2n), arr(1n, 2n))).toBe(true);
    expect(valuesEqual(arr(1n, 2n), arr(2n, 1n))).toBe(false);
    expect(
      valuesEqual({ kind: 'document', fields: { a: 1n, b: 'x' } }, { kind: 'document', fields: { b: 'x', a: 1n } }),
    ).toBe(true);
    expect(rowsEqual({ a: null }, {})).toBe(false);
    expect(rowsEqual({ a: null, b: true }, { b: true, a: null })).toBe(true);
  });
});

describe('valueTypeOf', () => {
  it('names neutral types and refuses anything else', () => {
    expect(valueTypeOf(null)).toBe('null');
    expect(valueTypeOf(1n)).toBe('int64');
    expect(valueTypeOf(1.5)).toBe('float64');
    expect(valueTypeOf(new Uint8Array())).toBe('bytes');
    expect(valueTypeOf({ kind: 'json', value: '{}' })).toBe('json');
    expect(() => valueTypeOf(new Date() as unknown as Value)).toThrow(/not a neutral value: Date/);
    expect(() => valueTypeOf(undefined as unknown as Value)).toThrow(/undefined/);
  });
});

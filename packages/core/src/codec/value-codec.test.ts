import { describe, expect, it } from 'vitest';
import type { Value } from '../model/value.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { MAX_VALUE_DEPTH, readValue, writeValue } from './value-codec.js';

function nested(depth: number): Value {
  let value: Value = null;
  for (let i = 0; i < depth; i++) value = { kind: 'array', items: [value] };
  return value;
}

function roundTrip(value: Value): Value {
  const w = new ByteWriter();
  writeValue(w, value, false);
  return readValue(new ByteReader(w.finish()));
}

describe('value codec', () => {
  it('round-trips nesting up to the limit and refuses deeper values on both ends', () => {
    expect(roundTrip(nested(MAX_VALUE_DEPTH))).toEqual(nested(MAX_VALUE_DEPTH));
    expect(() => roundTrip(nested(MAX_VALUE_DEPTH + 1))).toThrow(/nests deeper than 200/);
    const hostile = new Uint8Array(2 * (MAX_VALUE_DEPTH + 1) + 1);
    for (let i = 0; i < MAX_VALUE_DEPTH + 1; i++) hostile.set([16, 1], i * 2); // array of one item, nested
    expect(() => readValue(new ByteReader(hostile))).toThrow(/at byte 400: expected nesting no deeper than 200/);
  });

  it('round-trips int64 values across the double-arithmetic fast paths and the 64-bit ends', () => {
    const edges = [0n, 1n, -1n, 1n << 48n, 1n << 49n, 1n << 51n, 1n << 52n, 1n << 53n, (1n << 63n) - 1n];
    for (const edge of edges) {
      for (const value of [edge - 1n, edge, edge + 1n, -edge - 1n, -edge, -edge + 1n]) {
        if (value < -(1n << 63n) || value >= 1n << 63n) continue;
        expect(roundTrip(value)).toBe(value);
      }
    }
  });

  it('stores canonical uuids in 16 bytes and keeps other spellings as written', () => {
    const w = new ByteWriter();
    writeValue(w, { kind: 'uuid', value: '123e4567-e89b-12d3-a456-426614174000' }, false);
    expect(w.finish().length).toBe(17);
    expect(roundTrip({ kind: 'uuid', value: '123E4567-E89B-12D3-A456-426614174000' })).toEqual({
      kind: 'uuid',
      value: '123E4567-E89B-12D3-A456-426614174000',
    });
  });

  it('keeps every float64 bit that JS can observe', () => {
    for (const x of [
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
    ]) {
      expect(Object.is(roundTrip(x), x)).toBe(true);
    }
  });

  it('refuses an unknown tag and invalid UTF-8 with the offset', () => {
    expect(() => readValue(new ByteReader(new Uint8Array([99])))).toThrow(
      /at byte 0: expected a value tag 0–17, got 99/,
    );
    expect(() => readValue(new ByteReader(new Uint8Array([5, 2, 0xc3, 0x28])))).toThrow(
      /at byte 1: expected text as valid UTF-8/,
    );
  });
});

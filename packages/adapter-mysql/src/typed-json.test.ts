import type { RowKey } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from './typed-json.js';

describe('typed key JSON', () => {
  it('round-trips every neutral value type exactly', () => {
    const key: RowKey = [
      ['i', -9_223_372_036_854_775_808n],
      ['s', 'x'],
      ['b', true],
      ['f', 0.1],
      ['bytes', new Uint8Array([0, 255])],
      ['d', { kind: 'decimal', value: '1.50' }],
      ['date', { kind: 'date', value: '2024-02-29' }],
      ['t', { kind: 'time', micros: 1n, offsetSeconds: 3600 }],
      ['ts', { kind: 'timestamp', micros: -5n, zoned: true }],
      ['u', { kind: 'uuid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
      ['j', { kind: 'json', value: '{"a":1}' }],
      ['a', { kind: 'array', items: [1n, null] }],
      ['o', { kind: 'document', fields: { z: 1n, a: 'x' } }],
      ['n', null],
    ];
    expect(decodeKey(encodeKey(key), 'test')).toEqual(key);
  });

  it('writes a one-column integer key as JSON.stringify of its typed form would', () => {
    for (const [column, value] of [
      ['id', 0n],
      ['id', -9_223_372_036_854_775_808n],
      ['weird "col" \\ é', 18_446_744_073_709_551_615n],
    ] as const) {
      expect(encodeKey([[column, value]])).toBe(JSON.stringify([[column, { i: value.toString() }]]));
      expect(decodeKey(encodeKey([[column, value]]), 'test')).toEqual([[column, value]]);
    }
  });

  it('gives equal keys equal text regardless of document field order', () => {
    const a: RowKey = [['o', { kind: 'document', fields: { a: 1n, b: 2n } }]];
    const b: RowKey = [['o', { kind: 'document', fields: { b: 2n, a: 1n } }]];
    expect(encodeKey(a)).toBe(encodeKey(b));
  });
});

import type { Value, ValueType } from '../model/value.js';

/**
 * Values the conformance suite round-trips for each neutral type, chosen at the edges adapters get wrong: int64
 * bounds, `-0`, scale of decimals, microseconds, a leap day, non-ASCII text, bytes with 0x00 and 0xff.
 * A harness replaces them per column where its engine's range is narrower.
 */
export const DEFAULT_SAMPLES: Readonly<Record<ValueType, readonly Value[]>> = {
  null: [null],
  boolean: [true, false],
  int64: [0n, -(2n ** 63n), 2n ** 63n - 1n],
  float64: [1.5, -0, 1e300, -2.5e-300],
  text: ['héllo wörld ✓', '', 'quote \' and "double"'],
  bytes: [new Uint8Array([0, 255, 1, 128]), new Uint8Array([])],
  decimal: [
    { kind: 'decimal', value: '12.3400' },
    { kind: 'decimal', value: '-0.5' },
    { kind: 'decimal', value: '123456789012345678901234567890.123456789' },
  ],
  date: [
    { kind: 'date', value: '2024-02-29' },
    { kind: 'date', value: '1970-01-01' },
  ],
  time: [
    { kind: 'time', micros: 0n },
    { kind: 'time', micros: 86_399_999_999n },
  ],
  timestamp: [
    { kind: 'timestamp', micros: 1_700_000_000_123_456n, zoned: true },
    { kind: 'timestamp', micros: 946_684_800_000_001n, zoned: false },
  ],
  uuid: [{ kind: 'uuid', value: '123e4567-e89b-12d3-a456-426614174000' }],
  json: [
    { kind: 'json', value: '{"a":[1,2,{"b":null}],"c":"x"}' },
    { kind: 'json', value: '12345678901234567890' },
  ],
  array: [{ kind: 'array', items: [1n, 2n, 3n] }],
  document: [{ kind: 'document', fields: { a: 1n, b: 'x', c: { kind: 'array', items: [true] } } }],
};

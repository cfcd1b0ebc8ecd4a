import { describe, expect, it } from 'vitest';
import { IntegrityError, MappingError } from '../errors.js';
import type { ChangeBatch, ChangeEvent } from '../model/change-event.js';
import type { Row } from '../model/value.js';
import { BATCH_CODEC_VERSION, decodeBatch, encodeBatch } from './batch-codec.js';
import { ByteWriter } from './byte-writer.js';

function event(after: Row, extra: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    op: 'update',
    table: { namespace: 'shop', name: 'orders' },
    key: [['id', 7n]],
    after,
    position: '0/1',
    tx: { id: '9', commitTimeMicros: 1n, index: 0, last: true },
    origin: 'n1',
    sourceId: 'pg',
    version: { vv: { n1: 1 }, hlc: 5n, writer: 'n1', deleted: false },
    ...extra,
  };
}

function batch(events: ChangeEvent[]): ChangeBatch {
  return { id: 'n1/pg/0/1/0', origin: 'n1', sourceId: 'pg', events, position: '0/1' };
}

describe('batch codec', () => {
  it('starts with the version byte and round-trips an empty batch', () => {
    const bytes = encodeBatch(batch([]));
    expect(bytes[0]).toBe(BATCH_CODEC_VERSION);
    expect(decodeBatch(bytes)).toEqual(batch([]));
  });

  it('keeps a column, node or stamp named __proto__ an own field, never the prototype', () => {
    // JSON.parse makes __proto__ an own field, as a source reading such a column does.
    const after = JSON.parse('{"__proto__": "a value", "constructor": 1}') as Row;
    const vv = JSON.parse('{"__proto__": 2}') as Record<string, number>;
    const columns: Record<string, bigint> = { constructor: 3n };
    Object.defineProperty(columns, '__proto__', { value: 4n, enumerable: true, writable: true, configurable: true });
    const version = { vv, hlc: 5n, writer: 'n1', deleted: false, columns };
    const decoded = decodeBatch(encodeBatch(batch([event(after, { version })]))).events[0]!;
    for (const record of [decoded.after!, decoded.version.vv, decoded.version.columns!]) {
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.hasOwn(record, '__proto__')).toBe(true);
    }
    expect(decoded.after!.__proto__).toBe('a value');
    expect(decoded.after!.constructor).toBe(1);
    expect(decoded.version.vv.__proto__).toBe(2);
    expect(decoded.version.columns!.__proto__).toBe(4n);
  });

  it('round-trips huge and empty values', () => {
    const big = batch([
      event({ text: 'ü'.repeat(100_000), blob: new Uint8Array(1 << 18).fill(7), empty: '', none: new Uint8Array() }),
    ]);
    expect(decodeBatch(encodeBatch(big))).toEqual(big);
  });

  it('shares repeated names, so a second event costs much less than the first', () => {
    const one = encodeBatch(batch([event({ amount: 1n, status: 'paid' })])).length;
    const two = encodeBatch(
      batch([event({ amount: 1n, status: 'paid' }), event({ amount: 2n, status: 'paid' })]),
    ).length;
    expect(two - one).toBeLessThan(one / 2);
  });

  it('refuses int64 out of range, naming table and column', () => {
    const error = (() => {
      try {
        encodeBatch(batch([event({ total: 1n << 63n })]));
      } catch (e) {
        return e as MappingError;
      }
    })();
    expect(error).toBeInstanceOf(MappingError);
    expect(error?.message).toMatch(/outside the int64 range in shop\.orders column "total"/);
    expect(error?.where).toMatchObject({ table: 'shop.orders', column: 'total', type: 'int64' });
    expect(() => encodeBatch(batch([event({ name: 'a\uD800b' })]))).toThrow(/lone UTF-16 surrogate.*column "name"/);
  });

  it('names the offset and expectation on bad input', () => {
    expect(() => decodeBatch(new Uint8Array())).toThrow(/at byte 0: expected the codec version, found end of input/);
    expect(() => decodeBatch(new Uint8Array([9]))).toThrow(/at byte 0: expected codec version 1, got 9/);
    const bytes = encodeBatch(batch([event({ a: 1n })]));
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 1))).toThrow(IntegrityError);
    expect(() => decodeBatch(new Uint8Array([...bytes, 0]))).toThrow(
      /expected end of input after 1 events, found 1 more bytes/,
    );
  });

  it('does not trust a length field beyond the input', () => {
    const w = new ByteWriter();
    w.byte(BATCH_CODEC_VERSION);
    w.varuint(2 ** 50); // a batch id "length" of 2^50 bytes
    expect(() => decodeBatch(w.finish())).toThrow(/at byte 1: expected length of the batch id ≤ 0 \(bytes left\)/);
    const v = new ByteWriter();
    v.byte(BATCH_CODEC_VERSION);
    v.string('id', 'id');
    for (let i = 0; i < 3; i++) v.raw(new Uint8Array([0, 1, 0x61]));
    v.varuint(1_000_000_000);
    expect(() => decodeBatch(v.finish())).toThrow(/expected the event count/);
  });
});

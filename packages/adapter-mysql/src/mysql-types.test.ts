import { MappingError } from '@worker-sync/core';
import { describe, expect, it } from 'vitest';
import type { MySqlColumnDefinition } from './mysql-column.js';
import { DEFAULT_TYPE_OPTIONS, fromMySql, mapColumn, shortestFloat32, toMySql } from './mysql-types.js';

const table = { namespace: 'db', name: 't' };

function column(columnType: string, extra: Partial<MySqlColumnDefinition> = {}) {
  return mapColumn(table, { name: 'c', columnType, charset: null, ...extra }, DEFAULT_TYPE_OPTIONS);
}

describe('MySQL value mapping', () => {
  it('maps integers exactly and checks ranges, naming table, column and type', () => {
    expect(fromMySql('9223372036854775807', column('bigint(20)'))).toBe(9_223_372_036_854_775_807n);
    expect(fromMySql(-5, column('int(11)'))).toBe(-5n);
    expect(toMySql(255n, column('tinyint(3) unsigned'))).toBe('255');
    expect(() => toMySql(256n, column('tinyint(3) unsigned'))).toThrow(MappingError);
    const error = (() => {
      try {
        fromMySql('18446744073709551615', column('bigint(20) unsigned'));
      } catch (e) {
        return e as MappingError;
      }
    })();
    expect(error).toBeInstanceOf(MappingError);
    expect(error?.where).toEqual({ table: 'db.t', column: 'c', type: 'bigint(20) unsigned' });
  });

  it('maps BIGINT UNSIGNED to decimal when configured', () => {
    const c = mapColumn(
      table,
      { name: 'c', columnType: 'bigint(20) unsigned', charset: null },
      {
        ...DEFAULT_TYPE_OPTIONS,
        bigintUnsigned: 'decimal',
      },
    );
    expect(fromMySql('18446744073709551615', c)).toEqual({ kind: 'decimal', value: '18446744073709551615' });
    expect(toMySql({ kind: 'decimal', value: '18446744073709551615' }, c)).toBe('18446744073709551615');
  });

  it('keeps DECIMAL scale and refuses digits the column would round away', () => {
    const c = column('decimal(6,2)');
    expect(fromMySql('-12.50', c)).toEqual({ kind: 'decimal', value: '-12.50' });
    expect(toMySql({ kind: 'decimal', value: '1.500' }, c)).toBe('1.500');
    expect(() => toMySql({ kind: 'decimal', value: '1.505' }, c)).toThrow(/scale/);
    expect(() => toMySql({ kind: 'decimal', value: '12345.1' }, c)).toThrow(/precision/);
  });

  it('maps DATETIME as naive and TIMESTAMP as zoned microseconds, refusing lost precision', () => {
    expect(fromMySql('2024-01-02 03:04:05.123456', column('datetime(6)'))).toEqual({
      kind: 'timestamp',
      micros: 1_704_164_645_123_456n,
      zoned: false,
    });
    expect(fromMySql('2024-01-02 03:04:05', column('timestamp'))).toMatchObject({ zoned: true });
    const ts = { kind: 'timestamp', micros: 1_704_164_645_123_456n, zoned: true } as const;
    expect(toMySql(ts, column('timestamp(6)'))).toBe('2024-01-02 03:04:05.123456');
    expect(() => toMySql(ts, column('datetime(3)'))).toThrow(/fractional/);
    expect(() => fromMySql('0000-00-00 00:00:00', column('datetime'))).toThrow(MappingError);
  });

  it('maps booleans, JSON, bytes, enums and sets', () => {
    expect(fromMySql(1, column('tinyint(1)'))).toBe(true);
    expect(toMySql(false, column('tinyint(1)'))).toBe('0');
    expect(fromMySql('{"b": 1, "a": [1, 2]}', column('longtext', { json: true, charset: 'utf8mb4' }))).toEqual({
      kind: 'json',
      value: '{"a":[1,2],"b":1}',
    });
    expect(fromMySql(Buffer.from([1, 2]), column('varbinary(4)'))).toEqual(new Uint8Array([1, 2]));
    expect(fromMySql('a,c', column("set('a','b','c')", { charset: 'utf8mb4' }))).toBe('a,c');
  });

  it('maps UUIDs as text or BINARY(16) per configuration', () => {
    const options = { ...DEFAULT_TYPE_OPTIONS, uuidColumns: new Set(['t.u']) };
    const text = mapColumn(table, { name: 'u', columnType: 'char(36)', charset: 'ascii' }, options);
    const binary = mapColumn(table, { name: 'u', columnType: 'binary(16)', charset: null }, options);
    const uuid = { kind: 'uuid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' } as const;
    expect(fromMySql(toMySql(uuid, text), text)).toEqual(uuid);
    expect(toMySql(uuid, binary)).toHaveLength(16);
    expect(fromMySql(toMySql(uuid, binary), binary)).toEqual(uuid);
  });

  it('gives FLOAT the shortest decimal that round-trips through float32', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(fromMySql(1.100000023841858, column('float'))).toBe(1.1);
    expect(() => toMySql(Number.NaN, column('double'))).toThrow(/NaN/);
  });
});

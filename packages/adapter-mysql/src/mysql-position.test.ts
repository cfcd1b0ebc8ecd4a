import { describe, expect, it } from 'vitest';
import { decodePosition, encodePosition } from './mysql-position.js';

describe('binlog positions', () => {
  it('round-trip file, offset, GTID and snapshot cursor', () => {
    const plain = { file: 'mysql-bin.000012', offset: 1234, gtid: '0-1-57' };
    expect(decodePosition(encodePosition(plain))).toEqual(plain);
    const snap = { ...plain, snapshot: { table: 2, chunk: 7, lastKey: '[["id",{"i":"9"}]]' } };
    expect(decodePosition(encodePosition(snap))).toEqual(snap);
    const mysql = { file: 'binlog.000003', offset: 4, gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5' };
    expect(decodePosition(encodePosition(mysql))).toEqual(mysql);
  });

  it('sort in log order as plain strings', () => {
    const positions = [
      encodePosition({ file: 'b.000001', offset: 900, gtid: '0-1-9' }),
      encodePosition({ file: 'b.000001', offset: 900, gtid: '0-1-9', snapshot: { table: 0, chunk: 1, lastKey: 'x' } }),
      encodePosition({ file: 'b.000001', offset: 900, gtid: '0-1-9', snapshot: { table: 1, chunk: 0, lastKey: '' } }),
      encodePosition({ file: 'b.000001', offset: 10_000, gtid: '0-1-10' }),
      encodePosition({ file: 'b.000002', offset: 4 }),
      encodePosition({ file: 'b.000010', offset: 4 }),
    ];
    expect([...positions].sort()).toEqual(positions);
  });

  it('rejects text that is not a position', () => {
    expect(() => decodePosition('0/16B3748')).toThrow(/not a MySQL binlog position/);
  });
});

import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import { sqlValue } from './mysql-connection.js';

describe('sqlValue', () => {
  it('writes integers, bytes and NULL as mysql2 does', () => {
    for (const value of [0n, -9223372036854775808n, 18446744073709551615n, 42, -1.5, null, Buffer.from([0, 255, 39])]) {
      expect(sqlValue(value)).toBe(mysql.escape(value, false, 'Z'));
    }
    expect(sqlValue(new Uint8Array([1, 2, 3]).subarray(1))).toBe("X'0203'");
  });

  it('leaves a plain string and its double quotes as they are between single quotes', () => {
    expect(sqlValue('item-1')).toBe("'item-1'");
    expect(sqlValue('{"a":[1,"b"]}')).toBe('\'{"a":[1,"b"]}\'');
  });

  it('hands strings with characters that need escaping to mysql2', () => {
    for (const value of ["it's", 'back\\slash', 'nul\u0000', 'line\nbreak', 'cr\r', 'ctrl-z\u001a', '"\'"']) {
      expect(sqlValue(value)).toBe(mysql.escape(value, false, 'Z'));
    }
  });

  it('hands NaN, booleans and other values to mysql2', () => {
    for (const value of [Number.NaN, true, false]) expect(sqlValue(value)).toBe(mysql.escape(value, false, 'Z'));
  });
});

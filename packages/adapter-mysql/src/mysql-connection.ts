import type { SqlValue } from 'mysql2';
import mysql from 'mysql2';
import type { ConnectionOptions, Pool, PoolOptions } from 'mysql2/promise';

/**
 * mysql2 options under which every value arrives exactly: big integers and decimals as strings, temporal values as
 * their text (no lossy `Date`), JSON as text, and the session in UTC so TIMESTAMP text is UTC.
 */
export function exactValueOptions(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    charset: 'utf8mb4_general_ci',
  };
}

/**
 * A pool whose every connection runs in UTC with the exact-value options. Each session also drops
 * `NO_BACKSLASH_ESCAPES` from its `sql_mode`: values are escaped on the client by mysql2, whose escaping assumes
 * backslash escapes, so the server must read them the same way (the sink sends several statements in one query).
 */
export function createExactPool(url: string, options: Partial<PoolOptions> = {}): Pool {
  const pool = mysql.createPool({ ...exactValueOptions(url), ...options }).promise();
  pool.pool.on('connection', (connection) => {
    connection.query(
      "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', ''), ',,', ','))",
    );
  });
  return pool;
}

/** A value as an SQL literal through mysql2's escaping, under the exact-value options (UTC). */
export function sqlValue(value: unknown): string {
  return mysql.escape(value as SqlValue, false, 'Z');
}

/** A statement with its values inlined by mysql2's client-side escaping, under the exact-value options (UTC). */
export function formatSql(sql: string, params: readonly unknown[]): string {
  return mysql.format(sql, params as SqlValue[], false, 'Z');
}

/** Quotes an identifier with mysql2's escaping. */
export function quoteId(name: string): string {
  return mysql.escapeId(name, true);
}

/** Quotes `database.table`. */
export function quoteTable(database: string, table: string): string {
  return `${mysql.escapeId(database, true)}.${mysql.escapeId(table, true)}`;
}

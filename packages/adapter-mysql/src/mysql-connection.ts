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
  const pool = mysql.createPool({ ...exactValueOptions(url), queryFormat: formatUnlessBare, ...options }).promise();
  pool.pool.on('connection', (connection) => {
    connection.query(
      "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', ''), ',,', ','))",
    );
  });
  return pool;
}

/**
 * mysql2's own formatting, except that a query without values is sent as it is: mysql2 would scan the whole text for
 * placeholders, and the sink's queries are scripts of hundreds of kilobytes whose values are inlined already.
 */
function formatUnlessBare(sql: string, values: unknown): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return mysql.format(sql, values as SqlValue[], false, 'Z');
}

/** Characters a single-quoted literal cannot carry as they are (backslash escapes on, see {@link createExactPool}). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and Ctrl-Z are among the characters MySQL escapes.
const NEEDS_ESCAPE = /[\0\n\r\x1a'\\]/;

/**
 * A value as an SQL literal, as mysql2's escaping writes it under the exact-value options (UTC), with fast paths for
 * the values the sink writes most: integers, plain strings (a double quote needs no escape between single quotes, so
 * JSON text stays as it is) and bytes.
 */
export function sqlValue(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (Number.isFinite(value)) return String(value);
      break;
    case 'string':
      if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
      break;
    case 'object':
      if (value === null) return 'NULL';
      if (value instanceof Uint8Array)
        return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`;
      break;
  }
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

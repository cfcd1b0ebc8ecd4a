import { quoteId, quoteTable, sqlValue } from './mysql-connection.js';

/** A SQL text with its bound parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * `(a, b) IN ((1, 2), …)` or `a IN (1, …)` for a list of key tuples, the values inlined through mysql2's escaping:
 * a list of hundreds of keys is written once instead of as placeholders that the driver scans for again.
 */
export function keyPredicate(columns: readonly string[], keys: readonly (readonly unknown[])[]): Statement {
  if (columns.length === 1) {
    return { sql: `${quoteId(columns[0]!)} IN (${keys.map((key) => sqlValue(key[0])).join(', ')})`, params: [] };
  }
  return {
    sql: `(${columns.map(quoteId).join(', ')}) IN (${keys.map(tupleOf).join(', ')})`,
    params: [],
  };
}

/**
 * A multi-row upsert that assigns only the listed columns on conflict, so columns a change did not carry are left
 * as they are. Values are inlined through mysql2's escaping.
 */
export function upsertStatement(
  database: string,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Statement {
  return upsertTuplesStatement(database, table, columns, keyColumns, rows.map(tupleOf));
}

/** {@link upsertStatement} of rows already written as SQL tuples (`(1, 'a')`), in the order of `columns`. */
export function upsertTuplesStatement(
  database: string,
  table: string,
  columns: readonly string[],
  keyColumns: readonly string[],
  tuples: readonly string[],
): Statement {
  const updates = columns.filter((column) => !keyColumns.includes(column));
  const assignments = (updates.length > 0 ? updates : [keyColumns[0]!])
    .map((column) => `${quoteId(column)} = VALUES(${quoteId(column)})`)
    .join(', ');
  return {
    sql: `${insertTuplesStatement(database, table, columns, tuples).sql} ON DUPLICATE KEY UPDATE ${assignments}`,
    params: [],
  };
}

/** A plain multi-row insert: any duplicate key is an error. Values are inlined through mysql2's escaping. */
export function insertStatement(
  database: string,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Statement {
  return insertTuplesStatement(database, table, columns, rows.map(tupleOf));
}

/** A multi-row INSERT of tuples already written as SQL (`(1, 'a')`), for rows whose values were escaped by the caller. */
export function insertTuplesStatement(
  database: string,
  table: string,
  columns: readonly string[],
  tuples: readonly string[],
): Statement {
  return {
    sql: `INSERT INTO ${quoteTable(database, table)} (${columns.map(quoteId).join(', ')}) VALUES ${tuples.join(', ')}`,
    params: [],
  };
}

/** A multi-row delete by primary key. */
export function deleteStatement(
  database: string,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly unknown[])[],
): Statement {
  const where = keyPredicate(keyColumns, keys);
  return { sql: `DELETE FROM ${quoteTable(database, table)} WHERE ${where.sql}`, params: where.params };
}

function tupleOf(values: readonly unknown[]): string {
  const literals = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) literals[i] = sqlValue(values[i]);
  return `(${literals.join(', ')})`;
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `(a, b) > (?, ?)`: the rows after a key in key order, for keyset pagination. */
export function keyAfter(columns: readonly string[], key: readonly unknown[]): Statement {
  if (columns.length === 1) return { sql: `${quoteId(columns[0]!)} > ?`, params: [key[0]] };
  return { sql: `(${columns.map(quoteId).join(', ')}) > (${columns.map(() => '?').join(', ')})`, params: [...key] };
}

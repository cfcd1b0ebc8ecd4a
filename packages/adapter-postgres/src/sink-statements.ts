import pg from 'pg';
import { formatPgArray } from './postgres-array.js';
import { quoteIdent, quoteTable } from './postgres-connection.js';
import { APPLIED_POSITIONS, ROW_VERSIONS, SINK_MESSAGE_PREFIX } from './postgres-metadata.js';
import type { PgColumn, PgTable } from './postgres-table-catalog.js';
import { textArrayParameter } from './text-array-parameter.js';

/**
 * Set-based statements of the sink. Every statement takes one text array per column and casts inside SQL
 * (`unnest($1::text[]) … u0::numeric(10,2)`), so a batch of any size is one statement and the values reach
 * PostgreSQL as exact text. The arrays are sent in binary form ({@link textArrayParameter}): no element needs
 * quoting or escaping, which is several times lighter on the host than any array literal.
 */

/** A SQL text with its bound parameters. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

function unnestOf(columns: readonly PgColumn[], firstParam = 1): { from: string; select: string } {
  const params = columns.map((_, i) => `$${i + firstParam}::text[]`).join(', ');
  const names = columns.map((_, i) => `u${i}`).join(', ');
  const select = columns.map((column, i) => `u${i}::${column.type}`).join(', ');
  return { from: `unnest(${params}) AS u(${names})`, select };
}

function keyList(table: PgTable): string {
  return table.key.map((column) => quoteIdent(column.name)).join(', ');
}

/** Reads and locks the data rows of the given keys (one text array per key column). */
export function selectRowsForUpdate(table: PgTable, keys: readonly (readonly (string | null)[])[]): Statement {
  const { from, select } = unnestOf(table.key);
  return {
    text: `SELECT * FROM ${quoteTable(table.schema, table.name)} WHERE (${keyList(table)}) IN (SELECT ${select} FROM ${from}) FOR UPDATE`,
    values: table.key.map((_, i) => textArrayParameter(keys.map((key) => key[i] ?? null))),
  };
}

/** Reads every data row of a table under lock (for truncate). */
export function selectAllRowsForUpdate(table: PgTable): Statement {
  return { text: `SELECT * FROM ${quoteTable(table.schema, table.name)} FOR UPDATE`, values: [] };
}

/**
 * Reads and locks the shadow rows of the given row keys: one index probe per key, forced by the lateral join.
 * Joined any other way (`= ANY`, a plain join), a table the statistics do not know yet (a new table, an initial load)
 * is estimated at one shadow row, so the planner reads every shadow row of that table and matches the keys in a hash
 * or a filter: each batch then reads more than the one before.
 */
export function selectVersionsForUpdate(tableName: string, rowKeys: readonly string[] | undefined): Statement {
  const columns = 'v.row_key, v.vv, v.hlc::text AS hlc, v.writer, v.deleted::text AS deleted, v.columns';
  if (rowKeys === undefined) {
    return { text: `SELECT ${columns} FROM ${ROW_VERSIONS} v WHERE v.table_name = $1 FOR UPDATE`, values: [tableName] };
  }
  return {
    text: `SELECT ${columns} FROM unnest($2::text[]) AS k(row_key) CROSS JOIN LATERAL
  (SELECT * FROM ${ROW_VERSIONS} s WHERE s.table_name = $1 AND s.row_key = k.row_key FOR UPDATE) AS v`,
    values: [tableName, textArrayParameter(rowKeys)],
  };
}

/** Advisory lock key spaces (the first of the two int4 keys) of ranges and buckets. */
const RANGE_LOCKS = 7265;
const BUCKET_LOCKS = 7264;

/** Row keys per batch above which the sink locks ranges of buckets instead of single buckets. */
export const RANGE_LOCK_THRESHOLD = 256;

/**
 * Serialises appliers on the same rows, including rows neither side has stored yet (which `FOR UPDATE` cannot lock):
 * transaction-scoped advisory locks on 4096 hash buckets of (table, row key), grouped in 256 ranges of 16, taken
 * for the whole batch in one statement before any row is read.
 *
 * A batch of up to {@link RANGE_LOCK_THRESHOLD} keys takes each of its ranges shared and each of its buckets
 * exclusive; a larger batch takes its ranges exclusive, so no batch holds more than 512 advisory locks, well inside
 * the server's lock table (`max_locks_per_transaction` × connections, 6,400 slots by default) even with several sinks
 * applying large batches at once. Every batch takes ranges before buckets, each in ascending order, so two sinks
 * cannot deadlock; unrelated rows sharing a bucket or range only wait.
 */
export function lockRowKeys(tableNames: readonly string[], rowKeys: readonly string[]): Statement {
  const bucket = `(hashtextextended(t || '/' || k, 0) & 4095)::int4`;
  const keys = 'unnest($1::text[], $2::text[]) AS u(t, k)';
  const text =
    rowKeys.length > RANGE_LOCK_THRESHOLD
      ? `SELECT count(pg_advisory_xact_lock(${RANGE_LOCKS}, n)) FROM (SELECT DISTINCT ${bucket} >> 4 AS n FROM ${keys} ORDER BY n) AS s`
      : `SELECT count(CASE WHEN is_range THEN pg_advisory_xact_lock_shared(${RANGE_LOCKS}, n) ELSE pg_advisory_xact_lock(${BUCKET_LOCKS}, n) END)
FROM (SELECT DISTINCT true AS is_range, ${bucket} >> 4 AS n FROM ${keys}
  UNION ALL SELECT DISTINCT false, ${bucket} FROM ${keys} ORDER BY is_range DESC, n) AS s`;
  return { text, values: [textArrayParameter(tableNames), textArrayParameter(rowKeys)] };
}

/** Every range exclusive: a batch with a truncate, whose rows are not known before they are read. */
export function lockAllRows(): Statement {
  return {
    text: `SELECT count(pg_advisory_xact_lock(${RANGE_LOCKS}, n)) FROM generate_series(0, 255) AS n`,
    values: [],
  };
}

/** Multi-row insert of shadow rows the batch found absent (only sinks write them, under the batch locks). */
export function insertVersions(rows: readonly VersionRow[]): Statement {
  return {
    text: `INSERT INTO ${ROW_VERSIONS} (table_name, row_key, vv, hlc, writer, deleted, columns, key_columns, row_columns)
SELECT * FROM ${versionsUnnest}`,
    values: versionValues(rows),
  };
}

/** Multi-row update of shadow rows the batch read (and locked). */
export function updateVersions(rows: readonly VersionRow[]): Statement {
  return {
    text: `UPDATE ${ROW_VERSIONS} AS v SET vv = u.vv, hlc = u.hlc, writer = u.writer, deleted = u.deleted,
  columns = u.columns, key_columns = u.key_columns, row_columns = u.row_columns
FROM ${versionsUnnest} AS u(table_name, row_key, vv, hlc, writer, deleted, columns, key_columns, row_columns)
WHERE v.table_name = u.table_name AND v.row_key = u.row_key`,
    values: versionValues(rows),
  };
}

/** One shadow row to write; the JSON columns are text, which the server takes in far cheaper than jsonb. */
export interface VersionRow {
  tableName: string;
  rowKey: string;
  vv: string;
  hlc: string;
  writer: string;
  deleted: boolean;
  columns: string | null;
  keyColumns: string | null;
  rowColumns: string | null;
}

const versionsUnnest =
  'unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[])';

function versionValues(rows: readonly VersionRow[]): unknown[] {
  return [
    textArrayParameter(rows.map((r) => r.tableName)),
    textArrayParameter(rows.map((r) => r.rowKey)),
    textArrayParameter(rows.map((r) => r.vv)),
    // int8[] and bool[]: plain digits and letters, which an array literal carries without escaping.
    formatPgArray(rows.map((r) => r.hlc)),
    textArrayParameter(rows.map((r) => r.writer)),
    formatPgArray(rows.map((r) => (r.deleted ? 't' : 'f'))),
    textArrayParameter(rows.map((r) => r.columns)),
    textArrayParameter(rows.map((r) => r.keyColumns)),
    textArrayParameter(rows.map((r) => r.rowColumns)),
  ];
}

/** Multi-row upsert of data rows that all carry the same columns; other columns keep their values. */
export function upsertRows(
  table: PgTable,
  columns: readonly PgColumn[],
  rows: readonly (readonly (string | null)[])[],
): Statement {
  const { from, select } = unnestOf(columns);
  const keyNames = new Set(table.key.map((column) => column.name));
  const updates = columns.filter((column) => !keyNames.has(column.name));
  const conflict =
    updates.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updates.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`).join(', ')}`;
  return {
    text: `INSERT INTO ${quoteTable(table.schema, table.name)} (${columns.map((c) => quoteIdent(c.name)).join(', ')})
SELECT ${select} FROM ${from} ON CONFLICT (${keyList(table)}) ${conflict}`,
    values: columns.map((_, i) => textArrayParameter(rows.map((row) => row[i] ?? null))),
  };
}

/** Multi-row delete by primary key. */
export function deleteRows(table: PgTable, keys: readonly (readonly (string | null)[])[]): Statement {
  const { from, select } = unnestOf(table.key);
  return {
    text: `DELETE FROM ${quoteTable(table.schema, table.name)} WHERE (${keyList(table)}) IN (SELECT ${select} FROM ${from})`,
    values: table.key.map((_, i) => textArrayParameter(keys.map((key) => key[i] ?? null))),
  };
}

/** Reads (and with `lock`, locks) the last applied position of one origin source. */
export function selectAppliedPosition(origin: string, sourceId: string, lock: boolean): Statement {
  return {
    text: `SELECT position FROM ${APPLIED_POSITIONS} WHERE origin = $1 AND source_id = $2${lock ? ' FOR UPDATE' : ''}`,
    values: [origin, sourceId],
  };
}

/**
 * Opens a batch's transaction in one round trip (a simple-query script; its few values are literals escaped by the
 * driver): BEGIN, the locked read of the origin source's last applied position (the script's second result), and
 * the sink's transactional logical message, which a rollback discards when the batch turns out to be a repeat.
 */
export function beginBatchScript(origin: string, sourceId: string, message: string): string {
  const literal = pg.escapeLiteral;
  return `BEGIN;
SELECT position FROM ${APPLIED_POSITIONS} WHERE origin = ${literal(origin)} AND source_id = ${literal(sourceId)} FOR UPDATE;
SELECT pg_logical_emit_message(true, ${literal(SINK_MESSAGE_PREFIX)}, ${literal(message)})`;
}

/** Records the batch's position and commits, in one round trip. */
export function commitBatchScript(origin: string, sourceId: string, position: string): string {
  const literal = pg.escapeLiteral;
  return `INSERT INTO ${APPLIED_POSITIONS} (origin, source_id, position) VALUES (${literal(origin)}, ${literal(sourceId)}, ${literal(position)})
ON CONFLICT (origin, source_id) DO UPDATE SET position = EXCLUDED.position;
COMMIT`;
}

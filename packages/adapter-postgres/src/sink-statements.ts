import { quoteIdent, quoteTable } from './postgres-connection.js';
import { APPLIED_POSITIONS, ROW_VERSIONS } from './postgres-metadata.js';
import type { PgColumn, PgTable } from './postgres-table-catalog.js';

/**
 * Set-based statements of the sink. Every statement takes one text array per column and casts inside SQL
 * (`unnest($1::text[]) … u0::numeric(10,2)`), so a batch of any size is one round trip per statement and the values
 * reach PostgreSQL as exact text.
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
    values: table.key.map((_, i) => keys.map((key) => key[i])),
  };
}

/** Reads every data row of a table under lock (for truncate). */
export function selectAllRowsForUpdate(table: PgTable): Statement {
  return { text: `SELECT * FROM ${quoteTable(table.schema, table.name)} FOR UPDATE`, values: [] };
}

/** Reads and locks the shadow rows of the given row keys. */
export function selectVersionsForUpdate(tableName: string, rowKeys: readonly string[] | undefined): Statement {
  const where = rowKeys === undefined ? '' : ' AND row_key = ANY($2::text[])';
  return {
    text: `SELECT row_key, vv, hlc::text AS hlc, writer, deleted::text AS deleted, columns FROM ${ROW_VERSIONS} WHERE table_name = $1${where} FOR UPDATE`,
    values: rowKeys === undefined ? [tableName] : [tableName, rowKeys],
  };
}

/**
 * Serialises appliers on the same rows, including rows neither side has stored yet (which `FOR UPDATE` cannot lock):
 * transaction-scoped advisory locks on 4096 hash buckets of the row keys, taken in a fixed order so two sinks cannot
 * deadlock. Buckets bound the number of locks a large batch takes; unrelated rows sharing a bucket only wait.
 */
export function lockRowKeys(tableName: string, rowKeys: readonly string[]): Statement {
  return {
    text: `SELECT count(pg_advisory_xact_lock(7264, b)) FROM (SELECT DISTINCT (hashtextextended($1 || '/' || k, 0) & 4095)::int4 AS b FROM unnest($2::text[]) AS k ORDER BY b) AS s`,
    values: [tableName, rowKeys],
  };
}

/** Multi-row upsert of shadow rows; the JSON columns are text, which the server takes in far cheaper than jsonb. */
export function upsertVersions(
  rows: {
    tableName: string;
    rowKey: string;
    vv: string;
    hlc: string;
    writer: string;
    deleted: boolean;
    columns: string | null;
    keyColumns: string;
    rowColumns: string | null;
  }[],
): Statement {
  return {
    text: `INSERT INTO ${ROW_VERSIONS} (table_name, row_key, vv, hlc, writer, deleted, columns, key_columns, row_columns)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[])
ON CONFLICT (table_name, row_key) DO UPDATE SET vv = EXCLUDED.vv, hlc = EXCLUDED.hlc, writer = EXCLUDED.writer,
  deleted = EXCLUDED.deleted, columns = EXCLUDED.columns, key_columns = EXCLUDED.key_columns,
  row_columns = EXCLUDED.row_columns`,
    values: [
      rows.map((r) => r.tableName),
      rows.map((r) => r.rowKey),
      rows.map((r) => r.vv),
      rows.map((r) => r.hlc),
      rows.map((r) => r.writer),
      rows.map((r) => r.deleted),
      rows.map((r) => r.columns),
      rows.map((r) => r.keyColumns),
      rows.map((r) => r.rowColumns),
    ],
  };
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
    values: columns.map((_, i) => rows.map((row) => row[i])),
  };
}

/** Multi-row delete by primary key. */
export function deleteRows(table: PgTable, keys: readonly (readonly (string | null)[])[]): Statement {
  const { from, select } = unnestOf(table.key);
  return {
    text: `DELETE FROM ${quoteTable(table.schema, table.name)} WHERE (${keyList(table)}) IN (SELECT ${select} FROM ${from})`,
    values: table.key.map((_, i) => keys.map((key) => key[i])),
  };
}

/** Reads (and with `lock`, locks) the last applied position of one origin source. */
export function selectAppliedPosition(origin: string, sourceId: string, lock: boolean): Statement {
  return {
    text: `SELECT position FROM ${APPLIED_POSITIONS} WHERE origin = $1 AND source_id = $2${lock ? ' FOR UPDATE' : ''}`,
    values: [origin, sourceId],
  };
}

/** Records the last applied position of one origin source. */
export function upsertAppliedPosition(origin: string, sourceId: string, position: string): Statement {
  return {
    text: `INSERT INTO ${APPLIED_POSITIONS} (origin, source_id, position) VALUES ($1, $2, $3)
ON CONFLICT (origin, source_id) DO UPDATE SET position = EXCLUDED.position`,
    values: [origin, sourceId, position],
  };
}

import { ApplyError, type TableRef } from '@worker-sync/core';
import type pg from 'pg';

/** One column as the catalog describes it. */
export interface PgColumn {
  readonly name: string;
  /** `format_type` text, usable in a cast (`numeric(10,2)`, `integer[]`, `"my_enum"`). */
  readonly type: string;
  readonly oid: number;
}

/**
 * A table's columns in order and its primary key columns in column order (the order pgoutput flags them in, so the
 * sink and the source build the same shadow key).
 */
export interface PgTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: ReadonlyMap<string, PgColumn>;
  readonly key: readonly PgColumn[];
}

const COLUMNS_SQL = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int8 AS oid,
       array_position(i.indkey::int2[], a.attnum) AS key_position
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`;

/** Reads a table's description; an ApplyError names the table when it does not exist or has no primary key. */
export async function readTable(client: pg.ClientBase, table: TableRef): Promise<PgTable> {
  const result = await client.query<{ name: string; type: string; oid: string; key_position: string | null }>(
    COLUMNS_SQL,
    [table.namespace, table.name],
  );
  const label = `${table.namespace}.${table.name}`;
  if (result.rows.length === 0) throw new ApplyError(`table ${label} does not exist`, { table: label });
  const columns = new Map<string, PgColumn>();
  const key: { column: PgColumn; position: number }[] = [];
  for (const row of result.rows) {
    const column = { name: row.name, type: row.type, oid: Number(row.oid) };
    columns.set(row.name, column);
    // int2vector subscripts start at 0, so the first key column is position 0; NULL means not a key column.
    if (row.key_position !== null) key.push({ column, position: Number(row.key_position) });
  }
  if (key.length === 0) throw new ApplyError(`table ${label} has no primary key`, { table: label });
  return { schema: table.namespace, name: table.name, columns, key: key.map((k) => k.column) };
}

import { ApplyError, type Row, type RowKey, type RowVersion, type TableRef, type Value } from '@worker-sync/core';
import type pg from 'pg';
import { shadowRowKey, shadowTableName, versionFromShadow } from './postgres-metadata.js';
import type { PgTable } from './postgres-table-catalog.js';
import { type ValueSite, valueFromPg, valueToPg } from './postgres-types.js';
import {
  lockRowKeys,
  selectAllRowsForUpdate,
  selectRowsForUpdate,
  selectVersionsForUpdate,
} from './sink-statements.js';

/** One row as the sink tracks it through a batch: loaded state, then the effect of every decision in order. */
export interface RowState {
  readonly ref: TableRef;
  readonly table: PgTable;
  readonly key: RowKey;
  readonly rowKey: string;
  row: Row | undefined;
  /** The data row existed when the batch loaded it. */
  readonly existed: boolean;
  version: RowVersion | undefined;
  /** The shadow row existed when the batch loaded it (it is updated, else inserted). */
  readonly versioned: boolean;
  /** The row was deleted by this batch (and maybe written again after). */
  deleted: boolean;
  /** Columns written by this batch (the row's upsert touches only these). */
  written: Set<string> | undefined;
  versionChanged: boolean;
  /** Index in the batch of the last change that touched the row. */
  index: number;
}

/** The version of a row that exists in the table but was never written by a sink: dominated by every write. */
export const UNVERSIONED: RowVersion = { vv: {}, hlc: 0n, writer: '', deleted: false };

/** Decodes a result row of raw text values into a neutral row. */
export function rowFromResult(result: pg.QueryResult, raw: Record<string, string | null>, table: string): Row {
  const row: Record<string, Value> = {};
  for (const field of result.fields) {
    row[field.name] = valueFromPg(raw[field.name] ?? null, field.dataTypeID, { table, column: field.name });
  }
  return row;
}

/** The primary key of a neutral row, in key order; an ApplyError names a missing key column. */
export function keyOfRow(table: PgTable, row: Row): RowKey {
  return table.key.map((column) => {
    const value = row[column.name];
    if (value === undefined) {
      throw new ApplyError(`row of ${table.schema}.${table.name} lacks key column ${column.name}`, {
        table: `${table.schema}.${table.name}`,
        column: column.name,
      });
    }
    return [column.name, value] as const;
  });
}

/** The key's values as PostgreSQL text, in the table's key order (matched by column name). */
export function keyTexts(table: PgTable, key: RowKey): (string | null)[] {
  const ordered = normaliseKey(table, key);
  const sites = keySites(table);
  return ordered.map(([column, value], i) => {
    if (value === null && !key.some(([name]) => name === column)) {
      throw new ApplyError(`key of ${table.schema}.${table.name} lacks column ${column}`, {
        table: `${table.schema}.${table.name}`,
        column,
      });
    }
    return valueToPg(value, sites[i]);
  });
}

/**
 * Orders a key by the table's key columns so the shadow key is the same whatever order the change listed them in. A
 * key already in that order (the usual case: sources list key columns in table order) is returned as it is.
 */
export function normaliseKey(table: PgTable, key: RowKey): RowKey {
  if (inKeyOrder(table, key)) return key;
  const byName = new Map(key.map(([column, value]) => [column, value]));
  return table.key.map((column) => [column.name, byName.get(column.name) ?? null] as const);
}

function inKeyOrder(table: PgTable, key: RowKey): boolean {
  if (key.length !== table.key.length) return false;
  for (let i = 0; i < key.length; i++) if (key[i]![0] !== table.key[i]!.name) return false;
  return true;
}

const keySitesByTable = new WeakMap<PgTable, ValueSite[]>();

/** Where each key column's value goes, for error messages; built once per table description. */
function keySites(table: PgTable): ValueSite[] {
  let sites = keySitesByTable.get(table);
  if (sites === undefined) {
    sites = table.key.map((column) => ({ table: `${table.schema}.${table.name}`, column: column.name }));
    keySitesByTable.set(table, sites);
  }
  return sites;
}

/** The keys a batch names in one table, in the table's key order and as shadow row keys, worked out once. */
export interface TableKeys {
  readonly ref: TableRef;
  readonly table: PgTable;
  readonly normalised: readonly RowKey[];
  readonly rowKeys: readonly string[];
}

/** Normalises `keys` of one table and computes their shadow row keys. */
export function tableKeys(ref: TableRef, table: PgTable, keys: readonly RowKey[]): TableKeys {
  const normalised = keys.map((key) => normaliseKey(table, key));
  return { ref, table, normalised, rowKeys: normalised.map(shadowRowKey) };
}

/**
 * Takes the advisory locks of the given keys of every table in one statement (see {@link lockRowKeys}). The
 * statement is sent at once; the returned promise settles with its answer.
 */
export function lockKeys(client: pg.ClientBase, groups: readonly TableKeys[]): Promise<unknown> {
  const tableNames: string[] = [];
  const rowKeys: string[] = [];
  for (const { ref, rowKeys: keys } of groups) {
    const tableName = shadowTableName(ref);
    for (const rowKey of keys) {
      tableNames.push(tableName);
      rowKeys.push(rowKey);
    }
  }
  return rowKeys.length > 0 ? client.query(lockRowKeys(tableNames, rowKeys)) : Promise.resolve();
}

/**
 * Loads, under row locks, the stored state of one table's keys: shadow versions and data rows, two queries whatever
 * the number of keys, both sent before either answer is awaited (on a pipelining client, one round trip). The caller
 * has issued the batch's advisory locks ({@link lockKeys}) first, so rows that do not exist yet cannot appear in
 * between.
 */
export async function loadStates(client: pg.ClientBase, keys: TableKeys): Promise<RowState[]> {
  const { ref, table, normalised, rowKeys } = keys;
  const tableName = shadowTableName(ref);
  // Built before the reads are sent: a key that cannot be written as text fails the batch before they are.
  const selectRows = selectRowsForUpdate(
    table,
    normalised.map((key) => keyTexts(table, key)),
  );
  const reading = readVersions(client, tableName, rowKeys);
  const loading = client.query(selectRows);
  const [versions, data] = await Promise.all([reading, loading]);
  const rows = new Map<string, Row>();
  for (const raw of data.rows as Record<string, string | null>[]) {
    const row = rowFromResult(data, raw, tableName);
    rows.set(shadowRowKey(keyOfRow(table, row)), row);
  }
  return normalised.map((key, i) =>
    newState(ref, table, key, rowKeys[i]!, rows.get(rowKeys[i]!), versions.get(rowKeys[i]!)),
  );
}

/** Locks and loads every stored row of a table (a truncate decides per row). */
export async function loadWholeTable(client: pg.ClientBase, ref: TableRef, table: PgTable): Promise<RowState[]> {
  const tableName = shadowTableName(ref);
  const versions = await readVersions(client, tableName, undefined);
  const data = await client.query(selectAllRowsForUpdate(table));
  const states = new Map<string, RowState>();
  for (const raw of data.rows as Record<string, string | null>[]) {
    const row = rowFromResult(data, raw, tableName);
    const key = keyOfRow(table, row);
    const rowKey = shadowRowKey(key);
    states.set(rowKey, newState(ref, table, key, rowKey, row, versions.get(rowKey)));
  }
  return [...states.values()];
}

async function readVersions(
  client: pg.ClientBase,
  tableName: string,
  rowKeys: readonly string[] | undefined,
): Promise<Map<string, RowVersion>> {
  const result = await client.query<{
    row_key: string;
    vv: string;
    hlc: string;
    writer: string;
    deleted: string;
    columns: string | null;
  }>(selectVersionsForUpdate(tableName, rowKeys));
  return new Map(result.rows.map((row) => [row.row_key, versionFromShadow(row)]));
}

function newState(
  ref: TableRef,
  table: PgTable,
  key: RowKey,
  rowKey: string,
  row: Row | undefined,
  version: RowVersion | undefined,
): RowState {
  return {
    ref,
    table,
    key,
    rowKey,
    row,
    existed: row !== undefined,
    version,
    versioned: version !== undefined,
    deleted: false,
    written: undefined,
    versionChanged: false,
    index: -1,
  };
}

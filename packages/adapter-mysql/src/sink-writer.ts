import { ApplyError, encodeColumnHlcs, encodeVersionVector } from '@worker-sync/core';
import type { PoolConnection } from 'mysql2/promise';
import { columnOfError, describeMySqlError, isRetriableMySqlError, safeCause } from './mysql-errors.js';
import { ROW_VERSIONS_TABLE } from './mysql-metadata.js';
import { type RowState, tableKey, wrapMapping } from './sink-rows.js';
import { chunks, deleteStatement, insertStatement, upsertStatement } from './sink-statements.js';
import { encodeKey } from './typed-json.js';

/** Where and how big the sink writes. */
export interface FlushOptions {
  readonly metadataDatabase: string;
  readonly statementRows: number;
}

/** Writes the final state of every touched row: deletes, then upserts grouped by column set, then versions. */
export async function flushRows(
  connection: PoolConnection,
  states: readonly RowState[],
  options: FlushOptions,
): Promise<void> {
  const deletes = states.filter((state) => state.write === null || state.replace);
  for (const group of groupBy(deletes, (state) => tableKey(state.mapping.table))) {
    const mapping = group[0]!.mapping;
    for (const part of chunks(group, options.statementRows)) {
      const keys = part.map((state) => state.key.map(([name, value]) => mapping.param(name, value)));
      const statement = deleteStatement(mapping.table.namespace, mapping.table.name, mapping.primaryKey, keys);
      await connection.query(statement.sql, statement.params);
    }
  }
  // Rows known to exist are upserted (the primary key is the first unique index checked, so the update hits that
  // row); new rows are plainly inserted, so a clash on another unique key is an error, never an update of the
  // wrong row. The locking read above holds gap locks, so no one inserts those keys in between.
  const writes = states.filter((state) => state.write !== null && state.write !== undefined);
  const groups = groupBy(
    writes,
    (state) => `${tableKey(state.mapping.table)}|${isUpdate(state)}|${columnsOf(state).join(',')}`,
  );
  for (const group of groups) {
    const mapping = group[0]!.mapping;
    const columns = columnsOf(group[0]!);
    for (const part of chunks(group, options.statementRows)) {
      const rows = part.map((state) =>
        columns.map((name) => wrapMapping(() => mapping.param(name, state.write![name]!), state, state.index, name)),
      );
      const { namespace, name } = mapping.table;
      const statement = isUpdate(group[0]!)
        ? upsertStatement(namespace, name, columns, mapping.primaryKey, rows)
        : insertStatement(namespace, name, columns, rows);
      await run(connection, statement, part);
    }
  }
  await writeVersions(
    connection,
    states.filter((state) => state.versionDirty),
    options,
  );
}

async function run(
  connection: PoolConnection,
  statement: { sql: string; params: unknown[] },
  part: RowState[],
): Promise<void> {
  try {
    await connection.query(statement.sql, statement.params);
  } catch (error) {
    const row = /at row (\d+)/.exec(String((error as Error).message));
    const state = row ? part[Number(row[1]) - 1] : part.length === 1 ? part[0] : undefined;
    const table = tableKey(part[0]!.mapping.table);
    throw new ApplyError(
      `${table}: ${describeMySqlError(error)}${state ? ` (key ${encodeKey(state.key)})` : ''}`,
      { table, ...(state ? { key: encodeKey(state.key), index: state.index } : {}), ...columnOfError(error) },
      // A new key inserted by someone else between the read and the insert: a retry finds it and updates it.
      isRetriableMySqlError(error) || (error as { errno?: number }).errno === 1062,
      { cause: safeCause(error) },
    );
  }
}

async function writeVersions(
  connection: PoolConnection,
  states: readonly RowState[],
  options: FlushOptions,
): Promise<void> {
  for (const part of chunks(states, options.statementRows)) {
    const rows = part.map((state) => [
      state.hash,
      state.mapping.table.namespace,
      state.mapping.table.name,
      encodeKey(state.key),
      encodeVersionVector(state.version!.vv),
      state.version!.hlc.toString(),
      state.version!.writer,
      state.version!.deleted ? 1 : 0,
      encodeColumnHlcs(state.version!.columns),
    ]);
    const statement = upsertStatement(
      options.metadataDatabase,
      ROW_VERSIONS_TABLE,
      ['row_hash', 'table_ns', 'table_name', 'row_key', 'vv', 'hlc', 'writer', 'deleted', 'column_hlcs'],
      ['row_hash'],
      rows,
    );
    await connection.query(statement.sql, statement.params);
  }
}

function isUpdate(state: RowState): boolean {
  return state.stored && !state.replace;
}

function columnsOf(state: RowState): string[] {
  return Object.keys(state.write ?? {}).sort();
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

import { ApplyError, encodeColumnHlcs, encodeVersionVector } from '@worker-sync/core';
import type pg from 'pg';
import { shadowTableName } from './postgres-metadata.js';
import type { PgColumn, PgTable } from './postgres-table-catalog.js';
import { valueToPg } from './postgres-types.js';
import type { RowState } from './sink-rows.js';
import { keyTexts } from './sink-rows.js';
import {
  deleteRows,
  insertVersions,
  type Statement,
  updateVersions,
  upsertRows,
  type VersionRow,
} from './sink-statements.js';

/**
 * Writes the final state of every touched row: first the shadow versions (so the node's source meets a row's
 * version before its data change in the log), then deletes, then upserts grouped by table and column set. Every
 * statement is built before the first is sent (a value that cannot be written fails the batch before any write is
 * sent), then all are sent at once: on a pipelining client, the batch's writes cost one round trip.
 */
export function flushStates(client: pg.ClientBase, states: readonly RowState[]): Promise<unknown> {
  return Promise.all(writeStatements(states).map((statement) => client.query(statement)));
}

/** The statements that write `states`, in the order they must run. */
function writeStatements(states: readonly RowState[]): Statement[] {
  const statements: Statement[] = [];
  // Shadow rows are written only by sinks, under the batch's locks: the ones it read are updated, the others are new.
  const changed = states.filter((s) => s.versionChanged && s.version !== undefined);
  const inserted = changed.filter((s) => !s.versioned).map(versionRow);
  const updated = changed.filter((s) => s.versioned).map(versionRow);
  if (inserted.length > 0) statements.push(insertVersions(inserted));
  if (updated.length > 0) statements.push(updateVersions(updated));
  for (const group of groupBy(
    states.filter((s) => s.deleted),
    (s) => shadowTableName(s.ref),
  ).values()) {
    const table = group[0]!.table;
    statements.push(
      deleteRows(
        table,
        group.map((s) => keyTexts(table, s.key)),
      ),
    );
  }
  // Grouped by table and by the written columns in the order they were written: changes of one source table write
  // them in the same order, so no per-row sort is needed; a set written in another order only makes another group.
  const upserts = states.filter((s) => s.row !== undefined && s.written !== undefined);
  const groups = groupBy(upserts, (s) => `${shadowTableName(s.ref)}|${Array.from(s.written!).join('\u0000')}`);
  for (const group of groups.values()) {
    const table = group[0]!.table;
    const columns = columnsOf(table, group[0]!);
    const sites = columns.map((c) => ({ table: label(table), column: c.name }));
    const rows = group.map((s) => columns.map((c, i) => valueToPg(s.row![c.name] ?? null, sites[i])));
    statements.push(upsertRows(table, columns, rows));
  }
  return statements;
}

/** A touched row's version as the shadow row to write. */
function versionRow(state: RowState): VersionRow {
  const version = state.version!;
  const versionOnly = !dataChangeLogged(state);
  return {
    tableName: shadowTableName(state.ref),
    rowKey: state.rowKey,
    vv: encodeVersionVector(version.vv),
    hlc: version.hlc.toString(),
    writer: version.writer,
    deleted: version.deleted,
    columns: encodeColumnHlcs(version.columns, version.hlc),
    // Key column names and type oids, so the source can report a version-only write (keep) with its key.
    keyColumns: versionOnly ? keyColumnsOf(state.table) : null,
    // The row's columns when the data stays (keep): the source lists them all as unchanged.
    rowColumns: versionOnly && state.row !== undefined ? JSON.stringify(Object.keys(state.row)) : null,
  };
}

/**
 * Whether this flush writes a data change to the log for the row, which carries its key to the node's source: an
 * upsert that sets a non-key column, or the delete of a row that existed. Otherwise the shadow row alone reaches the
 * source, so it must name the key columns (and the row's columns) itself.
 */
function dataChangeLogged(state: RowState): boolean {
  // Deleted here, or absent when loaded: the delete or the insert is logged.
  if (state.deleted || !state.existed) return state.existed || state.row !== undefined;
  if (state.row === undefined || state.written === undefined) return false;
  const keys = new Set(state.table.key.map((column) => column.name));
  for (const column of state.written) if (!keys.has(column)) return true;
  // An upsert of key columns only into an existing row does nothing, so nothing is logged.
  return false;
}

const keyColumnsByTable = new WeakMap<PgTable, string>();

function keyColumnsOf(table: PgTable): string {
  let text = keyColumnsByTable.get(table);
  if (text === undefined) {
    text = JSON.stringify(table.key.map((column) => [column.name, column.oid]));
    keyColumnsByTable.set(table, text);
  }
  return text;
}

function columnsOf(table: PgTable, state: RowState): PgColumn[] {
  return [...state.written!].sort().map((name) => {
    const column = table.columns.get(name);
    if (column === undefined) {
      throw new ApplyError(
        `column ${name} does not exist in table ${label(table)} (key ${JSON.stringify(state.rowKey)}, change ${state.index})`,
        {
          table: label(table),
          column: name,
          key: state.rowKey,
          index: state.index,
        },
      );
    }
    return column;
  });
}

function label(table: PgTable): string {
  return `${table.schema}.${table.name}`;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

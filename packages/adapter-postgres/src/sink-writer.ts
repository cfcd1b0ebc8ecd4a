import { ApplyError, encodeColumnHlcs, encodeVersionVector } from '@worker-sync/core';
import type pg from 'pg';
import { shadowTableName } from './postgres-metadata.js';
import type { PgColumn, PgTable } from './postgres-table-catalog.js';
import { valueToPg } from './postgres-types.js';
import type { RowState } from './sink-rows.js';
import { keyTexts } from './sink-rows.js';
import { deleteRows, upsertRows, upsertVersions } from './sink-statements.js';

/**
 * Writes the final state of every touched row: first the shadow versions (so the node's source meets a row's
 * version before its data change in the log), then deletes, then upserts grouped by table and column set.
 */
export async function flushStates(client: pg.ClientBase, states: readonly RowState[]): Promise<void> {
  const versions = states.filter((s) => s.versionChanged && s.version !== undefined);
  if (versions.length > 0) {
    await client.query(
      upsertVersions(
        versions.map((s) => ({
          tableName: shadowTableName(s.ref),
          rowKey: s.rowKey,
          vv: encodeVersionVector(s.version!.vv),
          hlc: s.version!.hlc.toString(),
          writer: s.version!.writer,
          deleted: s.version!.deleted,
          columns: encodeColumnHlcs(s.version!.columns),
          // Key column names and type oids, so the source can report a version-only write (keep) with its key.
          keyColumns: JSON.stringify(s.table.key.map((c) => [c.name, c.oid])),
          // The row's columns when the data stays (keep): the source lists them all as unchanged.
          rowColumns: s.row === undefined ? null : JSON.stringify(Object.keys(s.row)),
        })),
      ),
    );
  }
  for (const group of groupBy(
    states.filter((s) => s.deleted),
    (s) => shadowTableName(s.ref),
  ).values()) {
    const table = group[0]!.table;
    await client.query(
      deleteRows(
        table,
        group.map((s) => keyTexts(table, s.key)),
      ),
    );
  }
  const upserts = states.filter((s) => s.row !== undefined && s.written !== undefined);
  const groups = groupBy(upserts, (s) => `${shadowTableName(s.ref)}|${[...s.written!].sort().join('\u0000')}`);
  for (const group of groups.values()) {
    const table = group[0]!.table;
    const columns = columnsOf(table, group[0]!);
    const rows = group.map((s) =>
      columns.map((c) => valueToPg(s.row![c.name] ?? null, { table: label(table), column: c.name })),
    );
    await client.query(upsertRows(table, columns, rows));
  }
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

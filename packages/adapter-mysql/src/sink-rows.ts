import { ApplyError, MappingError, type Row, type RowKey, type RowVersion, type Value } from '@worker-sync/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { quoteTable } from './mysql-connection.js';
import { safeCause } from './mysql-errors.js';
import { ROW_VERSIONS_TABLE, versionFromShadow } from './mysql-metadata.js';
import type { TableMapping } from './mysql-table-mapping.js';
import { chunks, keyPredicate } from './sink-statements.js';
import { encodeKey } from './typed-json.js';

/** One row's state while a batch is applied: what is stored, and what the batch decided. */
export interface RowState {
  readonly mapping: TableMapping;
  readonly key: RowKey;
  readonly hash: Buffer;
  row: Row | undefined;
  version: RowVersion | undefined;
  /** Columns to write (null: the row ends deleted); undefined: data untouched. */
  write: Record<string, Value> | null | undefined;
  /** The stored row must be deleted before `write` is inserted (deleted and re-created in this batch). */
  replace: boolean;
  /** The row exists in the table (as read under lock before the batch). */
  stored: boolean;
  versionDirty: boolean;
  /** Index in the batch of the last change that touched the row, for error messages. */
  index: number;
}

/** A fresh state for a row about to be read. */
export function newRowState(mapping: TableMapping, key: RowKey, hash: Buffer, index: number): RowState {
  return {
    mapping,
    key,
    hash,
    row: undefined,
    version: undefined,
    write: undefined,
    replace: false,
    stored: false,
    versionDirty: false,
    index,
  };
}

/** Records a `write` decision: partial rows merge into what the batch already wrote for the row; null deletes. */
export function recordWrite(state: RowState, incoming: Row | null, index: number, unchanged?: readonly string[]): void {
  if (incoming === null) {
    state.row = undefined;
    state.write = null;
    return;
  }
  // Columns the change did not carry (unchanged TOAST values at the origin) are left as they are.
  const skip = new Set(unchanged ?? []);
  const row =
    skip.size === 0 ? incoming : Object.fromEntries(Object.entries(incoming).filter(([name]) => !skip.has(name)));
  for (const name of Object.keys(row)) wrapMapping(() => state.mapping.column(name), state, index);
  if (state.write === null) state.replace = true;
  const keyColumns = Object.fromEntries(state.key);
  state.write = { ...(state.write ?? {}), ...row, ...keyColumns };
  state.row = { ...(state.row ?? {}), ...row, ...keyColumns };
}

/** Reads (and with `lock`, locks) the shadow versions and data rows of some rows of one table. */
export async function readStoredRows(
  connection: Pool | PoolConnection,
  states: readonly RowState[],
  lock: boolean,
  metadataDatabase: string,
  statementRows: number,
): Promise<void> {
  const suffix = lock ? ' FOR UPDATE' : '';
  for (const part of chunks(states, statementRows)) {
    const byHash = new Map(part.map((state) => [state.hash.toString('hex'), state]));
    const [versions] = await connection.query<RowDataPacket[]>(
      `SELECT row_hash, vv, hlc, writer, deleted, column_hlcs FROM ${quoteTable(metadataDatabase, ROW_VERSIONS_TABLE)}
          WHERE row_hash IN (${part.map(() => '?').join(', ')})${suffix}`,
      part.map((state) => state.hash),
    );
    for (const shadow of versions) {
      const state = byHash.get(Buffer.from(shadow.row_hash as Buffer).toString('hex'));
      if (state) state.version = versionFromShadow(shadow);
    }
    const mapping = part[0]!.mapping;
    const byKey = new Map(part.map((state) => [encodeKey(state.key), state]));
    const where = keyPredicate(
      mapping.primaryKey,
      part.map((state) => state.key.map(([name, value]) => mapping.param(name, value))),
    );
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT ${mapping.selectList()} FROM ${quoteTable(mapping.table.namespace, mapping.table.name)} WHERE ${where.sql}${suffix}`,
      where.params,
    );
    for (const raw of rows) {
      const row = mapping.rowFromMySql(raw);
      const state = byKey.get(encodeKey(mapping.keyOf(row)));
      if (state) {
        state.row = row;
        state.stored = true;
      }
    }
  }
}

/** `database.table`. */
export function tableKey(table: { namespace: string; name: string }): string {
  return `${table.namespace}.${table.name}`;
}

/** Runs a mapping step, turning a MappingError into an ApplyError that names the change's key and index. */
export function wrapMapping<T>(
  step: () => T,
  state: { mapping: TableMapping; key: RowKey; index: number },
  index: number,
  column?: string,
): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof MappingError) {
      const table = tableKey(state.mapping.table);
      throw new ApplyError(
        `${error.message} (key ${encodeKey(state.key)}, change ${index})`,
        { table, column: error.where.column ?? column, key: encodeKey(state.key), index },
        false,
        { cause: safeCause(error) },
      );
    }
    throw error;
  }
}

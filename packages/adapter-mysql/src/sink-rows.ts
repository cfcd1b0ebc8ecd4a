import { ApplyError, MappingError, type Row, type RowKey, type RowVersion, type Value } from '@worker-sync/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { quoteTable } from './mysql-connection.js';
import { safeCause } from './mysql-errors.js';
import { ROW_VERSIONS_TABLE, rowHash, versionFromShadow } from './mysql-metadata.js';
import type { TableMapping } from './mysql-table-mapping.js';
import { runScript } from './sink-script.js';
import { chunks, keyPredicate, type Statement } from './sink-statements.js';
import { encodeKey } from './typed-json.js';

/** One row's state while a batch is applied: what is stored, and what the batch decided. */
export interface RowState {
  readonly mapping: TableMapping;
  readonly key: RowKey;
  /** The key as typed JSON (`encodeKey`), as the shadow row stores it. */
  readonly keyText: string;
  readonly hash: Buffer;
  /** `hash` in hex, as shadow reads match it and SQL literals carry it. */
  readonly hashHex: string;
  row: Row | undefined;
  version: RowVersion | undefined;
  /** Columns to write (null: the row ends deleted); undefined: data untouched. */
  write: Record<string, Value> | null | undefined;
  /** The stored row must be deleted before `write` is inserted (deleted and re-created in this batch). */
  replace: boolean;
  /** The row exists in the table (as read under lock before the batch). */
  stored: boolean;
  /** The row's shadow version existed when the batch read it (it is updated, else inserted). */
  versioned: boolean;
  versionDirty: boolean;
  /** Index in the batch of the last change that touched the row, for error messages. */
  index: number;
}

/** A fresh state for a row (its key normalised through the mapping) about to be read. */
export function newRowState(mapping: TableMapping, key: RowKey, index: number, keyText = encodeKey(key)): RowState {
  const hash = rowHash(mapping.table, key, keyText);
  return {
    mapping,
    key,
    keyText,
    hash,
    hashHex: hash.toString('hex'),
    row: undefined,
    version: undefined,
    write: undefined,
    replace: false,
    stored: false,
    versioned: false,
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
  if (state.write === null) state.replace = true;
  // Columns the change did not carry (unchanged TOAST values at the origin) are left as they are.
  const skip = unchanged === undefined || unchanged.length === 0 ? undefined : new Set(unchanged);
  const write: Record<string, Value> = state.write ? { ...state.write } : {};
  const row: Record<string, Value> = state.row ? { ...state.row } : {};
  for (const name in incoming) {
    if (skip?.has(name)) continue;
    if (!state.mapping.columns.has(name)) wrapMapping(() => state.mapping.column(name), state, index);
    write[name] = incoming[name]!;
    row[name] = incoming[name]!;
  }
  for (const [name, value] of state.key) {
    write[name] = value;
    row[name] = value;
  }
  state.write = write;
  state.row = row;
}

/** A read of stored rows: its statement, and what to do with the rows it returns. */
export interface StoredRowRead extends Statement {
  absorb(rows: readonly RowDataPacket[]): void;
}

/**
 * The reads (with `lock`, locking reads) of the shadow versions and the data rows of some rows of one table, two
 * statements per `statementRows` rows, for a caller to send in one round trip and hand each its rows.
 */
export function storedRowReads(
  states: readonly RowState[],
  lock: boolean,
  metadataDatabase: string,
  statementRows: number,
): StoredRowRead[] {
  const suffix = lock ? ' FOR UPDATE' : '';
  const reads: StoredRowRead[] = [];
  for (const part of chunks(states, statementRows)) {
    const byHash = new Map(part.map((state) => [state.hashHex, state]));
    reads.push({
      sql: `SELECT row_hash, vv, hlc, writer, deleted, column_hlcs FROM ${quoteTable(metadataDatabase, ROW_VERSIONS_TABLE)}
          WHERE row_hash IN (${part.map((state) => `X'${state.hashHex}'`).join(', ')})${suffix}`,
      params: [],
      absorb(versions) {
        for (const shadow of versions) {
          const state = byHash.get(Buffer.from(shadow.row_hash as Buffer).toString('hex'));
          if (state) {
            state.version = versionFromShadow(shadow);
            state.versioned = true;
          }
        }
      },
    });
    const mapping = part[0]!.mapping;
    const byKey = new Map(part.map((state) => [state.keyText, state]));
    const where = keyPredicate(
      mapping.primaryKey,
      part.map((state) => state.key.map(([name, value]) => mapping.param(name, value))),
    );
    reads.push({
      sql: `SELECT ${mapping.selectList()} FROM ${quoteTable(mapping.table.namespace, mapping.table.name)} WHERE ${where.sql}${suffix}`,
      params: where.params,
      absorb(rows) {
        for (const raw of rows) {
          const row = mapping.rowFromMySql(raw);
          const state = byKey.get(encodeKey(mapping.keyOf(row)));
          if (state) {
            state.row = row;
            state.stored = true;
          }
        }
      },
    });
  }
  return reads;
}

/** Reads (and with `lock`, locks) the shadow versions and data rows of some rows of one table, in one round trip. */
export async function readStoredRows(
  db: Pool | PoolConnection,
  states: readonly RowState[],
  lock: boolean,
  metadataDatabase: string,
  statementRows: number,
): Promise<void> {
  const reads = storedRowReads(states, lock, metadataDatabase, statementRows);
  const results = await runScript(db, reads);
  for (const [index, read] of reads.entries()) read.absorb(results[index] as RowDataPacket[]);
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

/** The rows one batch touches, by table and typed key, in the order the batch first names them. */
export class BatchRows {
  private readonly byTable = new Map<TableMapping, Map<string, RowState>>();

  /** The state of a row of `mapping`'s table, if the batch named it. */
  get(mapping: TableMapping, keyText: string): RowState | undefined {
    return this.byTable.get(mapping)?.get(keyText);
  }

  /** The rows of one table, to look up and add to directly while a run of changes names that table. */
  tableRows(mapping: TableMapping): Map<string, RowState> {
    let rows = this.byTable.get(mapping);
    if (rows === undefined) {
      rows = new Map();
      this.byTable.set(mapping, rows);
    }
    return rows;
  }

  /** The rows grouped by table. */
  tables(): IterableIterator<Map<string, RowState>> {
    return this.byTable.values();
  }

  /** Every row, table by table. */
  all(): RowState[] {
    const out: RowState[] = [];
    for (const rows of this.byTable.values()) for (const state of rows.values()) out.push(state);
    return out;
  }
}

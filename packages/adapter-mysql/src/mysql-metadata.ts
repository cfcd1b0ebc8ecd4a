import { hash } from 'node:crypto';
import { decodeColumnHlcs, type RowKey, type RowVersion, type TableRef } from '@worker-sync/core';
import { quoteTable } from './mysql-connection.js';
import { encodeKey } from './typed-json.js';

/** Shadow table of row versions, co-written by the sink in the same transaction as the rows it applies. */
export const ROW_VERSIONS_TABLE = 'worker_sync_row_versions';
/** Last position applied per (origin node, source id), co-written by the sink. */
export const APPLIED_POSITIONS_TABLE = 'worker_sync_applied_positions';
/** Table schemas as of binlog positions, per source. */
export const SCHEMA_HISTORY_TABLE = 'worker_sync_schema_history';

/** True for worker-sync's own tables, which a source never reports as data changes. */
export function isMetadataTable(name: string): boolean {
  return name.startsWith('worker_sync_');
}

/** DDL creating the sink's tables (idempotent). */
export function sinkMetadataDdl(database: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteTable(database, ROW_VERSIONS_TABLE)} (
      row_hash BINARY(32) NOT NULL PRIMARY KEY,
      table_ns VARCHAR(64) NOT NULL,
      table_name VARCHAR(64) NOT NULL,
      row_key TEXT NOT NULL,
      vv TEXT NOT NULL,
      hlc BIGINT NOT NULL,
      writer VARCHAR(255) NOT NULL,
      deleted TINYINT(1) NOT NULL,
      column_hlcs TEXT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    `CREATE TABLE IF NOT EXISTS ${quoteTable(database, APPLIED_POSITIONS_TABLE)} (
      origin VARCHAR(191) NOT NULL,
      source_id VARCHAR(191) NOT NULL,
      position TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      PRIMARY KEY (origin, source_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  ];
}

/** DDL creating the source's schema history table (idempotent). */
export function sourceMetadataDdl(database: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteTable(database, SCHEMA_HISTORY_TABLE)} (
      source_id VARCHAR(64) NOT NULL,
      table_ns VARCHAR(64) NOT NULL,
      table_name VARCHAR(64) NOT NULL,
      position VARCHAR(700) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      table_schema MEDIUMTEXT NOT NULL,
      ddl MEDIUMTEXT NULL,
      PRIMARY KEY (source_id, table_ns, table_name, position)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  ];
}

/**
 * The shadow table's key for a row: a hash of table and typed key, so any key length fits an index. For the common
 * single-integer key the hash is prefixed (after a table prefix) by the key in byte order, so rows written in key
 * order land next to each other in the shadow table's B-tree instead of at random pages. `keyText` is
 * `encodeKey(key)` when the caller has it already.
 */
export function rowHash(table: TableRef, key: RowKey, keyText: string = encodeKey(key)): Buffer {
  const { tableId, prefix } = tableIdentity(table);
  const full = hash('sha256', `${tableId}\u0000${keyText}`, 'buffer');
  const only = key.length === 1 ? key[0]![1] : undefined;
  if (typeof only !== 'bigint' || only < INT64_MIN || only > INT64_MAX) return full;
  // Every byte is written below, so the buffer need not be zeroed first.
  const ordered = Buffer.allocUnsafe(32);
  prefix.copy(ordered, 0);
  ordered.writeBigUInt64BE(BigInt.asUintN(64, only) ^ SIGN_BIT, 8);
  full.copy(ordered, 16, 0, 16);
  return ordered;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const SIGN_BIT = 1n << 63n;

interface TableIdentity {
  readonly tableId: string;
  readonly prefix: Buffer;
}

const tableIdentities = new Map<string, TableIdentity>();
/** The same by table object (a TableRef is read-only): the sink hashes hundreds of rows of one table per batch. */
const tableIdentitiesByRef = new WeakMap<TableRef, TableIdentity>();

function tableIdentity(table: TableRef): TableIdentity {
  let identity = tableIdentitiesByRef.get(table);
  if (identity !== undefined) return identity;
  const tableId = `${table.namespace}\u0000${table.name}`;
  identity = tableIdentities.get(tableId);
  if (identity === undefined) {
    identity = { tableId, prefix: hash('sha256', tableId, 'buffer').subarray(0, 8) };
    tableIdentities.set(tableId, identity);
  }
  tableIdentitiesByRef.set(table, identity);
  return identity;
}

/** A shadow row as read from a query or the binlog, into a {@link RowVersion}. */
export function versionFromShadow(row: Readonly<Record<string, unknown>>): RowVersion {
  const vv = JSON.parse(String(row.vv)) as RowVersion['vv'];
  const hlc = BigInt(String(row.hlc));
  const writer = String(row.writer);
  const deleted = Number(row.deleted) === 1;
  if (row.column_hlcs === null || row.column_hlcs === undefined) return { vv, hlc, writer, deleted };
  return { vv, hlc, writer, deleted, columns: decodeColumnHlcs(String(row.column_hlcs), hlc) };
}

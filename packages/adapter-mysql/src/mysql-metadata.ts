import { createHash } from 'node:crypto';
import type { RowKey, RowVersion, TableRef } from '@worker-sync/core';
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
      deleted TINYINT(1) NOT NULL
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

/** The shadow table's key for a row: a hash of table and typed key, so any key length fits an index. */
export function rowHash(table: TableRef, key: RowKey): Buffer {
  return createHash('sha256')
    .update(`${table.namespace}\u0000${table.name}\u0000${encodeKey(key)}`)
    .digest();
}

/** A version vector as canonical JSON (sorted node ids). */
export function encodeVersionVector(vv: RowVersion['vv']): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(vv)
        .sort()
        .map((node) => [node, vv[node]]),
    ),
  );
}

/** A shadow row as read from a query or the binlog, into a {@link RowVersion}. */
export function versionFromShadow(row: Readonly<Record<string, unknown>>): RowVersion {
  return {
    vv: JSON.parse(String(row.vv)) as RowVersion['vv'],
    hlc: BigInt(String(row.hlc)),
    writer: String(row.writer),
    deleted: Number(row.deleted) === 1,
  };
}

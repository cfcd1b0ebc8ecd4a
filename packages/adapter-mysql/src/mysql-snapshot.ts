import type { CapturedBatch, CapturedChange, TableRef } from '@worker-sync/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { quoteId, quoteTable } from './mysql-connection.js';
import { type BinlogPosition, encodePosition, type SnapshotCursor } from './mysql-position.js';
import { readTableSchema, type TableSchema } from './mysql-table-catalog.js';
import { TableMapping } from './mysql-table-mapping.js';
import type { MySqlTypeOptions } from './mysql-types.js';
import { keyAfter } from './sink-statements.js';
import { decodeKey, encodeKey } from './typed-json.js';

/** The cursor table index that marks a finished snapshot. */
export const SNAPSHOT_DONE = 999_999;

/** A consistent read view and the binlog position it corresponds to. */
export interface SnapshotView {
  readonly connection: PoolConnection;
  readonly position: BinlogPosition;
}

/**
 * Opens a consistent-snapshot transaction and finds the binlog position it corresponds to. MariaDB reports that
 * position for the snapshot itself (`binlog_snapshot_file/position`), so no global lock is taken; MySQL has no such
 * status and needs a brief `FLUSH TABLES WITH READ LOCK` (RELOAD privilege) around the snapshot start.
 */
export async function openSnapshot(pool: Pool): Promise<SnapshotView> {
  const connection = await pool.getConnection();
  try {
    await connection.query("SET time_zone = '+00:00'");
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const [status] = await connection.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
    const values = new Map(status.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]));
    const file = values.get('binlog_snapshot_file');
    const offset = values.get('binlog_snapshot_position');
    if (file && offset) {
      const [gtid] = await connection.query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [
        file,
        Number(offset),
      ]);
      const gtidText = gtid[0]?.gtid === null || gtid[0]?.gtid === undefined ? '' : String(gtid[0].gtid);
      return { connection, position: { file, offset: Number(offset), ...(gtidText ? { gtid: gtidText } : {}) } };
    }
    await connection.query('ROLLBACK');
    await connection.query('FLUSH TABLES WITH READ LOCK');
    try {
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      const [master] = await connection.query<RowDataPacket[]>('SHOW MASTER STATUS');
      const row = master[0];
      if (!row) throw new Error('the binary log is off: SHOW MASTER STATUS returned nothing');
      const gtid = row.Executed_Gtid_Set ? String(row.Executed_Gtid_Set).replace(/\s/g, '') : '';
      return {
        connection,
        position: { file: String(row.File), offset: Number(row.Position), ...(gtid ? { gtid } : {}) },
      };
    } finally {
      await connection.query('UNLOCK TABLES');
    }
  } catch (error) {
    connection.release();
    throw error;
  }
}

/** What a snapshot copies and how. */
export interface SnapshotPlan {
  readonly tables: readonly TableRef[];
  readonly chunkSize: number;
  readonly typeOptions: MySqlTypeOptions;
  /** The stream position the snapshot joins (the snapshot's own, or the original one when resuming). */
  readonly base: BinlogPosition;
  /** Where to resume; absent for a fresh snapshot. */
  readonly cursor?: SnapshotCursor;
  /** Called with each table's schema as read inside the snapshot, to seed the schema history. */
  readonly onSchema?: (table: TableRef, schema: TableSchema) => Promise<void>;
}

/**
 * Copies the tables through a consistent read view in primary-key chunks (keyset pagination, so each chunk is one
 * indexed range read), yielding each chunk as snapshot inserts whose position carries the cursor: a restart resumes
 * after the last checkpointed chunk. A resumed copy reads a newer view than the stream position it joins; the stream
 * then replays every change since that position over the copied rows, which ends in the same state.
 */
export async function* snapshotBatches(view: SnapshotView, plan: SnapshotPlan): AsyncGenerator<CapturedBatch> {
  const { connection } = view;
  const startTable = plan.cursor?.table ?? 0;
  for (let index = startTable; index < plan.tables.length; index++) {
    const table = plan.tables[index]!;
    const schema = await readTableSchema(connection, table.namespace, table.name);
    if (schema === undefined) continue;
    await plan.onSchema?.(table, schema);
    const mapping = new TableMapping(table, schema, plan.typeOptions);
    let chunk = index === startTable ? (plan.cursor?.chunk ?? 0) : 0;
    let lastKey =
      index === startTable && plan.cursor?.lastKey ? decodeKey(plan.cursor.lastKey, 'snapshot cursor') : undefined;
    for (;;) {
      const rows = await readChunk(connection, mapping, lastKey, plan.chunkSize);
      if (rows.length === 0) break;
      chunk += 1;
      lastKey = mapping.keyOf(rows.at(-1)!);
      const position = encodePosition({ ...plan.base, snapshot: { table: index, chunk, lastKey: encodeKey(lastKey) } });
      const now = BigInt(Date.now()) * 1000n;
      const changes: CapturedChange[] = rows.map((row, i) => ({
        op: 'insert',
        table,
        key: mapping.keyOf(row),
        after: row,
        position,
        snapshot: true,
        tx: {
          id: `snapshot:${table.namespace}.${table.name}:${chunk}`,
          commitTimeMicros: now,
          index: i,
          last: i === rows.length - 1,
        },
      }));
      yield { changes, resumeAfter: position };
      if (rows.length < plan.chunkSize) break;
    }
  }
  yield {
    changes: [],
    resumeAfter: encodePosition({ ...plan.base, snapshot: { table: SNAPSHOT_DONE, chunk: 0, lastKey: '' } }),
  };
}

async function readChunk(
  connection: PoolConnection,
  mapping: TableMapping,
  after: readonly (readonly [string, unknown])[] | undefined,
  limit: number,
) {
  const order = mapping.primaryKey.map(quoteId).join(', ');
  let where = '';
  let params: unknown[] = [];
  if (after !== undefined) {
    const predicate = keyAfter(
      mapping.primaryKey,
      after.map(([name, value]) => mapping.param(name, value as never)),
    );
    where = ` WHERE ${predicate.sql}`;
    params = predicate.params;
  }
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT ${mapping.selectList()} FROM ${quoteTable(mapping.table.namespace, mapping.table.name)}${where} ORDER BY ${order} LIMIT ${Number(limit)}`,
    params,
  );
  return rows.map((raw) => mapping.rowFromMySql(raw));
}

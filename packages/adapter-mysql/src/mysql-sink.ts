import {
  type ApplyDecider,
  ApplyError,
  type ApplyOutcome,
  type ChangeBatch,
  type ChangeEvent,
  type ChangeSink,
  ConnectionError,
  MappingError,
  type NodeId,
  type RowKey,
  type RowVersion,
  type SourcePosition,
  type StoredRow,
  type TableRef,
  WorkerSyncError,
} from '@worker-sync/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import {
  databaseOfUrl,
  type MySqlSinkConfigInput,
  MySqlSinkConfigSchema,
  parseConfig,
  typeOptionsOf,
} from './mysql-config.js';
import { createExactPool, quoteTable } from './mysql-connection.js';
import { columnOfError, describeMySqlError, isRetriableMySqlError, safeCause } from './mysql-errors.js';
import { APPLIED_POSITIONS_TABLE, rowHash, sinkMetadataDdl } from './mysql-metadata.js';
import { readTableSchema } from './mysql-table-catalog.js';
import { TableMapping } from './mysql-table-mapping.js';
import type { MySqlTypeOptions } from './mysql-types.js';
import { type RowState, readStoredRows, recordWrite, tableKey, wrapMapping } from './sink-rows.js';
import { flushRows } from './sink-writer.js';

/**
 * Applies change batches to MySQL or MariaDB: one transaction per batch, stored versions of every key locked and
 * read at once, multi-row upserts and deletes, and the row versions (shadow table) and the batch position co-written
 * in the same transaction so that the node's {@link MySqlSource} recognises these writes and a redelivered batch is
 * recognised before any row is touched.
 *
 * @example
 * ```ts
 * const sink = new MySqlSink({ id: 'mysql-sink', url: process.env.MYSQL_URL! });
 * const outcome = await sink.apply(batch, decide);
 * ```
 */
export class MySqlSink implements ChangeSink {
  readonly id: string;
  private readonly pool: Pool;
  private readonly database: string;
  private readonly metadataDatabase: string;
  private readonly useEventNamespace: boolean;
  private readonly statementRows: number;
  private readonly typeOptions: MySqlTypeOptions;
  private readonly mappings = new Map<string, TableMapping>();
  private ready: Promise<void> | undefined;

  constructor(config: MySqlSinkConfigInput) {
    const parsed = parseConfig(MySqlSinkConfigSchema, config, 'MySqlSink');
    this.id = parsed.id;
    this.database = parsed.database ?? databaseOfUrl(parsed.url, 'MySqlSink');
    this.metadataDatabase = parsed.metadataDatabase ?? this.database;
    this.useEventNamespace = parsed.useEventNamespace;
    this.statementRows = parsed.statementRows;
    this.typeOptions = typeOptionsOf(parsed);
    this.pool = createExactPool(parsed.url, { connectionLimit: parsed.poolSize });
  }

  /** Creates the shadow version and applied-position tables if they do not exist. Called by the first apply. */
  async init(): Promise<void> {
    this.ready ??= (async () => {
      for (const ddl of sinkMetadataDdl(this.metadataDatabase)) await this.pool.query(ddl);
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw toConnectionError(error, 'creating the sink metadata tables');
    });
    await this.ready;
  }

  async apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome> {
    await this.init();
    const connection = await this.connect();
    try {
      // READ COMMITTED: locking reads lock the rows they find and no gaps, so concurrent appliers (one per transport
      // partition) inserting new keys at the end of a table do not deadlock on each other's gap locks. Row-based
      // binlogging, which the source needs anyway, makes this isolation level safe to replicate.
      await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await connection.query('START TRANSACTION');
      const last = await this.selectLastApplied(connection, batch.origin, batch.sourceId, true);
      if (last !== undefined && last >= batch.position) {
        await connection.query('COMMIT');
        return { applied: 0, skipped: batch.events.length, alreadyApplied: true };
      }
      const outcome = await this.applyEvents(connection, batch, decide);
      await this.recordPosition(connection, batch);
      await connection.query('COMMIT');
      return outcome;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      if (isMissingTableOrColumn(error)) this.mappings.clear();
      throw toApplyError(error, batch);
    } finally {
      connection.release();
    }
  }

  private async applyEvents(
    connection: PoolConnection,
    batch: ChangeBatch,
    decide: ApplyDecider,
  ): Promise<ApplyOutcome> {
    const { states, eventKeys } = await this.loadStates(connection, batch);
    let applied = 0;
    let skipped = 0;
    for (const [index, event] of batch.events.entries()) {
      const targets =
        event.op === 'truncate'
          ? await this.loadWholeTable(connection, event, index, states)
          : [states.get(eventKeys[index]!)!];
      for (const state of targets) {
        // A truncate is judged per row as the deletion of that row.
        const incoming = event.op === 'truncate' ? { ...event, op: 'delete' as const, key: state.key } : event;
        const decision = decide(incoming, storedRow(state));
        if (decision.kind === 'skip') {
          skipped += 1;
          continue;
        }
        applied += 1;
        state.version = decision.version;
        state.versionDirty = true;
        state.index = index;
        if (decision.kind === 'write') {
          recordWrite(state, event.op === 'truncate' ? null : decision.row, index, event.unchanged);
        }
      }
    }
    await flushRows(connection, [...new Set(states.values())], {
      metadataDatabase: this.metadataDatabase,
      statementRows: this.statementRows,
    });
    return { applied, skipped, alreadyApplied: false };
  }

  /** Locks and reads the stored versions and rows of every key in the batch, a few statements per table. */
  private async loadStates(
    connection: PoolConnection,
    batch: ChangeBatch,
  ): Promise<{ states: Map<string, RowState>; eventKeys: string[] }> {
    const states = new Map<string, RowState>();
    const eventKeys: string[] = [];
    const byTable = new Map<string, RowState[]>();
    for (const [index, event] of batch.events.entries()) {
      if (event.op === 'truncate') continue;
      const mapping = await this.mappingFor(connection, event, index);
      const key = wrapMapping(() => mapping.normaliseKey(event.key), { mapping, key: event.key, index }, index);
      const hash = rowHash(mapping.table, key);
      const id = `${mapping.table.namespace}.${mapping.table.name}/${hash.toString('hex')}`;
      eventKeys[index] = id;
      if (states.has(id)) continue;
      const state: RowState = {
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
      states.set(id, state);
      const tableId = `${mapping.table.namespace}.${mapping.table.name}`;
      const group = byTable.get(tableId);
      if (group) group.push(state);
      else byTable.set(tableId, [state]);
    }
    for (const tableStates of byTable.values())
      await readStoredRows(connection, tableStates, true, this.metadataDatabase, this.statementRows);
    return { states, eventKeys };
  }

  /** For a truncate: every stored row of the table, locked, so each gets its own deletion version. */
  private async loadWholeTable(
    connection: PoolConnection,
    event: ChangeEvent,
    index: number,
    states: Map<string, RowState>,
  ): Promise<RowState[]> {
    const mapping = await this.mappingFor(connection, event, index);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT ${mapping.selectList()} FROM ${quoteTable(mapping.table.namespace, mapping.table.name)} FOR UPDATE`,
    );
    const result: RowState[] = [];
    const fresh: RowState[] = [];
    for (const raw of rows) {
      const key = mapping.keyOf(mapping.rowFromMySql(raw));
      const hash = rowHash(mapping.table, key);
      const id = `${mapping.table.namespace}.${mapping.table.name}/${hash.toString('hex')}`;
      let state = states.get(id);
      if (state === undefined) {
        state = {
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
        states.set(id, state);
        fresh.push(state);
      }
      result.push(state);
    }
    if (fresh.length > 0) await readStoredRows(connection, fresh, true, this.metadataDatabase, this.statementRows);
    return result.filter((state) => state.row !== undefined);
  }

  private async recordPosition(connection: PoolConnection, batch: ChangeBatch): Promise<void> {
    await connection.query(
      `INSERT INTO ${quoteTable(this.metadataDatabase, APPLIED_POSITIONS_TABLE)} (origin, source_id, position)
       VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)`,
      [batch.origin, batch.sourceId, batch.position],
    );
  }

  private async selectLastApplied(
    db: Pool | PoolConnection,
    origin: NodeId,
    sourceId: string,
    lock: boolean,
  ): Promise<SourcePosition | undefined> {
    const [rows] = await db.query<RowDataPacket[]>(
      `SELECT position FROM ${quoteTable(this.metadataDatabase, APPLIED_POSITIONS_TABLE)}
        WHERE origin = ? AND source_id = ?${lock ? ' FOR UPDATE' : ''}`,
      [origin, sourceId],
    );
    return rows[0] === undefined ? undefined : String(rows[0].position);
  }

  async lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined> {
    await this.init();
    return this.selectLastApplied(this.pool, origin, sourceId, false);
  }

  async read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]> {
    await this.init();
    const mapping = await this.mappingForTable(this.pool, this.targetTable(table));
    const states: RowState[] = keys.map((key, index) => {
      const normalised = mapping.normaliseKey(key);
      return {
        mapping,
        key: normalised,
        hash: rowHash(mapping.table, normalised),
        row: undefined,
        version: undefined,
        write: undefined,
        replace: false,
        stored: false,
        versionDirty: false,
        index,
      };
    });
    if (states.length > 0) await readStoredRows(this.pool, states, false, this.metadataDatabase, this.statementRows);
    return states.map((state) => storedRow(state));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The table an incoming change is written to. */
  private targetTable(table: TableRef): TableRef {
    return { namespace: this.useEventNamespace ? table.namespace : this.database, name: table.name };
  }

  private async mappingFor(connection: PoolConnection, event: ChangeEvent, index: number): Promise<TableMapping> {
    try {
      return await this.mappingForTable(connection, this.targetTable(event.table));
    } catch (error) {
      if (error instanceof WorkerSyncError) {
        throw new ApplyError(error.message, { table: tableKey(this.targetTable(event.table)), index }, false, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private async mappingForTable(db: Pool | PoolConnection, table: TableRef): Promise<TableMapping> {
    const id = tableKey(table);
    const cached = this.mappings.get(id);
    if (cached) return cached;
    const schema = await readTableSchema(db, table.namespace, table.name);
    if (schema === undefined) throw new MappingError(`table ${id} does not exist`, { table: id });
    const mapping = new TableMapping(table, schema, this.typeOptions);
    this.mappings.set(id, mapping);
    return mapping;
  }

  private async connect(): Promise<PoolConnection> {
    try {
      return await this.pool.getConnection();
    } catch (error) {
      throw toConnectionError(error, 'connecting the sink');
    }
  }
}

/** The version a row has before any sink wrote it: nobody's history. */
const UNVERSIONED: RowVersion = { vv: {}, hlc: 0n, writer: '', deleted: false };

/** What the decider sees: the stored version, or for a row no sink wrote yet its data with an empty history. */
function storedRow(state: RowState): StoredRow | undefined {
  if (state.version !== undefined) return { row: state.row, version: state.version };
  if (state.row !== undefined) return { row: state.row, version: UNVERSIONED };
  return undefined;
}

function isMissingTableOrColumn(error: unknown): boolean {
  const code = (error as { errno?: number })?.errno;
  return code === 1146 || code === 1054;
}

function toApplyError(error: unknown, batch: ChangeBatch): WorkerSyncError {
  if (error instanceof WorkerSyncError) return error;
  return new ApplyError(
    `applying batch ${batch.id}: ${describeMySqlError(error)}`,
    columnOfError(error),
    isRetriableMySqlError(error),
    { cause: safeCause(error) },
  );
}

function toConnectionError(error: unknown, doing: string): WorkerSyncError {
  if (error instanceof WorkerSyncError) return error;
  return new ConnectionError(`MySQL ${doing}: ${describeMySqlError(error)}`, { cause: safeCause(error) });
}

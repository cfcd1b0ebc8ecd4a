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
import { APPLIED_POSITIONS_TABLE, sinkMetadataDdl } from './mysql-metadata.js';
import { readTableSchema } from './mysql-table-catalog.js';
import { TableMapping } from './mysql-table-mapping.js';
import type { MySqlTypeOptions } from './mysql-types.js';
import {
  BatchRows,
  newRowState,
  type RowState,
  readStoredRows,
  recordWrite,
  type StoredRowRead,
  storedRowReads,
  tableKey,
  wrapMapping,
} from './sink-rows.js';
import { runScript } from './sink-script.js';
import type { Statement } from './sink-statements.js';
import { explainWriteFailure, flushStatements, type WriteStatement } from './sink-writer.js';
import { encodeKey } from './typed-json.js';

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
    // Several statements per query: a batch is two round trips (see apply). Every value is written as an escaped
    // literal (sqlValue) and every identifier quoted with escapeId, and this pool is the sink's own.
    this.pool = createExactPool(parsed.url, { connectionLimit: parsed.poolSize, multipleStatements: true });
    this.pool.pool.on('connection', (connection) => {
      // MariaDB writes the text of every row-changing statement into the binlog beside its rows, by default: for the
      // sink's scripts that is most of the binlog's bytes, which every binlog reader then reads and skips. Servers
      // without the variable (MySQL) or that refuse it keep their default; the annotations are informational only.
      connection.query('SET SESSION binlog_annotate_row_events = OFF', () => undefined);
    });
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

  /**
   * Two round trips for a batch without truncates: one query opens the transaction and locks and reads the batch
   * position and the stored versions and rows of every key; the engine decides each change; a second query writes
   * rows, versions and the position and commits.
   */
  async apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome> {
    await this.init();
    const connection = await this.connect();
    let reading = true;
    try {
      // Mappings first, outside the transaction: a table's schema is read once, then cached.
      const { rows, eventStates } = await this.batchRows(connection, batch);
      const reads = this.readsOf(rows);
      const results = await runScript(connection, [
        // READ COMMITTED: locking reads lock the rows they find and no gaps, so concurrent appliers (one per transport
        // partition) inserting new keys at the end of a table do not deadlock on each other's gap locks. Row-based
        // binlogging, which the source needs anyway, makes this isolation level safe to replicate.
        { sql: 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED', params: [] },
        { sql: 'START TRANSACTION', params: [] },
        // The position row is locked first, so appliers of one source are serialised before they lock any row.
        this.lastAppliedStatement(batch.origin, batch.sourceId, true),
        ...reads,
      ]);
      const last = positionOf(results[2] as RowDataPacket[]);
      if (last !== undefined && last >= batch.position) {
        // Redelivered: the reads took row locks but wrote nothing; rolling back releases them.
        await connection.query('ROLLBACK');
        return { applied: 0, skipped: batch.events.length, alreadyApplied: true };
      }
      reading = false;
      for (const [index, read] of reads.entries()) read.absorb(results[3 + index] as RowDataPacket[]);
      const { outcome, touched } = await this.decideEvents(connection, batch, decide, rows, eventStates);
      const writes = [
        ...flushStatements(touched, { metadataDatabase: this.metadataDatabase, statementRows: this.statementRows }),
        this.recordPositionStatement(batch),
      ];
      await this.write(connection, writes);
      return outcome;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      if (isMissingTableOrColumn(error)) this.mappings.clear();
      // The position is read with the rows: a redelivered batch whose table or key no longer maps (a table dropped
      // or altered since) is still recognised as applied, not reported as failing.
      if (reading && (await this.appliedAlready(batch))) {
        return { applied: 0, skipped: batch.events.length, alreadyApplied: true };
      }
      throw toApplyError(error, batch);
    } finally {
      connection.release();
    }
  }

  private async appliedAlready(batch: ChangeBatch): Promise<boolean> {
    const last = await this.lastApplied(batch.origin, batch.sourceId).catch(() => undefined);
    return last !== undefined && last >= batch.position;
  }

  /** Sends the writes and COMMIT in one query; a failure is explained statement by statement after the rollback. */
  private async write(connection: PoolConnection, writes: WriteStatement[]): Promise<void> {
    try {
      await runScript(connection, [...writes, { sql: 'COMMIT', params: [] }]);
    } catch (error) {
      if (error instanceof WorkerSyncError || isRetriableMySqlError(error) || !isServerError(error)) throw error;
      await connection.query('ROLLBACK').catch(() => undefined);
      if (isMissingTableOrColumn(error)) this.mappings.clear();
      throw await explainWriteFailure(connection, writes, error);
    }
  }

  private async decideEvents(
    connection: PoolConnection,
    batch: ChangeBatch,
    decide: ApplyDecider,
    rows: BatchRows,
    eventStates: (RowState | undefined)[],
  ): Promise<{ outcome: ApplyOutcome; touched: RowState[] }> {
    let applied = 0;
    let skipped = 0;
    for (const [index, event] of batch.events.entries()) {
      const targets =
        event.op === 'truncate' ? await this.loadWholeTable(connection, event, index, rows) : [eventStates[index]!];
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
    return { outcome: { applied, skipped, alreadyApplied: false }, touched: rows.all() };
  }

  /** A state per distinct row the batch names (truncates aside), and each change's state. */
  private async batchRows(
    connection: PoolConnection,
    batch: ChangeBatch,
  ): Promise<{ rows: BatchRows; eventStates: (RowState | undefined)[] }> {
    const rows = new BatchRows();
    const eventStates = new Array<RowState | undefined>(batch.events.length);
    // A batch is runs of changes to one table: the mapping and the table's rows are looked up once per run.
    let run: { namespace: string; name: string; mapping: TableMapping; rows: Map<string, RowState> } | undefined;
    for (let index = 0; index < batch.events.length; index++) {
      const event = batch.events[index]!;
      if (event.op === 'truncate') continue;
      if (run === undefined || run.namespace !== event.table.namespace || run.name !== event.table.name) {
        const cached = this.mappings.get(tableKey(this.targetTable(event.table)));
        const mapping = cached ?? (await this.mappingFor(connection, event, index));
        run = { ...event.table, mapping, rows: rows.tableRows(mapping) };
      }
      const mapping = run.mapping;
      const key = wrapMapping(() => mapping.normaliseKey(event.key), { mapping, key: event.key, index }, index);
      const keyText = encodeKey(key);
      let state = run.rows.get(keyText);
      if (state === undefined) {
        state = newRowState(mapping, key, index, keyText);
        run.rows.set(keyText, state);
      }
      eventStates[index] = state;
    }
    return { rows, eventStates };
  }

  /** The locking reads of the batch's rows' stored versions and data, a few statements per table. */
  private readsOf(rows: BatchRows): StoredRowRead[] {
    const reads: StoredRowRead[] = [];
    for (const table of rows.tables()) {
      reads.push(...storedRowReads([...table.values()], true, this.metadataDatabase, this.statementRows));
    }
    return reads;
  }

  /** For a truncate: every stored row of the table, locked, so each gets its own deletion version. */
  private async loadWholeTable(
    connection: PoolConnection,
    event: ChangeEvent,
    index: number,
    batchRows: BatchRows,
  ): Promise<RowState[]> {
    const mapping = await this.mappingFor(connection, event, index);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT ${mapping.selectList()} FROM ${quoteTable(mapping.table.namespace, mapping.table.name)} FOR UPDATE`,
    );
    const result: RowState[] = [];
    const fresh: RowState[] = [];
    for (const raw of rows) {
      const key = mapping.keyOf(mapping.rowFromMySql(raw));
      const keyText = encodeKey(key);
      const tableRows = batchRows.tableRows(mapping);
      let state = tableRows.get(keyText);
      if (state === undefined) {
        state = newRowState(mapping, key, index, keyText);
        tableRows.set(keyText, state);
        fresh.push(state);
      }
      result.push(state);
    }
    if (fresh.length > 0) await readStoredRows(connection, fresh, true, this.metadataDatabase, this.statementRows);
    return result.filter((state) => state.row !== undefined);
  }

  private recordPositionStatement(batch: ChangeBatch): WriteStatement {
    return {
      sql: `INSERT INTO ${quoteTable(this.metadataDatabase, APPLIED_POSITIONS_TABLE)} (origin, source_id, position)
       VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)`,
      params: [batch.origin, batch.sourceId, batch.position],
      table: `${this.metadataDatabase}.${APPLIED_POSITIONS_TABLE}`,
    };
  }

  private lastAppliedStatement(origin: NodeId, sourceId: string, lock: boolean): Statement {
    return {
      sql: `SELECT position FROM ${quoteTable(this.metadataDatabase, APPLIED_POSITIONS_TABLE)}
        WHERE origin = ? AND source_id = ?${lock ? ' FOR UPDATE' : ''}`,
      params: [origin, sourceId],
    };
  }

  async lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined> {
    await this.init();
    const { sql, params } = this.lastAppliedStatement(origin, sourceId, false);
    const [rows] = await this.pool.query<RowDataPacket[]>(sql, params);
    return positionOf(rows);
  }

  async read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]> {
    await this.init();
    const mapping = await this.mappingForTable(this.pool, this.targetTable(table));
    const states = keys.map((key, index) => newRowState(mapping, mapping.normaliseKey(key), index));
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
    const cached = this.mappings.get(tableKey(this.targetTable(event.table)));
    if (cached) return cached;
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

function positionOf(rows: readonly RowDataPacket[]): SourcePosition | undefined {
  return rows[0] === undefined ? undefined : String(rows[0].position);
}

/** An error the server reported (it has a server error number), as opposed to a lost connection. */
function isServerError(error: unknown): boolean {
  const { errno, sqlState } = (error ?? {}) as { errno?: number; sqlState?: string };
  return errno !== undefined && errno < 2000 && sqlState !== undefined;
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

import {
  type CapturedBatch,
  type CapturedChange,
  type ChangeSource,
  ConfigurationError,
  ConnectionError,
  IntegrityError,
  type SourcePosition,
  type SourceStart,
  type TableRef,
  WorkerSyncError,
} from '@worker-sync/core';
import type { Pool } from 'mysql2/promise';
import { BinlogDecoder, type DecodedItem } from './binlog-decoder.js';
import { BinlogReader, type BinlogStart } from './binlog-reader.js';
import { binlogFiles, currentBinlogEnd, defaultServerId, purgedError } from './binlog-server.js';
import { EventQueue } from './event-queue.js';
import {
  databaseOfUrl,
  type MySqlSourceConfig,
  type MySqlSourceConfigInput,
  MySqlSourceConfigSchema,
  parseConfig,
  typeOptionsOf,
} from './mysql-config.js';
import { createExactPool, exactValueOptions } from './mysql-connection.js';
import { describeMySqlError, isRetriableMySqlError, safeCause } from './mysql-errors.js';
import { isMetadataTable, ROW_VERSIONS_TABLE, sourceMetadataDdl } from './mysql-metadata.js';
import { type BinlogPosition, decodePosition, encodePosition } from './mysql-position.js';
import { SchemaHistory } from './mysql-schema-history.js';
import { checkServerSettings } from './mysql-server-settings.js';
import { openSnapshot, SNAPSHOT_DONE, snapshotBatches } from './mysql-snapshot.js';
import { listTables, readTableSchema } from './mysql-table-catalog.js';

const MAX_BATCH_CHANGES = 2000;
const RECONNECT_ATTEMPTS = 8;

/**
 * Captures committed row changes from a MySQL or MariaDB row binlog through `@vlasky/zongji`: whole transactions in
 * commit order, rows decoded with the schema of their own position (schema history), the node's own sink writes
 * reported with `applied`, positions resumable by GTID or file and offset, an optional consistent snapshot joined
 * to the stream without a global lock (MariaDB), and a purged binlog reported as an IntegrityError, never a gap.
 *
 * @example
 * ```ts
 * const source = new MySqlSource({ id: 'mysql', url: process.env.MYSQL_URL!, tables: ['orders'] });
 * for await (const batch of source.stream({ snapshot: true })) {
 *   await publish(batch);
 *   await source.acknowledge(batch.resumeAfter);
 * }
 * ```
 */
export class MySqlSource implements ChangeSource {
  readonly id: string;
  private readonly config: MySqlSourceConfig;
  private readonly database: string;
  private readonly metadataDatabase: string;
  private readonly pool: Pool;
  private readonly tableFilter: Map<string, Set<string> | true>;
  private reader: BinlogReader | undefined;
  private acknowledged: SourcePosition | undefined;
  private lastPosition: SourcePosition | undefined;
  /** Where {@link MySqlSource.init} found the binlog's end, for the first stream without a checkpoint. */
  private initialEnd: BinlogPosition | undefined;
  private queue: EventQueue<DecodedItem> | undefined;
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  /** Set by the current stream's abort signal; a later stream starts afresh. */
  private aborted = false;

  constructor(config: MySqlSourceConfigInput) {
    this.config = parseConfig(MySqlSourceConfigSchema, config, 'MySqlSource');
    this.id = this.config.id;
    this.database = databaseOfUrl(this.config.url, 'MySqlSource');
    this.metadataDatabase = this.config.metadataDatabase ?? this.database;
    this.pool = createExactPool(this.config.url, { connectionLimit: 3 });
    this.tableFilter = new Map();
    if (this.config.tables === undefined) this.tableFilter.set(this.database, true);
    for (const name of this.config.tables ?? []) {
      const [database, table] = name.includes('.') ? name.split('.', 2) : [this.database, name];
      const entry = this.tableFilter.get(database!);
      if (entry !== true) this.tableFilter.set(database!, new Set([...(entry ?? []), table!]));
    }
  }

  private get stopping(): boolean {
    return this.closed || this.aborted;
  }

  /** True for a table this source captures. */
  tracks(database: string, table: string): boolean {
    if (isMetadataTable(table)) return false;
    const entry = this.tableFilter.get(database);
    return entry === true || (entry?.has(table) ?? false);
  }

  /**
   * Fixes where a first stream without a checkpoint starts: the binlog's end now, with the table schemas in force
   * there, so every change committed after this resolves is read.
   */
  async init(): Promise<void> {
    await checkServerSettings(this.pool, this.id);
    for (const ddl of sourceMetadataDdl(this.metadataDatabase)) await this.pool.query(ddl);
    this.initialEnd = await this.markEnd();
  }

  /** The binlog's current end, with the schemas in force there recorded before anyone can alter the tables. */
  private async markEnd(): Promise<BinlogPosition> {
    const end = await currentBinlogEnd(this.pool);
    await this.seedHistory(this.history(), encodePosition(end));
    return end;
  }

  async *stream(start: SourceStart): AsyncIterable<CapturedBatch> {
    this.aborted = start.signal?.aborted ?? false;
    const abort = (): void => {
      this.aborted = true;
      this.wakeConsumer?.();
    };
    start.signal?.addEventListener('abort', abort, { once: true });
    try {
      await checkServerSettings(this.pool, this.id);
      for (const ddl of sourceMetadataDdl(this.metadataDatabase)) await this.pool.query(ddl);
      let base: BinlogPosition;
      if (start.after !== undefined) {
        const after = decodePosition(start.after);
        base = { file: after.file, offset: after.offset, ...(after.gtid ? { gtid: after.gtid } : {}) };
        if (!(await binlogFiles(this.pool)).includes(base.file)) {
          if (this.config.onPurgedBinlog === 'fail')
            throw purgedError(encodePosition(base), (await binlogFiles(this.pool))[0]);
          base = yield* this.snapshot(undefined, undefined);
        } else if (after.snapshot && after.snapshot.table !== SNAPSHOT_DONE) {
          yield* this.snapshot(base, after.snapshot);
        }
      } else if (start.snapshot) {
        base = yield* this.snapshot(undefined, undefined);
      } else {
        base = this.initialEnd ?? (await this.markEnd());
        this.initialEnd = undefined;
        yield { changes: [], resumeAfter: encodePosition(base) };
      }
      yield* this.follow(base);
    } finally {
      start.signal?.removeEventListener('abort', abort);
      await this.reader?.stop();
      this.reader = undefined;
    }
  }

  /** Copies the captured tables (or resumes a copy) and returns the stream position it joins. */
  private async *snapshot(
    resumeBase: BinlogPosition | undefined,
    cursor: { table: number; chunk: number; lastKey: string } | undefined,
  ): AsyncGenerator<CapturedBatch, BinlogPosition> {
    const view = await openSnapshot(this.pool);
    try {
      const base = resumeBase ?? view.position;
      const history = this.history();
      const tables = await this.trackedTables(view.connection);
      for await (const batch of snapshotBatches(view, {
        tables,
        chunkSize: this.config.snapshotChunkSize,
        typeOptions: typeOptionsOf(this.config),
        base,
        ...(cursor ? { cursor } : {}),
        onSchema: async (table, schema) => {
          if (resumeBase === undefined)
            await history.persist([history.set(table.namespace, table.name, schema, encodePosition(base))]);
        },
      })) {
        if (this.stopping) return base;
        yield batch;
      }
      return base;
    } finally {
      await view.connection.query('COMMIT').catch(() => undefined);
      view.connection.release();
    }
  }

  private async trackedTables(db: Pool | import('mysql2/promise').PoolConnection): Promise<TableRef[]> {
    const tables: TableRef[] = [];
    for (const [database, entry] of [...this.tableFilter].sort(([a], [b]) => a.localeCompare(b))) {
      const names = entry === true ? await listTables(db, database) : [...entry].sort();
      for (const name of names) tables.push({ namespace: database, name });
    }
    return tables;
  }

  private history(): SchemaHistory {
    return new SchemaHistory(this.pool, this.metadataDatabase, this.id, (database, table) =>
      this.tracks(database, table),
    );
  }

  /** Streams the binlog after `base`, reconnecting from the last yielded position after a lost connection. */
  private async *follow(base: BinlogPosition): AsyncGenerator<CapturedBatch> {
    let from = encodePosition(base);
    let attempt = 0;
    while (!this.stopping) {
      const queue = new EventQueue<DecodedItem>();
      const history = this.history();
      await this.seedHistory(history, from);
      const decoder = new BinlogDecoder({
        history,
        typeOptions: typeOptionsOf(this.config),
        metadataDatabase: this.metadataDatabase,
        tracks: (database, table) => this.tracks(database, table),
        emit: (item) => this.enqueue(queue, item),
      });
      this.reader = this.createReader(decoder, queue, history);
      this.reader.start(this.startOf(decodePosition(from)));
      this.queue = queue;
      this.wakeConsumer = () => queue.close();
      if (this.stopping) queue.close();
      try {
        for await (const batch of this.batches(queue, history, from)) {
          attempt = 0;
          from = batch.resumeAfter > from ? batch.resumeAfter : from;
          this.lastPosition = from;
          yield batch;
        }
        return;
      } catch (error) {
        await this.reader.stop();
        if (!isRetriable(error) || attempt >= RECONNECT_ATTEMPTS || this.stopping) throw toSourceError(error, from);
        attempt += 1;
        await sleep(Math.min(30_000, 200 * 2 ** attempt) * Math.random());
      }
    }
  }

  private createReader(decoder: BinlogDecoder, queue: EventQueue<DecodedItem>, history: SchemaHistory): BinlogReader {
    const include: Record<string, string[] | true> = {};
    for (const [database, entry] of this.tableFilter) include[database] = entry === true ? true : [...entry];
    const metadata = include[this.metadataDatabase];
    if (metadata !== true) include[this.metadataDatabase] = [...(metadata ?? []), ROW_VERSIONS_TABLE];
    return new BinlogReader({
      connection: exactValueOptions(this.config.url),
      serverId: this.config.serverId ?? defaultServerId(this.id),
      heartbeatSeconds: this.config.heartbeatSeconds,
      includeSchema: include,
      columnsFor: (database, table) =>
        decoder.columnsFor(database, table) ?? this.unknownTable(history, database, table),
      onEvent: (event, reader) => decoder.handle(event, reader),
      onError: (error) => queue.push({ kind: 'error', error }),
    });
  }

  /** A tracked table the history has not seen (created before the history existed): read its current schema. */
  private async unknownTable(history: SchemaHistory, database: string, table: string) {
    const schema = await readTableSchema(this.pool, database, table);
    if (schema === undefined) throw new IntegrityError(`table ${database}.${table} no longer exists`, 'SCHEMA_HISTORY');
    history.set(database, table, schema, '');
    return schema.columns.map((column) => ({
      COLUMN_NAME: column.name,
      COLUMN_TYPE: column.columnType,
      CHARACTER_SET_NAME: column.charset,
      COLLATION_NAME: null,
      COLUMN_COMMENT: '',
    }));
  }

  /** Records the current schema of tracked tables that have no history yet, as of the stream start. */
  private async seedHistory(history: SchemaHistory, from: string): Promise<void> {
    await history.load(from);
    const records = [];
    for (const table of await this.trackedTables(this.pool)) {
      if (history.get(table.namespace, table.name)) continue;
      const schema = await readTableSchema(this.pool, table.namespace, table.name);
      if (schema) records.push(history.set(table.namespace, table.name, schema, from));
    }
    await history.persist(records);
  }

  private enqueue(queue: EventQueue<DecodedItem>, item: DecodedItem): void {
    queue.push(item);
    if (queue.length > this.config.maxBufferedEvents) {
      // Deferred: zongji resumes the socket itself right after a table-map event is handled.
      setImmediate(() => this.reader?.pause());
    }
  }

  /** Groups decoded items into batches of whole transactions, persisting schema changes before what follows them. */
  private async *batches(
    queue: EventQueue<DecodedItem>,
    history: SchemaHistory,
    from: string,
  ): AsyncGenerator<CapturedBatch> {
    let lastYield = Date.now();
    // Positions only move forward, also when a resnapshot queues rows at an older position.
    let position = from;
    for (;;) {
      const first = await queue.take();
      if (first === undefined) return;
      const changes: CapturedChange[] = [];
      let moved = false;
      for (
        let item: DecodedItem | undefined = first;
        item !== undefined;
        item = changes.length < MAX_BATCH_CHANGES ? queue.poll() : undefined
      ) {
        if (item.kind === 'error') throw item.error;
        if (item.kind === 'schema') await history.persist(item.records);
        else {
          if (item.kind === 'changes') changes.push(...item.changes);
          if (item.position > position) position = item.position;
          moved = true;
        }
      }
      if (queue.length < this.config.maxBufferedEvents / 2) this.reader?.resume();
      if (!moved) continue;
      const idle = Date.now() - lastYield > this.config.heartbeatSeconds * 1000;
      if (changes.length > 0 || idle) {
        lastYield = Date.now();
        yield { changes, resumeAfter: position };
      }
    }
  }

  private startOf(position: BinlogPosition): BinlogStart {
    if (this.config.positionMode !== 'file' && position.gtid !== undefined) return { gtidSet: position.gtid };
    return { filename: position.file, position: position.offset };
  }

  /**
   * Re-reads one table's current rows into the running stream as snapshot inserts, through a consistent read view,
   * without stopping the binlog. The rows are queued behind what the stream has already read; changes committed
   * after the view replay over them in log order, so the result is the table's state once the stream catches up.
   */
  async resnapshot(table: TableRef): Promise<void> {
    const queue = this.queue;
    const position = this.lastPosition;
    if (queue === undefined || position === undefined) {
      throw new ConfigurationError(`resnapshot of ${table.namespace}.${table.name} needs a running stream`);
    }
    const view = await openSnapshot(this.pool);
    try {
      for await (const batch of snapshotBatches(view, {
        tables: [table],
        chunkSize: this.config.snapshotChunkSize,
        typeOptions: typeOptionsOf(this.config),
        base: decodePosition(position),
      })) {
        if (batch.changes.length === 0) continue;
        queue.push({ kind: 'changes', changes: batch.changes.map((change) => ({ ...change, position })), position });
      }
    } finally {
      await view.connection.query('COMMIT').catch(() => undefined);
      view.connection.release();
    }
  }

  /** Bytes between the last position handed out and the end of the binlog (same file only; else the file's end). */
  async lag(): Promise<{ bytes?: bigint; millis?: number }> {
    if (this.lastPosition === undefined) return {};
    const end = await currentBinlogEnd(this.pool);
    const at = decodePosition(this.lastPosition);
    const bytes = end.file === at.file ? end.offset - at.offset : end.offset;
    return { bytes: BigInt(Math.max(0, bytes)) };
  }

  async acknowledge(position: SourcePosition): Promise<void> {
    if (this.acknowledged === undefined || position > this.acknowledged) this.acknowledged = position;
  }

  /** The last position the engine acknowledged (MySQL keeps no reader state on the server). */
  get lastAcknowledged(): SourcePosition | undefined {
    return this.acknowledged;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeConsumer?.();
    await this.reader?.stop();
    await this.pool.end();
  }
}

function isRetriable(error: unknown): boolean {
  if (error instanceof WorkerSyncError) return error.retriable;
  return isRetriableMySqlError(error) || /ECONNRESET|ECONNREFUSED|closed|lost/i.test(String((error as Error)?.message));
}

function toSourceError(error: unknown, position: string): WorkerSyncError {
  if (error instanceof WorkerSyncError) return error;
  const errno = (error as { errno?: number })?.errno;
  if (errno === 1236) return purgedError(position, undefined);
  if (isRetriableMySqlError(error))
    return new ConnectionError(`binlog stream at ${position}: ${describeMySqlError(error)}`, {
      cause: safeCause(error),
    });
  return new IntegrityError(`binlog stream at ${position}: ${describeMySqlError(error)}`, 'BINLOG', {
    cause: safeCause(error),
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

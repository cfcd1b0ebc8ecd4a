import { randomUUID } from 'node:crypto';
import {
  type CapturedBatch,
  type CapturedChange,
  type ChangeSource,
  ConnectionError,
  IntegrityError,
  type SourcePosition,
  type SourceStart,
  type TableRef,
} from '@worker-sync/core';
import type pg from 'pg';
import {
  type PgConnection,
  type PgoutputMessage,
  pgconnection,
  type ReplicationChunk,
  type ReplicationStream,
} from 'pgwire';
import { PgoutputTransactionAssembler } from './pgoutput-transaction.js';
import {
  type PostgresSourceConfig,
  type PostgresSourceConfigInput,
  PostgresSourceConfigSchema,
  parseConfig,
} from './postgres-config.js';
import { createExactPool, isRetriablePgError, pgErrorFields, SESSION_SETTINGS } from './postgres-connection.js';
import { SlotLease } from './postgres-lease.js';
import { RESNAPSHOT_MESSAGE_PREFIX, Resnapshots } from './postgres-resnapshot.js';
import {
  dropSlot,
  ensurePublication,
  formatLsn,
  lsnPlus,
  primaryKeys,
  resolveTables,
  setReplicaIdentityFull,
  slotLag,
  slotLostError,
  slotState,
} from './postgres-slot.js';
import { readSnapshot } from './postgres-snapshot.js';

/** Marks a snapshot position: `<consistent point - 1>#<chunk>`, so it sorts before every streamed change. */
const SNAPSHOT_MARK = '#';

/**
 * Reads one PostgreSQL database's changes with logical decoding (`pgoutput`, protocol 1, logical messages on) over a
 * replication connection (pgwire). The adapter creates and checks its publication and slot; positions are
 * fixed-width LSNs (`0000000A/0000BEEF`) whose string order is log order; the slot's confirmed LSN moves only when
 * {@link PostgresSource.acknowledge} is called (pgwire's `ack` records the LSN, and keepalive replies send that
 * recorded LSN, never the last received one).
 *
 * Changes written by a worker-sync {@link PostgresSink} on this database carry `applied` (the version the sink
 * co-wrote), so the engine never republishes them.
 *
 * @example
 * ```ts
 * const source = new PostgresSource({ id: 'local', url: process.env.PG_LOCAL_URL!, tables: ['orders'] });
 * for await (const batch of source.stream({ snapshot: true })) {
 *   await publish(batch);
 *   await source.acknowledge(batch.resumeAfter);
 * }
 * ```
 */
export class PostgresSource implements ChangeSource {
  readonly id: string;
  private readonly config: PostgresSourceConfig;
  private readonly slot: string;
  private readonly publication: string;
  private readonly pool: pg.Pool;
  private readonly lease: SlotLease | undefined;
  private readonly resnapshots: Resnapshots;
  private tables: TableRef[] | undefined;
  /** Primary keys of the captured tables, by `schema.table`, read at start. */
  private keys = new Map<string, string[]>();
  private connection: PgConnection | undefined;
  private replication: ReplicationStream | undefined;
  private acknowledged: string | undefined;
  private closed = false;

  constructor(config: PostgresSourceConfigInput) {
    this.config = parseConfig(PostgresSourceConfigSchema, config, 'PostgresSource');
    this.id = this.config.id;
    this.slot = this.config.slot ?? `worker_sync_${this.config.id.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
    this.publication = this.config.publication ?? this.slot;
    this.pool = createExactPool(this.config.url, 2);
    this.lease = this.config.lease
      ? new SlotLease(this.config.url, this.slot, `${this.id}/${randomUUID()}`)
      : undefined;
    this.resnapshots = new Resnapshots(this.pool, this.config.snapshotChunkSize);
  }

  async *stream(start: SourceStart): AsyncGenerator<CapturedBatch> {
    const tables = await this.prepare();
    await this.lease?.acquire(this.config.leaseRetryMillis, start.signal);
    try {
      let from: string;
      const resumingSnapshot = start.after?.includes(SNAPSHOT_MARK) === true;
      if ((start.after === undefined && start.snapshot === true) || resumingSnapshot) {
        // An interrupted snapshot cannot be continued in its exported snapshot (that died with its session), so
        // it starts over on a new slot: rows already copied are copied again with the same values.
        from = yield* this.initialSnapshot(tables);
      } else {
        from = await this.startPosition(start.after, tables);
        if (from.includes(SNAPSHOT_MARK)) from = yield* this.initialSnapshot(tables);
      }
      yield* this.replicateWithReconnect(from, start.signal);
    } finally {
      await this.lease?.release();
    }
  }

  /**
   * Creates the metadata tables, the publication and (if missing) the slot, without streaming. After it, changes
   * committed later are kept for this source: `stream({ after: <current WAL LSN> })` reads exactly those.
   */
  async init(): Promise<void> {
    await this.prepare();
    const state = await slotState(this.pool, this.slot);
    if (!state.exists) await this.createSlot(false);
  }

  /** Creates the metadata tables and the publication; resolves the captured tables. */
  private async prepare(): Promise<TableRef[]> {
    try {
      const client = await this.pool.connect();
      try {
        this.tables ??= await resolveTables(client, this.config.tables);
        await ensurePublication(client, this.publication, this.tables);
        if (this.config.replicaIdentityFull) await setReplicaIdentityFull(client, this.tables);
        this.keys = await primaryKeys(client, this.tables);
      } finally {
        client.release();
      }
      return this.tables;
    } catch (error) {
      throw new ConnectionError(
        `PostgresSource ${this.id}: preparing publication ${this.publication}: ${pgErrorFields(error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Where streaming starts when no snapshot is taken; handles a missing or invalidated slot. */
  private async startPosition(after: SourcePosition | undefined, tables: readonly TableRef[]): Promise<string> {
    const state = await slotState(this.pool, this.slot);
    if (state.exists && state.walStatus === 'lost') {
      if (this.config.onSlotLost === 'fail') throw slotLostError(this.slot);
      await dropSlot(this.pool, this.slot);
      return `${SNAPSHOT_MARK}resync`;
    }
    if (!state.exists) {
      if (after !== undefined) {
        if (this.config.onSlotLost === 'fail') {
          throw new IntegrityError(
            `replication slot ${this.slot} does not exist, so changes after ${after} cannot be read; restart with onSlotLost: 'resnapshot' to resynchronise ${tables.length} table(s)`,
            'SLOT_MISSING',
          );
        }
        return `${SNAPSHOT_MARK}resync`;
      }
      return (await this.createSlot(false)).consistentPoint;
    }
    const confirmed = state.confirmedFlush ?? '00000000/00000000';
    return after !== undefined && after > confirmed ? after : confirmed;
  }

  private async createSlot(
    exportSnapshot: boolean,
  ): Promise<{ consistentPoint: string; snapshot?: string; connection: PgConnection }> {
    const connection = this.replicationConnection();
    try {
      const result = await connection.query(
        `CREATE_REPLICATION_SLOT "${this.slot}" LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
      );
      const row = result.rows[0]!;
      const consistentPoint = formatLsn(String(row[1]));
      if (!exportSnapshot) await connection.end();
      return { consistentPoint, snapshot: row[2] === null ? undefined : String(row[2]), connection };
    } catch (error) {
      connection.destroy();
      throw new ConnectionError(
        `PostgresSource ${this.id}: creating slot ${this.slot}: ${pgErrorFields(error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Recreates the slot with an exported snapshot, copies every table in that snapshot (chunked by primary key) and
   * returns the slot's consistent point, where the stream continues: no row missed or doubled between the two.
   */
  private async *initialSnapshot(tables: readonly TableRef[]): AsyncGenerator<CapturedBatch, string> {
    await dropSlot(this.pool, this.slot);
    const created = await this.createSlot(true);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET TRANSACTION SNAPSHOT '${created.snapshot!.replace(/'/g, "''")}'`);
      // The snapshot is imported: the replication session that exported it may go.
      await created.connection.end().catch(() => undefined);
      const base = lsnPlus(created.consistentPoint, -1n);
      const positionOf = (sequence: number) => `${base}${SNAPSHOT_MARK}${String(sequence).padStart(12, '0')}`;
      for await (const changes of readSnapshot(client, tables, this.config.snapshotChunkSize, positionOf)) {
        yield { changes, resumeAfter: changes[0]!.position };
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      created.connection.destroy();
      throw error;
    } finally {
      client.release();
    }
    yield { changes: [], resumeAfter: created.consistentPoint };
    return created.consistentPoint;
  }

  private async *replicateWithReconnect(from: string, signal: AbortSignal | undefined): AsyncGenerator<CapturedBatch> {
    let attempt = 0;
    let position = from;
    for (;;) {
      try {
        for await (const batch of this.replicate(position, signal)) {
          attempt = 0;
          yield batch;
        }
        return;
      } catch (error) {
        if (this.closed || signal?.aborted) return;
        if (!isRetriableReplicationError(error) || attempt >= 20) {
          throw error instanceof Error && 'code' in error && error.name !== 'Error'
            ? error
            : new ConnectionError(
                `PostgresSource ${this.id}: replication from ${position} failed: ${pgErrorFields(error).message}`,
                {
                  cause: error,
                },
              );
        }
        attempt += 1;
        // Resume from the last acknowledged position: everything after it is read again (the sink's versions make
        // the repeats harmless), nothing is skipped.
        position = this.acknowledged !== undefined && this.acknowledged > position ? this.acknowledged : position;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  private async *replicate(from: string, signal: AbortSignal | undefined): AsyncGenerator<CapturedBatch> {
    const health = await slotState(this.pool, this.slot);
    if (health.walStatus === 'lost') throw slotLostError(this.slot);
    const start = parsePosition(from);
    const connection = this.replicationConnection();
    this.connection = connection;
    const onAbort = () => connection.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const replication = connection.logicalReplication({
      slot: this.slot,
      startLsn: start.lsn,
      options: { proto_version: '1', publication_names: this.publication, messages: 'true' },
    });
    this.replication = replication;
    if (this.acknowledged !== undefined) replication.ack(parsePosition(this.acknowledged).lsn);
    const assembler = new PgoutputTransactionAssembler(this.keys);
    let resumeAfter = from;
    let yielded = from;
    let pending: CapturedChange[] = [];
    // Restarting inside a transaction: the server sends it whole again; drop what was already handed out.
    const fresh = (change: CapturedChange) =>
      start.index === undefined || change.position !== start.lsn || change.tx.index > start.index;
    const flush = (): CapturedBatch => {
      const batch = { changes: pending, resumeAfter: partialResume(pending, assembler) ?? resumeAfter };
      yielded = batch.resumeAfter;
      pending = [];
      return batch;
    };
    let next: Promise<IteratorResult<ReplicationChunk>> | undefined;
    try {
      const chunks = replication.pgoutputDecode();
      next = chunks.next();
      for (;;) {
        const result = await next;
        if (result.done === true) break;
        next = chunks.next();
        for (const message of result.value.messages) {
          if (isResnapshotMarker(message)) {
            pending.push(...(await this.resnapshots.take(message)));
            continue;
          }
          pending.push(...assembler.feed(message).filter(fresh));
          if (!assembler.inTransaction && assembler.lastCommitEnd !== undefined) resumeAfter = assembler.lastCommitEnd;
          if (pending.length >= this.config.maxBatchChanges) yield flush();
        }
        // Coalesce: while more of the log arrives within maxBatchDelayMillis, keep filling the batch, so a busy
        // log gives a few large sink transactions instead of one per network read.
        if (pending.length > 0 && (await arrivesWithin(next, this.config.maxBatchDelayMillis))) continue;
        if (pending.length > 0 || resumeAfter > yielded) yield flush();
        if (this.closed || signal?.aborted) break;
      }
    } finally {
      // The read-ahead of the next chunk fails once the connection is destroyed; nobody awaits it any more.
      next?.catch(() => undefined);
      signal?.removeEventListener('abort', onAbort);
      this.replication = undefined;
      this.connection = undefined;
      connection.destroy();
    }
  }

  private replicationConnection(): PgConnection {
    return pgconnection(this.config.url, {
      replication: 'database',
      application_name: `worker_sync_${this.id}`,
      ...SESSION_SETTINGS,
    });
  }

  async acknowledge(position: SourcePosition): Promise<void> {
    if (position.includes(SNAPSHOT_MARK)) return;
    await this.lease?.check();
    if (this.acknowledged === undefined || position > this.acknowledged) this.acknowledged = position;
    // Acknowledging a transaction's commit LSN (for a position inside it) keeps that transaction: the server only
    // skips transactions whose commit record starts before the confirmed LSN.
    this.replication?.ack(parsePosition(position).lsn);
  }

  /**
   * Re-reads one table's current rows into the running stream as snapshot inserts. A watermark message is written
   * to the log before the rows are read; the rows enter the stream where the watermark does, so every change
   * committed after the read is streamed after them.
   */
  async resnapshot(table: TableRef): Promise<void> {
    await this.resnapshots.start(table);
  }

  async lag(): Promise<{ bytes?: bigint; millis?: number }> {
    const { bytes, walStatus } = await slotLag(this.pool, this.slot);
    if (walStatus === 'lost') throw slotLostError(this.slot);
    return { bytes };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.destroy();
    await this.lease?.release();
    await this.pool.end().catch(() => undefined);
  }
}

/** Marks a position inside a transaction: `<commit LSN>~<last change index handed out>`. */
const PARTIAL_MARK = '~';

/** A position's LSN and, for a position inside a transaction, the index of the last change handed out. */
function parsePosition(position: string): { lsn: string; index?: number } {
  const at = position.indexOf(PARTIAL_MARK);
  if (at < 0) return { lsn: position };
  return { lsn: position.slice(0, at), index: Number(position.slice(at + 1)) };
}

/**
 * The resume position of a batch that ends inside a transaction: unique and increasing (so a sink's per-origin
 * position check never mistakes the next part of the same transaction for a redelivery), after the previous commit
 * and before this transaction's commit end.
 */
function partialResume(
  pending: readonly CapturedChange[],
  assembler: PgoutputTransactionAssembler,
): string | undefined {
  const last = pending[pending.length - 1];
  if (last === undefined || !assembler.inTransaction || last.snapshot === true || last.tx.last) return undefined;
  if (last.position !== assembler.openPosition) return undefined;
  return `${last.position}${PARTIAL_MARK}${String(last.tx.index).padStart(10, '0')}`;
}

/** True when `promise` settles within `millis` (its result stays available to a later await). */
async function arrivesWithin(promise: Promise<unknown>, millis: number): Promise<boolean> {
  if (millis <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), millis);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function isResnapshotMarker(message: PgoutputMessage): boolean {
  return message.tag === 'message' && message.transactional === false && message.prefix === RESNAPSHOT_MESSAGE_PREFIX;
}

function isRetriableReplicationError(error: unknown): boolean {
  const { code, message } = pgErrorFields(error);
  // 55006: the slot is still marked active by a dead reader's walsender; it lets go shortly.
  if (code === '55006') return true;
  return isRetriablePgError(error) || /postgres connection destroyed|eof|socket|ECONN/i.test(message);
}

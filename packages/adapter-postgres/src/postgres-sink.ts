import {
  type ApplyDecider,
  ApplyError,
  type ApplyOutcome,
  type ChangeBatch,
  type ChangeEvent,
  type ChangeSink,
  ConnectionError,
  type NodeId,
  type Row,
  type RowKey,
  type SourcePosition,
  type StoredRow,
  type TableRef,
  WorkerSyncError,
} from '@worker-sync/core';
import type pg from 'pg';
import { type PostgresSinkConfigInput, PostgresSinkConfigSchema, parseConfig } from './postgres-config.js';
import { createExactPool, isRetriablePgError, pgErrorFields } from './postgres-connection.js';
import { metadataDdl, shadowTableName } from './postgres-metadata.js';
import { type PgTable, readTable } from './postgres-table-catalog.js';
import { diagnoseFailure } from './sink-diagnosis.js';
import {
  loadStates,
  loadWholeTable,
  lockKeys,
  type RowState,
  type TableKeys,
  tableKeys,
  UNVERSIONED,
} from './sink-rows.js';
import { beginBatchScript, commitBatchScript, lockAllRows, selectAppliedPosition } from './sink-statements.js';
import { flushStates } from './sink-writer.js';

/**
 * Applies change batches to PostgreSQL: one transaction per batch, every touched row locked and read at once, its
 * version decided by the engine, then multi-row upserts and deletes; the row versions (shadow table
 * `worker_sync.row_versions`) and the batch position (`worker_sync.applied_positions`) are co-written in the same
 * transaction, which starts with a transactional logical message so the node's {@link PostgresSource} recognises
 * it. A redelivered batch is recognised from the stored position before any row is touched.
 *
 * @example
 * ```ts
 * const sink = new PostgresSink({ id: 'pg-sink', url: process.env.PG_BACKUP_URL! });
 * const outcome = await sink.apply(batch, decide);
 * ```
 */
export class PostgresSink implements ChangeSink {
  readonly id: string;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private readonly tables = new Map<string, PgTable>();
  private ready: Promise<void> | undefined;

  constructor(config: PostgresSinkConfigInput) {
    const parsed = parseConfig(PostgresSinkConfigSchema, config, 'PostgresSink');
    this.id = parsed.id;
    this.schema = parsed.schema;
    this.pool = createExactPool(parsed.url, parsed.poolSize, true);
  }

  /** Creates worker-sync's metadata tables if they do not exist. Called by the first apply. */
  async init(): Promise<void> {
    this.ready ??= this.pool
      .query(metadataDdl())
      .then(() => undefined)
      .catch((error: unknown) => {
        this.ready = undefined;
        throw toConnectionError(error, 'creating the worker_sync metadata tables');
      });
    await this.ready;
  }

  /**
   * Two round trips for a batch without truncates, whatever its size: the first opens the transaction and locks and
   * reads every row the batch names, the second writes everything and commits. Statements are pipelined (sent
   * without waiting for the previous answer); the server still runs them in order, and the first failure aborts the
   * transaction, so the ones behind it fail too and nothing of the batch commits.
   */
  async apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome> {
    await this.init();
    const client = await this.connect();
    let failed = false;
    try {
      const opening = client.query(
        beginBatchScript(
          batch.origin,
          batch.sourceId,
          JSON.stringify({ sink: this.id, origin: batch.origin, sourceId: batch.sourceId, position: batch.position }),
        ),
      ) as unknown as Promise<pg.QueryResult<{ position: string }>[]>;
      // Read before the position is known: a repeated batch is rare, and rolling back its reads costs nothing.
      const loading = this.loadBatchStates(client, batch);
      const [opened, loaded] = await Promise.allSettled([opening, loading]);
      if (opened.status === 'rejected') throw opened.reason;
      const stored = opened.value[1]!.rows[0]?.position;
      if (stored !== undefined && stored >= batch.position) {
        // A repeat is recognised even when its rows can no longer be read (a table dropped or altered since).
        await client.query('ROLLBACK');
        return { applied: 0, skipped: batch.events.length, alreadyApplied: true };
      }
      if (loaded.status === 'rejected') throw loaded.reason;
      const { outcome, touched } = await this.decideEvents(client, batch, loaded.value, decide);
      const writing = flushStates(client, touched);
      const committing = client.query(commitBatchScript(batch.origin, batch.sourceId, batch.position));
      await Promise.all([writing, committing]);
      return outcome;
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      this.tables.clear();
      if (error instanceof WorkerSyncError) throw error;
      if (isRetriablePgError(error)) throw toConnectionError(error, `applying batch ${batch.id}`);
      throw await diagnoseFailure(this.pool, batch, error, (ref) => this.targetOf(ref));
    } finally {
      client.release(failed);
    }
  }

  /** Judges every change against the tracked rows and applies the decisions to them; nothing is written yet. */
  private async decideEvents(
    client: pg.PoolClient,
    batch: ChangeBatch,
    states: BatchStates,
    decide: ApplyDecider,
  ): Promise<{ outcome: ApplyOutcome; touched: RowState[] }> {
    let applied = 0;
    let skipped = 0;
    const touched = new Set<RowState>();
    for (const [index, event] of batch.events.entries()) {
      const targets =
        event.op === 'truncate' ? await this.truncateTargets(client, event, states) : [states.byEvent[index]!];
      for (const state of targets) {
        // A truncate is judged per live row as the deletion of that row, as the reference MemorySink does.
        const incoming = event.op === 'truncate' ? { ...event, op: 'delete' as const, key: state.key } : event;
        const decision = decide(incoming, storedOf(state));
        if (decision.kind === 'skip') {
          skipped += 1;
          continue;
        }
        applied += 1;
        state.index = index;
        state.version = decision.version;
        state.versionChanged = true;
        if (decision.kind === 'write') writeInto(state, decision.row, event);
        touched.add(state);
      }
    }
    return { outcome: { applied, skipped, alreadyApplied: false }, touched: [...touched] };
  }

  /**
   * Locks and loads every row the batch names: the advisory locks of all its keys in one statement (every range when
   * it truncates a table, whose rows are not known before they are read), then two reads per table, all sent before
   * any answer is awaited. Changes to the same row share one tracked state.
   */
  private async loadBatchStates(client: pg.PoolClient, batch: ChangeBatch): Promise<BatchStates> {
    const byTable = new Map<string, { ref: TableRef; keys: RowKey[]; events: number[] }>();
    let truncates = false;
    for (const [index, event] of batch.events.entries()) {
      if (event.op === 'truncate') {
        truncates = true;
        continue;
      }
      const ref = this.targetOf(event.table);
      const name = shadowTableName(ref);
      let group = byTable.get(name);
      if (group === undefined) {
        group = { ref, keys: [], events: [] };
        byTable.set(name, group);
      }
      group.keys.push(event.key);
      group.events.push(index);
    }
    const groups: TableKeys[] = [];
    for (const { ref, keys, events } of byTable.values())
      groups.push(tableKeys(ref, await this.table(client, ref, events[0]), keys));
    const locking = truncates ? client.query(lockAllRows()) : lockKeys(client, groups);
    const loads = groups.map((group) => loadStates(client, group));
    const [, ...loaded] = await Promise.all([locking, ...loads]);
    const states: BatchStates = { byEvent: new Array(batch.events.length), byTable: new Map() };
    for (const [i, { ref, events }] of [...byTable.values()].entries()) {
      const rows = new Map<string, RowState>();
      states.byTable.set(shadowTableName(ref), rows);
      for (const [slot, state] of loaded[i]!.entries()) {
        let shared = rows.get(state.rowKey);
        if (shared === undefined) {
          shared = state;
          rows.set(state.rowKey, state);
        }
        states.byEvent[events[slot]!] = shared;
      }
    }
    return states;
  }

  private async truncateTargets(client: pg.PoolClient, event: ChangeEvent, states: BatchStates): Promise<RowState[]> {
    const ref = this.targetOf(event.table);
    const table = await this.table(client, ref, undefined);
    const name = shadowTableName(ref);
    let rows = states.byTable.get(name);
    if (rows === undefined) {
      rows = new Map();
      states.byTable.set(name, rows);
    }
    for (const state of await loadWholeTable(client, ref, table)) {
      if (!rows.has(state.rowKey)) rows.set(state.rowKey, state);
    }
    return [...rows.values()].filter((state) => state.row !== undefined);
  }

  private targetOf(ref: TableRef): TableRef {
    return this.schema === undefined ? ref : { namespace: this.schema, name: ref.name };
  }

  private async table(client: pg.ClientBase, ref: TableRef, index: number | undefined): Promise<PgTable> {
    const name = shadowTableName(ref);
    let table = this.tables.get(name);
    if (table === undefined) {
      try {
        table = await readTable(client, ref);
      } catch (error) {
        if (error instanceof ApplyError) throw new ApplyError(error.message, { ...error.where, index });
        throw error;
      }
      this.tables.set(name, table);
    }
    return table;
  }

  async lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined> {
    await this.init();
    const result = await this.pool.query<{ position: string }>(selectAppliedPosition(origin, sourceId, false));
    return result.rows[0]?.position;
  }

  async read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]> {
    await this.init();
    if (keys.length === 0) return [];
    const client = await this.connect();
    try {
      // Locks taken by the read are released at COMMIT right after; they keep the row and its version consistent.
      await client.query('BEGIN');
      const ref = this.targetOf(table);
      const group = tableKeys(ref, await this.table(client, ref, undefined), keys);
      await lockKeys(client, [group]);
      const states = await loadStates(client, group);
      await client.query('COMMIT');
      return states.map(storedOf);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toConnectionError(error, 'connecting the sink');
    }
  }
}

/** The rows a batch tracks: by the index of the change that names them, and by table (shadow name) and row key. */
interface BatchStates {
  readonly byEvent: (RowState | undefined)[];
  readonly byTable: Map<string, Map<string, RowState>>;
}

function storedOf(state: RowState): StoredRow | undefined {
  if (state.version !== undefined) return { row: state.row, version: state.version };
  if (state.row !== undefined) return { row: state.row, version: UNVERSIONED };
  return undefined;
}

/** Applies a write decision to the tracked row: `null` deletes, a (partial) row updates the columns it names. */
function writeInto(state: RowState, row: Row | null, event: ChangeEvent): void {
  if (row === null) {
    state.row = undefined;
    state.deleted = true;
    state.written = undefined;
    return;
  }
  const recreated = state.row === undefined;
  const unchanged = event.unchanged;
  const next: Record<string, Row[string]> = recreated ? {} : { ...state.row };
  const written = recreated ? new Set<string>() : (state.written ?? new Set<string>());
  for (const column in row) {
    if (unchanged?.includes(column)) continue;
    next[column] = row[column] ?? null;
    written.add(column);
  }
  for (const [column, value] of state.key) {
    next[column] = value;
    written.add(column);
  }
  state.row = next;
  state.written = written;
}

function toConnectionError(error: unknown, doing: string): ConnectionError {
  return new ConnectionError(`PostgreSQL ${doing}: ${pgErrorFields(error).message}`, { cause: error });
}

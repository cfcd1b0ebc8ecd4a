import { ApplyError, WorkerSyncError } from '../errors.js';
import type { ApplyDecider, ApplyOutcome, ChangeSink, StoredRow } from '../interfaces/change-sink.js';
import type { ChangeBatch, ChangeEvent, NodeId, RowKey, SourcePosition, TableRef } from '../model/change-event.js';
import { keyText, label, type MemoryDatabase, type MemoryTransaction } from './memory-database.js';

/** The version a row has before any sink wrote it: nobody's history. */
const UNVERSIONED = { vv: {}, hlc: 0n, writer: '', deleted: false } as const;

/**
 * Applies batches to a {@link MemoryDatabase} with the semantics every sink shares:
 * 1. if the batch's `position` is not after the stored applied position of `(origin, sourceId)`, nothing is touched
 *    and the outcome says `alreadyApplied`;
 * 2. otherwise, in ONE transaction: for each change in order, read the row and its stored version (as changed by
 *    earlier changes of the same batch), call `decide`, and do what it says — `write` sets the named columns (or
 *    deletes on `null`) and stores the version, `keep` stores only the version, `skip` does nothing; a `truncate`
 *    asks `decide` once per live row of the table, as a sink that deletes row by row;
 * 3. record the batch position for `(origin, sourceId)` in the same transaction and commit. Every written row is
 *    logged with `applied` set to the version written, so the node's {@link MemorySource} reports it as a sink write.
 *
 * A value a column cannot hold, or a missing table or column, rejects with an `ApplyError` naming table, column,
 * key and the change's `index` in the batch, and nothing of the batch is committed.
 *
 * @example
 * ```ts
 * const sink = new MemorySink({ id: 'local', database: db });
 * await sink.apply(batch, decide);
 * ```
 */
export class MemorySink implements ChangeSink {
  readonly id: string;
  readonly #db: MemoryDatabase;
  #failNext: ((batch: ChangeBatch) => Error | undefined) | undefined;

  constructor(options: { id: string; database: MemoryDatabase }) {
    this.id = options.id;
    this.#db = options.database;
  }

  /**
   * Test hook: the next applies consult `fault`; when it returns an error, `apply` rejects with it before touching
   * anything (a lost connection is a retriable `ConnectionError`). Pass undefined to stop.
   */
  injectFault(fault: ((batch: ChangeBatch) => Error | undefined) | undefined): void {
    this.#failNext = fault;
  }

  async apply(batch: ChangeBatch, decide: ApplyDecider): Promise<ApplyOutcome> {
    const fault = this.#failNext?.(batch);
    if (fault !== undefined) throw fault;
    const stored = this.#db.appliedPosition(batch.origin, batch.sourceId);
    if (stored !== undefined && stored >= batch.position) {
      return { applied: 0, skipped: batch.events.length, alreadyApplied: true };
    }
    return this.#db.sinkTransaction((tx) => {
      let applied = 0;
      let skipped = 0;
      for (const [index, event] of batch.events.entries()) {
        const keys = event.op === 'truncate' ? tx.keys(event.table) : [event.key];
        for (const key of keys) {
          const done = applyOne(tx, event, key, decide, index);
          if (done) applied += 1;
          else skipped += 1;
        }
      }
      tx.recordApplied(batch.origin, batch.sourceId, batch.position);
      return { applied, skipped, alreadyApplied: false };
    });
  }

  async lastApplied(origin: NodeId, sourceId: string): Promise<SourcePosition | undefined> {
    return this.#db.appliedPosition(origin, sourceId);
  }

  async read(table: TableRef, keys: readonly RowKey[]): Promise<(StoredRow | undefined)[]> {
    return keys.map((key) => storedRow(this.#db.read(table, key), this.#db.version(table, key)));
  }

  async close(): Promise<void> {}
}

function applyOne(
  tx: MemoryTransaction,
  event: ChangeEvent,
  key: RowKey,
  decide: ApplyDecider,
  index: number,
): boolean {
  try {
    const current = storedRow(tx.read(event.table, key), tx.version(event.table, key));
    // A truncate is judged per row as the deletion of that row.
    const incoming = event.op === 'truncate' ? { ...event, op: 'delete' as const, key } : event;
    const decision = decide(incoming, current);
    if (decision.kind === 'skip') return false;
    if (decision.kind === 'keep') tx.sinkKeep(event.table, key, decision.version);
    else tx.sinkWrite(event.table, key, decision.row, decision.version, event.unchanged);
    return true;
  } catch (error) {
    if (error instanceof ApplyError)
      throw new ApplyError(error.message, { ...error.where, index }, false, { cause: error });
    if (error instanceof WorkerSyncError) throw error;
    throw new ApplyError(
      `applying change ${index} to ${label(event.table)} (key ${keyText(key)}): ${(error as Error).message}`,
      { table: label(event.table), key: keyText(key), index },
      false,
      { cause: error },
    );
  }
}

function storedRow(row: StoredRow['row'], version: StoredRow['version'] | undefined): StoredRow | undefined {
  if (version !== undefined) return { row, version };
  if (row !== undefined) return { row, version: UNVERSIONED };
  return undefined;
}

import type { ChangeSource, SourceStart } from '../interfaces/change-source.js';
import type { CapturedBatch, CapturedChange, SourcePosition } from '../model/change-event.js';
import { type MemoryDatabase, type MemoryLogEntry, memoryPosition } from './memory-database.js';

/** Options of a {@link MemorySource}. */
export interface MemorySourceOptions {
  readonly id: string;
  readonly database: MemoryDatabase;
  /** Most transactions per yielded batch (default 64). */
  readonly maxBatchTransactions?: number;
  /**
   * When true the source sees only the log entries released with {@link MemorySource.release}: its processing lags
   * behind commits by exactly as much as a test decides, which is what makes races with sink writes reproducible.
   * Default false: entries are visible as soon as they commit.
   */
  readonly paced?: boolean;
}

/**
 * Reads a {@link MemoryDatabase}'s log in commit order, whole transactions per batch. Positions are the log's
 * zero-padded sequence numbers; `stream({ after })` yields every transaction committed after `after`, and with no
 * `after` starts at the current end of the log (after a snapshot of the current rows when `snapshot` is set).
 * Changes written by a {@link MemorySink} carry `applied`.
 *
 * @example
 * ```ts
 * const source = new MemorySource({ id: 'local', database: db });
 * for await (const batch of source.stream({ after: checkpoint })) await handle(batch);
 * ```
 */
export class MemorySource implements ChangeSource {
  readonly id: string;
  readonly #db: MemoryDatabase;
  readonly #maxTransactions: number;
  readonly #paced: boolean;
  #released = 0;
  #acknowledged: SourcePosition | undefined;
  #read: SourcePosition | undefined;
  #closed = false;
  readonly #wakers = new Set<() => void>();

  constructor(options: MemorySourceOptions) {
    this.id = options.id;
    this.#db = options.database;
    this.#maxTransactions = options.maxBatchTransactions ?? 64;
    this.#paced = options.paced ?? false;
    this.#db.onCommit(() => this.#wake());
  }

  /** The last position given to {@link MemorySource.acknowledge}. */
  get acknowledged(): SourcePosition | undefined {
    return this.#acknowledged;
  }

  /** Paced sources: lets `count` more committed transactions become visible (all committed ones by default). */
  release(count = Number.POSITIVE_INFINITY): void {
    this.#released = Math.min(sequenceOf(this.#db.endPosition), this.#released + count);
    this.#wake();
  }

  /** The last position this source may yield: the released one when paced, otherwise the log's end. */
  get visibleEnd(): SourcePosition {
    return this.#paced ? memoryPosition(this.#released) : this.#db.endPosition;
  }

  /** Transactions committed but not yet yielded by the running stream. */
  pending(): number {
    const end = sequenceOf(this.#db.endPosition);
    return end - (this.#read === undefined ? end : sequenceOf(this.#read));
  }

  async *stream(start: SourceStart): AsyncIterable<CapturedBatch> {
    const signal = start.signal;
    let cursor = start.after ?? this.#db.endPosition;
    if (start.after === undefined && start.snapshot) {
      const snapshot = this.#snapshot(cursor);
      if (snapshot.changes.length > 0) yield snapshot;
    }
    this.#read = cursor;
    // What precedes the start is not held back: pacing counts from where this stream begins.
    this.#released = Math.max(this.#released, sequenceOf(cursor));
    while (!this.#closed && !signal?.aborted) {
      const entries = this.#visibleAfter(cursor);
      if (entries.length === 0) {
        await this.#waitForCommit(signal);
        continue;
      }
      const last = entries[entries.length - 1]!;
      cursor = last.position;
      this.#read = cursor;
      yield { changes: entries.flatMap(capturedChanges), resumeAfter: last.position };
    }
  }

  async acknowledge(position: SourcePosition): Promise<void> {
    if (this.#acknowledged === undefined || position > this.#acknowledged) this.#acknowledged = position;
  }

  async lag(): Promise<{ bytes?: bigint; millis?: number }> {
    const next = this.#read === undefined ? [] : this.#db.entriesAfter(this.#read, 1);
    if (next.length === 0) return { millis: 0 };
    return { millis: Math.max(0, Date.now() - Number(next[0]!.commitTimeMicros / 1000n)) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
  }

  #visibleAfter(cursor: SourcePosition): MemoryLogEntry[] {
    const limit = this.#paced
      ? Math.max(0, Math.min(this.#maxTransactions, this.#released - sequenceOf(cursor)))
      : this.#maxTransactions;
    return limit === 0 ? [] : this.#db.entriesAfter(cursor, limit);
  }

  #snapshot(position: SourcePosition): CapturedBatch {
    const changes: CapturedChange[] = [];
    for (const table of this.#db.tables()) {
      for (const row of this.#db.readAll(table)) {
        changes.push({
          op: 'insert',
          table,
          key: this.#db.keyOf(table, row),
          after: row,
          position,
          tx: { id: 'snapshot', commitTimeMicros: 0n, index: changes.length, last: false },
          snapshot: true,
        });
      }
    }
    if (changes.length > 0) {
      const last = changes[changes.length - 1]!;
      changes[changes.length - 1] = { ...last, tx: { ...last.tx, last: true } };
    }
    return { changes, resumeAfter: position };
  }

  #waitForCommit(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #wake(): void {
    for (const waker of [...this.#wakers]) waker();
  }
}

function sequenceOf(position: SourcePosition): number {
  return position === '' ? 0 : Number.parseInt(position, 10);
}

function capturedChanges(entry: MemoryLogEntry): CapturedChange[] {
  return entry.changes.map((change, index) => ({
    ...change,
    // Every record of the in-memory log carries the whole row it replaced (or none, when there was none).
    ...(change.op === 'truncate' ? {} : { beforeComplete: true }),
    position: entry.position,
    tx: {
      id: entry.txId,
      commitTimeMicros: entry.commitTimeMicros,
      index,
      last: index === entry.changes.length - 1,
    },
  }));
}

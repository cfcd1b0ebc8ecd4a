import type { CapturedBatch, SourcePosition, TableRef } from '../model/change-event.js';

/** Where a source starts. */
export interface SourceStart {
  /** Resume after this position (the last checkpoint). Absent: start from the current end of the log. */
  readonly after?: SourcePosition;
  /**
   * With no `after`: first copy the existing rows (as `insert` changes with `snapshot: true`) consistently with the
   * stream, so that no row is missed or doubled between the copy and the log.
   */
  readonly snapshot?: boolean;
  /** Aborts the stream; the iterator then ends. */
  readonly signal?: AbortSignal;
}

/**
 * Reads one database's change log in commit order.
 *
 * A source yields whole transactions in commit order and never moves its durable position (a PostgreSQL slot's
 * confirmed LSN, a saved binlog position) past what {@link ChangeSource.acknowledge} was given: the engine
 * acknowledges a position only after the transport holds every change up to it.
 *
 * @example
 * ```ts
 * for await (const batch of source.stream({ after: checkpoint })) {
 *   await transport.publish(stamp(batch));
 *   await source.acknowledge(batch.resumeAfter);
 * }
 * ```
 */
export interface ChangeSource {
  /** Stable id, unique within the node; checkpoints are kept under it. */
  readonly id: string;
  /**
   * Marks the current end of the log as kept for this source (a PostgreSQL slot, say), so that a first
   * `stream({})` without a checkpoint reads every change committed after `init` resolved. The engine calls it in
   * `start()`, so writes made once `start()` resolved are never missed.
   */
  init?(): Promise<void>;
  /** Streams captured batches until `signal` aborts or {@link ChangeSource.close} is called. */
  stream(start: SourceStart): AsyncIterable<CapturedBatch>;
  /** Everything up to and including `position` is durable downstream; the source may release it. */
  acknowledge(position: SourcePosition): Promise<void>;
  /** Re-reads one table's current rows into the stream (as snapshot inserts) without stopping it, where supported. */
  resnapshot?(table: TableRef): Promise<void>;
  /** Bytes or events the source is behind the end of its log, where the engine can tell. */
  lag?(): Promise<{ bytes?: bigint; millis?: number }>;
  /** Stops reading and releases connections. */
  close(): Promise<void>;
}

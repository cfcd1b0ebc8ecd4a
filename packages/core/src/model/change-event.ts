import type { Hlc } from '../clock/hlc-timestamp.js';
import type { VersionVector } from '../clock/version-vector-type.js';
import type { Row, Value } from './value.js';

/** A node: one database and the engine instances that serve it. Node ids are stable, short, unique strings. */
export type NodeId = string;

/**
 * A position in one source's log. Opaque to core, but with one rule every source keeps:
 * positions of one source compare in log order by plain string comparison (`a < b` means `a` was committed first).
 * PostgreSQL uses a fixed-width hexadecimal LSN, MySQL a zero-padded file and offset, MongoDB the hex oplog time.
 */
export type SourcePosition = string;

/** The operation of one change. `truncate` removes every row of the table and carries no key. */
export type Operation = 'insert' | 'update' | 'delete' | 'truncate';

/** A table (or collection): `namespace` is the PostgreSQL schema, the MySQL database or the MongoDB database. */
export interface TableRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * A primary key: the ordered tuple of named key values. Order matters and is the table's key order.
 *
 * @example `[['tenant', 7n], ['id', 42n]]`
 */
export type RowKey = readonly (readonly [column: string, value: Value])[];

/** Where a change sits in its source transaction. */
export interface TransactionInfo {
  /** The source's transaction id (PostgreSQL xid, MySQL GTID, Mongo txn number or oplog time). */
  readonly id: string;
  /** Commit time as microseconds since the Unix epoch, as reported by the database. */
  readonly commitTimeMicros: bigint;
  /** Zero-based index of this change within its transaction; with `position` it identifies the change. */
  readonly index: number;
  /** True on the last change of the transaction: the commit boundary. */
  readonly last: boolean;
}

/**
 * The version metadata kept next to every row (a shadow table in SQL databases, a reserved field in MongoDB),
 * co-written by the sink in the same transaction as the data it applies.
 */
export interface RowVersion {
  /** Causal history of the row: one counter per node that wrote it. */
  readonly vv: VersionVector;
  /** Hybrid logical clock of the write that produced this version. */
  readonly hlc: Hlc;
  /** The node whose write (or resolution) produced this version. */
  readonly writer: NodeId;
  /** True when this version is a deletion (a tombstone that keeps the causal history). */
  readonly deleted: boolean;
  /**
   * Per column, the HLC of the write that last set that column's value. Only the column-merge resolver reads it: it
   * takes each column from the side that wrote it last, so concurrent updates of different columns both survive.
   * Engines record it when they stamp a local write (changed columns get the write's HLC, the others keep theirs);
   * a column missing here counts as written at {@link RowVersion.hlc}, so versions without it stay valid.
   */
  readonly columns?: Readonly<Record<string, Hlc>>;
}

/**
 * A change as a source reads it from its log, before the engine stamps it.
 * Engine quirks stay in the adapter: values are already neutral.
 */
export interface CapturedChange {
  readonly op: Operation;
  readonly table: TableRef;
  /** Primary key; empty for `truncate`. */
  readonly key: RowKey;
  /** Row after the change (insert, update). Columns listed in `unchanged` are absent. */
  readonly after?: Row;
  /** Row before the change, where the source has it (delete, update with full replica identity). */
  readonly before?: Row;
  /**
   * True when the log carries the row before the change whole: `before` holds every column (absent: there was no
   * row), as with PostgreSQL's `REPLICA IDENTITY FULL`, MySQL's `binlog_row_image=FULL` and the in-memory
   * database. The engine then knows what a sink write overwrote from the record itself, also for rows its log view
   * no longer holds data of (after a restart); without it, only from what the view saw since the engine started.
   */
  readonly beforeComplete?: boolean;
  /**
   * Columns whose value the log did not carry because they did not change (PostgreSQL unchanged TOAST).
   * A sink must leave these columns as they are.
   */
  readonly unchanged?: readonly string[];
  /** Commit position of the change's transaction. */
  readonly position: SourcePosition;
  readonly tx: TransactionInfo;
  /**
   * Present when this change was written by a worker-sync sink: the row version the sink co-wrote in the same
   * transaction. The engine uses it to suppress echoes and to detect races with unprocessed local writes.
   */
  readonly applied?: RowVersion;
  /** True for rows read by an initial snapshot rather than from the log. */
  readonly snapshot?: boolean;
}

/** A batch of captured changes, whole transactions in commit order, with the position to resume after it. */
export interface CapturedBatch {
  readonly changes: readonly CapturedChange[];
  /** Checkpoint this once the batch is durable downstream; a restart resumes after it. */
  readonly resumeAfter: SourcePosition;
}

/** A change stamped by its origin node: what travels between nodes and what the audit log records. */
export interface ChangeEvent extends Omit<CapturedChange, 'applied' | 'beforeComplete'> {
  /** The node where the change was made. */
  readonly origin: NodeId;
  /** The id of the source (within the origin node) that captured it. */
  readonly sourceId: string;
  /** The row's version after this change. */
  readonly version: RowVersion;
}

/** What the transport carries: stamped changes from one origin, in commit order. */
export interface ChangeBatch {
  /** Unique and stable across redelivery: `${origin}/${sourceId}/${first position}/${first index}`. */
  readonly id: string;
  readonly origin: NodeId;
  readonly sourceId: string;
  readonly events: readonly ChangeEvent[];
  /** The origin source position this batch ends at; sinks record it per origin to recognise redelivery. */
  readonly position: SourcePosition;
  /**
   * W3C trace context (`traceparent`, `tracestate`) of the span that published the batch, so spans follow a change
   * from source to sink. Carried beside the payload (Kafka headers, in-process message headers), not in the codec.
   */
  readonly trace?: Readonly<Record<string, string>>;
}

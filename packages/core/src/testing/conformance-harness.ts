import type { ChangeSink } from '../interfaces/change-sink.js';
import type { ChangeSource } from '../interfaces/change-source.js';
import type { RowKey, SourcePosition, TableRef } from '../model/change-event.js';
import type { Row, Value, ValueType } from '../model/value.js';

/**
 * One node of a conformance run: a database an adapter serves, its source and sink, and the plain application
 * writes the suite makes on it (ordinary SQL / driver writes, NOT through the sink, so the source reports them as
 * local writes without `applied`).
 *
 * Every method that writes commits its own transaction before it resolves.
 */
export interface ConformanceNode {
  /** The node id the suite gives this node's engine (short, stable, different from the other node's). */
  readonly nodeId: string;
  /**
   * The adapter's source over this node's database. The suite calls `stream({ after })` on it several times in one
   * test (a restart resumes from a checkpoint), each time with its own abort signal; it must not call `close()`
   * before the harness's {@link ConformanceHarness.close}.
   */
  readonly source: ChangeSource;
  /** The adapter's sink over this node's database; it must co-write versions so `source` reports its writes with `applied`. */
  readonly sink: ChangeSink;
  /**
   * The current end of the node's log: streaming with `{ after: await currentPosition() }` yields exactly the
   * changes committed after this call (PostgreSQL: the slot already exists, the current WAL LSN; MySQL: the current
   * GTID set or binlog file and offset; memory: the log's last position).
   */
  currentPosition(): Promise<SourcePosition>;
  /** Inserts or updates (upsert by primary key) one row as an application would, in its own transaction. */
  write(table: TableRef, row: Row): Promise<void>;
  /** Deletes one row by key as an application would; deleting a missing row is a no-op. */
  delete(table: TableRef, key: RowKey): Promise<void>;
  /** Truncates a table as an application would (one `truncate` change in the log). */
  truncate(table: TableRef): Promise<void>;
  /**
   * Runs several application writes in ONE transaction, in order, so the suite can check transaction boundaries
   * and commit order. `ops` use the same meaning as {@link ConformanceNode.write} and {@link ConformanceNode.delete}.
   */
  transaction(ops: readonly ConformanceWrite[]): Promise<void>;
  /** Reads one row's data straight from the database (not through the sink); undefined when absent. */
  read(table: TableRef, key: RowKey): Promise<Row | undefined>;
  /** Reads every row of a table, in any order. */
  readAll(table: TableRef): Promise<Row[]>;
}

/** One application write inside {@link ConformanceNode.transaction}. */
export type ConformanceWrite =
  | { readonly op: 'write'; readonly table: TableRef; readonly row: Row }
  | { readonly op: 'delete'; readonly table: TableRef; readonly key: RowKey };

/**
 * A table with one column per neutral type the adapter supports, present (empty after reset) on both nodes.
 * The key column is `id` (int64). The suite writes rows with {@link ConformanceNode.write} on node A, moves them to
 * node B through an engine, back to A, and compares values with `valuesEqual`.
 */
export interface ConformanceTypesTable {
  readonly table: TableRef;
  /** Column name to the neutral type it holds (every column nullable, `id` excluded). */
  readonly columns: Readonly<Record<string, ValueType>>;
  /**
   * Values to round-trip per column, replacing the suite's defaults for that column's type (for engines whose
   * range or precision is narrower, e.g. MySQL `TIMESTAMP` years 1970–2038). Each value must be of the column's type.
   */
  readonly samples?: Readonly<Record<string, readonly Value[]>>;
}

/**
 * What an adapter gives the conformance suite: two independent nodes (two databases, or two schemas of one server)
 * with the same tables, each with its adapter's source and sink.
 *
 * Tables the harness must create on both nodes (and empty in {@link ConformanceHarness.reset}):
 * - {@link ConformanceHarness.items}: `id int64 primary key, name text null, qty int64 null`;
 * - {@link ConformanceHarness.types}: see {@link ConformanceTypesTable}.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from '@worker-sync/core/testing';
 * runConformanceSuite('PostgresSource/PostgresSink', async () => createPostgresHarness(process.env.PG_LOCAL_URL!));
 * ```
 */
export interface ConformanceHarness {
  readonly nodeA: ConformanceNode;
  readonly nodeB: ConformanceNode;
  /** `id int64 primary key, name text, qty int64` on both nodes. */
  readonly items: TableRef;
  /** The one-column-per-type table on both nodes. */
  readonly types: ConformanceTypesTable;
  /**
   * A value the `items.qty` column (int64) of a sink cannot hold, so applying it must reject with an `ApplyError`
   * or `MappingError` naming the table and the column. Defaults to the text `'not a number'`.
   */
  readonly unmappableQty?: Value;
  /**
   * Empties both nodes' tables and every applied-position record of their sinks, and makes sure each source can
   * stream from {@link ConformanceNode.currentPosition} afterwards. Called before every test.
   */
  reset(): Promise<void>;
  /** Closes sources, sinks and connections. Called once after the suite. */
  close(): Promise<void>;
}

/** Builds a fresh harness; called once per suite (in `beforeAll`). */
export type ConformanceHarnessFactory = () => Promise<ConformanceHarness>;

import { ApplyError } from '../errors.js';
import type { CapturedChange, NodeId, RowKey, RowVersion, SourcePosition, TableRef } from '../model/change-event.js';
import { rowIdentity } from '../model/row-identity.js';
import type { Row, Value, ValueType } from '../model/value.js';
import { valueTypeOf } from '../model/value-type.js';

/** The shape of one table: its primary key columns (in key order) and, optionally, the neutral type of each column. */
export interface MemoryTableSchema {
  readonly key: readonly string[];
  /**
   * Column name to neutral type. When given, every write is checked: an unknown column or a value of another type
   * (null is always allowed) is an `ApplyError` naming table, column and key — the in-memory counterpart of a SQL
   * column that cannot hold a value.
   */
  readonly columns?: Readonly<Record<string, ValueType>>;
}

/** One change as the log holds it; position and transaction info are added when the source reads it. */
export type LoggedChange = Omit<CapturedChange, 'position' | 'tx'>;

/** One committed transaction in the database's log. */
export interface MemoryLogEntry {
  /** Zero-padded decimal, so string order is log order. The first transaction is `0000000000000001`. */
  readonly position: SourcePosition;
  readonly txId: string;
  readonly commitTimeMicros: bigint;
  readonly changes: readonly LoggedChange[];
}

interface TableState {
  readonly ref: TableRef;
  readonly schema: MemoryTableSchema;
  readonly rows: Map<string, { key: RowKey; row: Row }>;
}

const POSITION_WIDTH = 16;

/** Formats a log sequence number as a {@link SourcePosition}. */
export function memoryPosition(sequence: number): SourcePosition {
  return String(sequence).padStart(POSITION_WIDTH, '0');
}

/**
 * An in-memory database that behaves like the SQL engines worker-sync serves, for tests, examples and the
 * reference semantics adapters copy:
 * - tables of rows keyed by primary key;
 * - a shadow version table (row id to {@link RowVersion}, tombstones included) that only a sink writes;
 * - per `(origin, sourceId)` the last applied source position, also written only by a sink;
 * - an append-only log of committed transactions, one entry per commit, read by {@link MemorySource}.
 *
 * Application writes ({@link MemoryDatabase.write}, {@link MemoryDatabase.delete}, {@link MemoryDatabase.truncate},
 * {@link MemoryDatabase.transaction}) log changes without `applied`. A sink transaction ({@link
 * MemoryDatabase.sinkTransaction}) logs each row it touches with `applied` set to the version it co-wrote — like the
 * shadow rows MySQL sees in the same binlog transaction — so the node's source can tell echoes and races apart.
 * Transactions are synchronous, hence atomic: nothing interleaves with them and a throw rolls everything back.
 *
 * @example
 * ```ts
 * const db = new MemoryDatabase('eu-1');
 * db.createTable({ namespace: 'app', name: 'items' }, { key: ['id'] });
 * db.write({ namespace: 'app', name: 'items' }, { id: 1n, name: 'chair' });
 * ```
 */
export class MemoryDatabase {
  readonly #tables = new Map<string, TableState>();
  readonly #versions = new Map<string, RowVersion>();
  readonly #appliedPositions = new Map<string, SourcePosition>();
  readonly #log: MemoryLogEntry[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;
  #txCounter = 0;

  /** @param name a label used in error messages and transaction ids. */
  constructor(
    readonly name: string,
    options: { now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Creates a table (idempotent when the schema is the same). */
  createTable(table: TableRef, schema: MemoryTableSchema): void {
    if (schema.key.length === 0) throw new ApplyError(`table ${label(table)} needs at least one key column`);
    const id = tableId(table);
    if (!this.#tables.has(id)) this.#tables.set(id, { ref: table, schema, rows: new Map() });
  }

  /** The tables, in creation order. */
  tables(): TableRef[] {
    return [...this.#tables.values()].map((t) => t.ref);
  }

  /** The schema of a table; throws an `ApplyError` for an unknown table. */
  schema(table: TableRef): MemoryTableSchema {
    return this.#table(table).schema;
  }

  /** The key tuple of `row` in `table`'s key order. */
  keyOf(table: TableRef, row: Row): RowKey {
    const state = this.#table(table);
    return state.schema.key.map((column) => {
      const value = row[column];
      if (value === undefined) {
        throw new ApplyError(`row for ${label(table)} lacks key column ${column}`, { table: label(table), column });
      }
      return [column, value] as const;
    });
  }

  /** Upserts one row as an application would, in its own transaction. */
  write(table: TableRef, row: Row): void {
    this.transaction((tx) => tx.write(table, row));
  }

  /** Deletes one row as an application would; a missing row logs nothing. */
  delete(table: TableRef, key: RowKey): void {
    this.transaction((tx) => tx.delete(table, key));
  }

  /** Empties a table as an application would: one `truncate` change. Row versions stay (they keep history). */
  truncate(table: TableRef): void {
    this.transaction((tx) => tx.truncate(table));
  }

  /** Runs application writes in one transaction, committed when `body` returns, rolled back if it throws. */
  transaction(body: (tx: MemoryTransaction) => void): void {
    const tx = new MemoryTransaction(this, false);
    body(tx);
    this.#commit(tx);
  }

  /**
   * Runs a sink transaction: rows written through it log `applied` with the version written, and `recordApplied`
   * stores the per-origin position, all in the same commit. Used by {@link MemorySink}.
   */
  sinkTransaction<T>(body: (tx: MemoryTransaction) => T): T {
    const tx = new MemoryTransaction(this, true);
    const result = body(tx);
    this.#commit(tx);
    return result;
  }

  /** The current row, or undefined. */
  read(table: TableRef, key: RowKey): Row | undefined {
    return this.#table(table).rows.get(rowIdentity(table, key))?.row;
  }

  /** Every row of a table, ordered by row identity (a stable order for digests). */
  readAll(table: TableRef): Row[] {
    const rows = this.#table(table).rows;
    return [...rows.keys()].sort().map((id) => rows.get(id)!.row);
  }

  /** The stored version of a row (tombstones included), or undefined when no sink ever wrote it. */
  version(table: TableRef, key: RowKey): RowVersion | undefined {
    return this.#versions.get(rowIdentity(table, key));
  }

  /** The last position a sink applied from `(origin, sourceId)`. */
  appliedPosition(origin: NodeId, sourceId: string): SourcePosition | undefined {
    return this.#appliedPositions.get(appliedKey(origin, sourceId));
  }

  /** The position of the last committed transaction (`0000000000000000` for an empty log). */
  get endPosition(): SourcePosition {
    return memoryPosition(this.#log.length);
  }

  /** Committed transactions after `position`, at most `limit`. */
  entriesAfter(position: SourcePosition, limit = Number.POSITIVE_INFINITY): MemoryLogEntry[] {
    const start = position === '' ? 0 : Number.parseInt(position, 10);
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new ApplyError(`memory log position "${position}" is not a position of database ${this.name}`);
    }
    return this.#log.slice(start, Math.min(this.#log.length, start + limit));
  }

  /** Calls `listener` after every commit; returns the unsubscribe function. */
  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal state access for {@link MemoryTransaction}. */
  _state(table: TableRef): TableState {
    return this.#table(table);
  }

  /** @internal */
  _version(rowId: string): RowVersion | undefined {
    return this.#versions.get(rowId);
  }

  /** @internal */
  _appliedKey(origin: NodeId, sourceId: string): string {
    return appliedKey(origin, sourceId);
  }

  #commit(tx: MemoryTransaction): void {
    const staged = tx._staged();
    for (const [id, { table, key, row }] of staged.rows) {
      const state = this.#table(table);
      if (row === null) state.rows.delete(id);
      else state.rows.set(id, { key, row });
    }
    for (const table of staged.truncated) this.#table(table).rows.clear();
    for (const [id, version] of staged.versions) this.#versions.set(id, version);
    for (const [key, position] of staged.positions) this.#appliedPositions.set(key, position);
    if (staged.changes.length > 0) {
      this.#txCounter += 1;
      this.#log.push({
        position: memoryPosition(this.#log.length + 1),
        txId: `${this.name}:${this.#txCounter}`,
        commitTimeMicros: BigInt(Math.floor(this.#now())) * 1000n,
        changes: staged.changes,
      });
      for (const listener of this.#listeners) listener();
    }
  }

  #table(table: TableRef): TableState {
    const state = this.#tables.get(tableId(table));
    if (state === undefined) {
      throw new ApplyError(`table ${label(table)} does not exist in memory database ${this.name}`, {
        table: label(table),
      });
    }
    return state;
  }
}

/**
 * One open transaction of a {@link MemoryDatabase}. Reads see the transaction's own earlier writes; nothing is
 * visible to others until it commits.
 */
export class MemoryTransaction {
  readonly #rows = new Map<string, { table: TableRef; key: RowKey; row: Row | null }>();
  readonly #versions = new Map<string, RowVersion>();
  readonly #positions = new Map<string, SourcePosition>();
  readonly #truncated: TableRef[] = [];
  readonly #truncatedIds = new Set<string>();
  readonly #changes: LoggedChange[] = [];

  /** @internal created by {@link MemoryDatabase}. */
  constructor(
    private readonly db: MemoryDatabase,
    private readonly sink: boolean,
  ) {}

  /** The row as this transaction sees it. */
  read(table: TableRef, key: RowKey): Row | undefined {
    const id = rowIdentity(table, key);
    const staged = this.#rows.get(id);
    if (staged !== undefined) return staged.row ?? undefined;
    if (this.#truncatedIds.has(tableId(table))) return undefined;
    return this.db._state(table).rows.get(id)?.row;
  }

  /** The stored version as this transaction sees it. */
  version(table: TableRef, key: RowKey): RowVersion | undefined {
    const id = rowIdentity(table, key);
    return this.#versions.get(id) ?? this.db._version(id);
  }

  /** Keys of every live row of a table as this transaction sees it. */
  keys(table: TableRef): RowKey[] {
    const keys = new Map<string, RowKey>();
    if (!this.#truncatedIds.has(tableId(table))) {
      for (const [id, { key }] of this.db._state(table).rows) keys.set(id, key);
    }
    for (const [id, staged] of this.#rows) {
      if (tableId(staged.table) !== tableId(table)) continue;
      if (staged.row === null) keys.delete(id);
      else keys.set(id, staged.key);
    }
    return [...keys.values()];
  }

  /** Application upsert of a whole row. */
  write(table: TableRef, row: Row): void {
    this.#assertApplication();
    const key = this.db.keyOf(table, row);
    checkRow(this.db.schema(table), table, key, row);
    const before = this.read(table, key);
    this.#stage(table, key, { ...row });
    this.#changes.push(
      before === undefined
        ? { op: 'insert', table, key, after: row }
        : { op: 'update', table, key, before, after: row },
    );
  }

  /** Application delete. */
  delete(table: TableRef, key: RowKey): void {
    this.#assertApplication();
    const before = this.read(table, key);
    if (before === undefined) return;
    this.#stage(table, key, null);
    this.#changes.push({ op: 'delete', table, key, before });
  }

  /** Application truncate. */
  truncate(table: TableRef): void {
    this.#assertApplication();
    this.db._state(table);
    for (const [id, staged] of this.#rows) if (tableId(staged.table) === tableId(table)) this.#rows.delete(id);
    this.#truncated.push(table);
    this.#truncatedIds.add(tableId(table));
    this.#changes.push({ op: 'truncate', table, key: [] });
  }

  /**
   * Sink write: `row` null deletes; otherwise the named columns are set over the current row (a missing row starts
   * empty), columns in `unchanged` are left as they are, key columns are always set. Stores `version` and logs the
   * change with `applied: version`.
   */
  sinkWrite(
    table: TableRef,
    key: RowKey,
    row: Row | null,
    version: RowVersion,
    unchanged: readonly string[] = [],
  ): void {
    this.#assertSink();
    const current = this.read(table, key);
    const id = rowIdentity(table, key);
    if (row === null) {
      this.#stage(table, key, null);
      this.#versions.set(id, version);
      this.#changes.push({ op: 'delete', table, key, ...(current ? { before: current } : {}), applied: version });
      return;
    }
    const skip = new Set(unchanged);
    const next: Record<string, Value> = current === undefined ? {} : { ...current };
    for (const [column, value] of Object.entries(row)) if (!skip.has(column)) next[column] = value;
    for (const [column, value] of key) next[column] = value;
    checkRow(this.db.schema(table), table, key, next);
    this.#stage(table, key, next);
    this.#versions.set(id, version);
    this.#changes.push({
      op: current === undefined ? 'insert' : 'update',
      table,
      key,
      ...(current ? { before: current } : {}),
      after: next,
      applied: version,
    });
  }

  /**
   * Sink keep: the data stays, only the version changes. Logged as a change with no after image and every column
   * unchanged (as the MySQL adapter reports a shadow row without data), so the source still reports the version.
   */
  sinkKeep(table: TableRef, key: RowKey, version: RowVersion): void {
    this.#assertSink();
    const current = this.read(table, key);
    this.#versions.set(rowIdentity(table, key), version);
    this.#changes.push({
      op: current === undefined ? 'delete' : 'update',
      table,
      key,
      ...(current ? { before: current } : {}),
      unchanged: current === undefined ? [] : Object.keys(current),
      applied: version,
    });
  }

  /** Records the last applied position of `(origin, sourceId)` in this transaction. */
  recordApplied(origin: NodeId, sourceId: string, position: SourcePosition): void {
    this.#assertSink();
    this.#positions.set(this.db._appliedKey(origin, sourceId), position);
  }

  /** @internal what {@link MemoryDatabase} commits. */
  _staged() {
    return {
      rows: this.#rows,
      versions: this.#versions,
      positions: this.#positions,
      truncated: this.#truncated,
      changes: this.#changes,
    };
  }

  #stage(table: TableRef, key: RowKey, row: Row | null): void {
    this.#rows.set(rowIdentity(table, key), { table, key, row });
  }

  #assertApplication(): void {
    if (this.sink) throw new ApplyError('a sink transaction writes through sinkWrite/sinkKeep only');
  }

  #assertSink(): void {
    if (!this.sink) throw new ApplyError('only a sink transaction writes versions and applied positions');
  }
}

function checkRow(schema: MemoryTableSchema, table: TableRef, key: RowKey, row: Row): void {
  const columns = schema.columns;
  if (columns === undefined) return;
  for (const [column, value] of Object.entries(row)) {
    const expected = columns[column] ?? (schema.key.includes(column) ? undefined : null);
    if (expected === null) {
      throw new ApplyError(`column ${column} does not exist in table ${label(table)} (key ${keyText(key)})`, {
        table: label(table),
        column,
        key: keyText(key),
      });
    }
    if (expected === undefined || value === null) continue;
    const actual = valueTypeOf(value);
    if (actual !== expected) {
      throw new ApplyError(
        `column ${column} of table ${label(table)} holds ${expected}, got a ${actual} value (key ${keyText(key)})`,
        { table: label(table), column, key: keyText(key) },
      );
    }
  }
}

/** `namespace.name`, for messages. */
export function label(table: TableRef): string {
  return `${table.namespace}.${table.name}`;
}

/** A key as text for messages: column names and value types, never values beyond int64 and text keys. */
export function keyText(key: RowKey): string {
  return key
    .map(([column, value]) => {
      const scalar = typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean';
      const shown = scalar
        ? String(value)
        : typeof value === 'string'
          ? JSON.stringify(value)
          : `<${valueTypeOf(value)}>`;
      return `${column}=${shown}`;
    })
    .join(',');
}

function tableId(table: TableRef): string {
  return rowIdentity(table, []);
}

function appliedKey(origin: NodeId, sourceId: string): string {
  return `${origin}\u0000${sourceId}`;
}

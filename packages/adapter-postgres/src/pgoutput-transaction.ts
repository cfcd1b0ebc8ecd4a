import {
  type CapturedChange,
  ConfigurationError,
  type Row,
  type RowKey,
  type RowVersion,
  type TableRef,
  type TransactionInfo,
  type Value,
} from '@worker-sync/core';
import type { PgoutputMessage, PgoutputRelation } from 'pgwire';
import {
  METADATA_SCHEMA,
  SINK_MESSAGE_PREFIX,
  shadowRowKey,
  shadowTableName,
  versionFromShadow,
} from './postgres-metadata.js';
import { type ValueSite, valueFromPg } from './postgres-types.js';

/** The empty result, shared: most messages make no change final. */
const NONE: CapturedChange[] = [];

interface OpenTransaction {
  readonly xid: string;
  readonly position: string;
  readonly commitTimeMicros: bigint;
  /** The transaction started with the sink's logical message: its data changes are sink writes. */
  sink: boolean;
  /** Shadow versions co-written by the sink, by `table|rowKey`. */
  readonly versions: Map<string, RowVersion>;
  /** Shadow rows not (yet) matched by a data change: version-only writes (the sink kept the local data). */
  readonly versionOnly: Map<string, Record<string, string | null | undefined>>;
  index: number;
}

/**
 * Turns pgoutput messages, in log order, into captured changes. Changes are handed out as they are decoded (a large
 * transaction is never held whole); the last change of a transaction is held back until its commit so it can be
 * marked as the commit boundary.
 *
 * Echo detection: a sink transaction starts with the transactional logical message {@link SINK_MESSAGE_PREFIX} and
 * writes each row's shadow version before the row, so when a data change arrives its version is already known.
 */
export class PgoutputTransactionAssembler {
  private open: OpenTransaction | undefined;
  private held: CapturedChange | undefined;
  /** Commit end LSN of the last transaction seen whole: the position to resume after. */
  lastCommitEnd: string | undefined;
  readonly #shapes = new WeakMap<PgoutputRelation, RelationShape>();

  /**
   * @param primaryKeys - the primary-key columns of tables by `schema.table`: the key of a table whose replica
   *   identity is `FULL`, for which the log marks every column as part of the identity.
   */
  constructor(private readonly primaryKeys: ReadonlyMap<string, readonly string[]> = new Map()) {}

  /** Feeds one message; returns changes that are now final (possibly none). */
  feed(message: PgoutputMessage): CapturedChange[] {
    switch (message.tag) {
      case 'begin':
        this.open = {
          xid: String(message.xid),
          position: message.commitLsn ?? '00000000/00000000',
          commitTimeMicros: message.commitTime ?? 0n,
          sink: false,
          versions: new Map(),
          versionOnly: new Map(),
          index: 0,
        };
        return [];
      case 'message':
        if (message.transactional === true && message.prefix === SINK_MESSAGE_PREFIX && this.open !== undefined) {
          this.open.sink = true;
        }
        return [];
      case 'insert':
      case 'update':
      case 'delete':
        return this.rowChange(message);
      case 'truncate':
        return this.truncate(message);
      case 'commit':
        return this.commit(message);
      default:
        return [];
    }
  }

  /** The commit LSN of the open transaction (its changes' position), if one is open. */
  get openPosition(): string | undefined {
    return this.open?.position;
  }

  /** True while a transaction is open (a partial batch must not move the resume position). */
  get inTransaction(): boolean {
    return this.open !== undefined;
  }

  /** Forgets a transaction cut short by a lost connection; it is re-read from the last acknowledged position. */
  reset(): void {
    this.open = undefined;
    this.held = undefined;
  }

  private rowChange(message: PgoutputMessage): CapturedChange[] {
    const relation = message.relation!;
    const tx = this.open;
    if (tx === undefined) return [];
    if (relation.schema === METADATA_SCHEMA) {
      if (relation.name === 'row_versions' && tx.sink && message.afterRaw) {
        const raw = message.afterRaw;
        tx.versionOnly.set(`${raw.table_name}|${raw.row_key}`, raw);
        tx.versions.set(
          `${raw.table_name}|${raw.row_key}`,
          versionFromShadow({
            vv: raw.vv,
            hlc: raw.hlc,
            writer: raw.writer,
            deleted: raw.deleted ?? null,
            columns: raw.columns,
          }),
        );
      }
      return [];
    }
    const { table, label, keyColumns, sites, fullBefore } = this.describe(relation);
    const after = message.afterRaw ? decodeRow(relation, message.afterRaw, sites) : undefined;
    const before = message.beforeRaw ? decodeRow(relation, message.beforeRaw, sites) : undefined;
    const unchanged = message.afterRaw ? unchangedColumns(relation, message.afterRaw) : [];
    const newKey = after ? keyOf(keyColumns, after.row) : undefined;
    const oldKey = before ? keyOf(keyColumns, before.row) : undefined;
    const out: CapturedChange[] = [];
    if (message.tag === 'update' && oldKey !== undefined && newKey !== undefined && !sameKey(oldKey, newKey)) {
      // A primary-key change is a delete of the old row and an insert of the new one, so sinks keyed by the
      // primary key stay right.
      const whole = fullBefore ? { beforeComplete: true } : {};
      out.push(...this.emit(tx, { op: 'delete', table, key: oldKey, before: before!.row, ...whole }, label));
      out.push(...this.emit(tx, { op: 'insert', table, key: newKey, after: after!.row, ...whole }, label));
      return out;
    }
    const key = message.tag === 'delete' ? oldKey! : newKey!;
    const change: Mutable<Omit<CapturedChange, 'position' | 'tx'>> = {
      op: message.tag as 'insert' | 'update' | 'delete',
      table,
      key,
    };
    if (after) change.after = after.row;
    if (before) change.before = before.row;
    if (unchanged.length > 0) change.unchanged = unchanged;
    // Under FULL identity an update or delete logs the old row whole, and an insert logs none because there was none.
    if (fullBefore) change.beforeComplete = true;
    return this.emit(tx, change, label);
  }

  /** The shape of a relation's row changes, worked out once per relation message. */
  private describe(relation: PgoutputRelation): RelationShape {
    let shape = this.#shapes.get(relation);
    if (shape === undefined) {
      const table = { namespace: relation.schema, name: relation.name };
      const label = shadowTableName(table);
      const fullBefore = relation.replicaIdentity === 'full';
      shape = {
        table,
        label,
        sites: relation.columns.map((column) => ({ table: label, column: column.name })),
        keyColumns: fullBefore ? this.primaryKeyOf(relation, label) : flaggedKey(relation),
        fullBefore,
      };
      this.#shapes.set(relation, shape);
    }
    return shape;
  }

  private primaryKeyOf(relation: PgoutputRelation, label: string): readonly string[] {
    const key = this.primaryKeys.get(`${relation.schema}.${relation.name}`);
    if (key === undefined) {
      throw new ConfigurationError(
        `${label}: replica identity FULL marks every column as the key; its primary key was not read at start (a table without one, or added to the publication since)`,
      );
    }
    return key;
  }

  private truncate(message: PgoutputMessage): CapturedChange[] {
    const tx = this.open;
    if (tx === undefined) return [];
    const out: CapturedChange[] = [];
    for (const relation of message.relations ?? []) {
      if (relation.schema === METADATA_SCHEMA) continue;
      const table = { namespace: relation.schema, name: relation.name };
      out.push(...this.emit(tx, { op: 'truncate', table, key: [] }, shadowTableName(table)));
    }
    return out;
  }

  private emit(tx: OpenTransaction, change: Omit<CapturedChange, 'position' | 'tx'>, label: string): CapturedChange[] {
    let applied: RowVersion | undefined;
    if (tx.sink && change.op !== 'truncate') {
      const id = `${label}|${shadowRowKey(change.key)}`;
      applied = tx.versions.get(id);
      // The data change carries its version, so the shadow row is not a version-only write.
      if (applied !== undefined) tx.versionOnly.delete(id);
    }
    const info: TransactionInfo = { id: tx.xid, commitTimeMicros: tx.commitTimeMicros, index: tx.index, last: false };
    tx.index += 1;
    const next = change as CapturedChange & { position: string; tx: TransactionInfo; applied?: RowVersion };
    next.position = tx.position;
    next.tx = info;
    if (applied !== undefined) next.applied = applied;
    const held = this.held;
    this.held = next;
    return held === undefined ? NONE : [held];
  }

  private commit(message: PgoutputMessage): CapturedChange[] {
    const ready = this.open === undefined ? [] : this.versionOnlyChanges(this.open);
    this.lastCommitEnd = message.commitEndLsn ?? message.lsn ?? this.lastCommitEnd;
    this.open = undefined;
    const held = this.held;
    this.held = undefined;
    return held === undefined ? ready : [...ready, { ...held, tx: { ...held.tx, last: true } }];
  }

  /**
   * A shadow row with no data change is a version-only write (the sink kept the local data and stored a merged
   * version). It is reported as an update with every column unchanged (a delete when the row is absent) carrying the
   * version, so the engine's view of the row follows, as the reference MemorySink logs it.
   */
  private versionOnlyChanges(tx: OpenTransaction): CapturedChange[] {
    const out: CapturedChange[] = [];
    for (const [id, raw] of tx.versionOnly) {
      const dot = String(raw.table_name).indexOf('.');
      const table = { namespace: String(raw.table_name).slice(0, dot), name: String(raw.table_name).slice(dot + 1) };
      if (raw.key_columns === null || raw.key_columns === undefined) continue;
      const keyColumns = JSON.parse(raw.key_columns) as [string, number][];
      const texts = JSON.parse(String(raw.row_key)) as (string | null)[];
      const key: RowKey = keyColumns.map(([name, oid], i) => [name, valueFromPg(texts[i] ?? null, oid)] as const);
      const rowColumns =
        raw.row_columns === null || raw.row_columns === undefined
          ? undefined
          : (JSON.parse(raw.row_columns) as string[]);
      const change =
        rowColumns === undefined
          ? { op: 'delete' as const, table, key, unchanged: [] }
          : { op: 'update' as const, table, key, unchanged: rowColumns };
      out.push(...this.emit(tx, change, shadowTableName(table)));
      tx.versionOnly.delete(id);
    }
    return out;
  }
}

function decodeRow(
  relation: PgoutputRelation,
  raw: Record<string, string | null | undefined>,
  sites: readonly ValueSite[],
): { row: Row } {
  const row: Record<string, Value> = {};
  const columns = relation.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const text = raw[column.name];
    // undefined: an unchanged TOAST value (or a non-key column of a key-only tuple): not carried, never null.
    if (text === undefined) continue;
    row[column.name] = valueFromPg(text, column.typeOid, sites[i]);
  }
  return { row };
}

function unchangedColumns(relation: PgoutputRelation, raw: Record<string, string | null | undefined>): string[] {
  const unchanged: string[] = [];
  for (const column of relation.columns) if (raw[column.name] === undefined) unchanged.push(column.name);
  return unchanged;
}

/** What every row change of a relation shares, worked out once per relation message. */
interface RelationShape {
  readonly table: TableRef;
  readonly label: string;
  /** The key: under the default replica identity the columns flagged (bit 1) in the relation message. */
  readonly keyColumns: readonly string[];
  /** Replica identity FULL: updates and deletes log the old row whole. */
  readonly fullBefore: boolean;
  /** Each column's place, in column order, for the errors of values that cannot be read. */
  readonly sites: readonly ValueSite[];
}

/** A type whose optional fields may be set one by one while it is built. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
function flaggedKey(relation: PgoutputRelation): string[] {
  return relation.columns.filter((column) => (column.flags & 1) === 1).map((column) => column.name);
}

function keyOf(keyColumns: readonly string[], row: Row): RowKey {
  return keyColumns.map((column) => [column, row[column] ?? null] as const);
}

function sameKey(a: RowKey, b: RowKey): boolean {
  return (
    a.length === b.length &&
    a.every(([column], i) => b[i]![0] === column && shadowRowKey([a[i]!]) === shadowRowKey([b[i]!]))
  );
}

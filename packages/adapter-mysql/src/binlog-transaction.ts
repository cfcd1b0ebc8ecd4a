import type { CapturedChange, Operation, Row, RowKey, RowVersion, TableRef } from '@worker-sync/core';
import { versionFromShadow } from './mysql-metadata.js';
import type { TableMapping } from './mysql-table-mapping.js';
import { decodeKey, encodeKey } from './typed-json.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A data row change decoded from a rows event, before it is matched with the transaction's shadow rows. */
interface PendingChange {
  readonly op: Exclude<Operation, 'truncate'>;
  readonly table: TableRef;
  readonly key: RowKey;
  readonly after?: Row;
  readonly before?: Row;
}

/** A shadow version row the sink co-wrote in this transaction. */
interface ShadowWrite {
  readonly table: TableRef;
  /** The shadow row's `row_key`: the typed JSON of the key, decoded only if no data change matches it. */
  readonly keyText: string;
  readonly version: RowVersion;
  readonly columns: readonly string[];
}

/**
 * A row's identity within the transaction: table and typed key text. The sink derives the shadow row's hash from
 * exactly these, so matching on them matches on the hash without computing it for every captured row.
 */
function rowId(table: TableRef, keyText: string): string {
  return `${table.namespace}\u0000${table.name}\u0000${keyText}`;
}

/**
 * Collects one binlog transaction (GTID event to XID) and turns it into captured changes at commit. Row changes the
 * node's own sink made are recognised by the shadow version rows written in the same transaction and reported with
 * `applied`, so the engine neither echoes them nor misses a race with a local write.
 */
export class BinlogTransaction {
  private readonly changes: PendingChange[] = [];
  /** Each change's key as typed JSON, as the sink stores it in a shadow row. */
  private readonly keyTexts: string[] = [];
  private readonly shadows = new Map<string, ShadowWrite>();

  constructor(readonly id: string) {}

  /** Adds the rows of one rows event of a captured table. */
  addRows(op: 'insert' | 'update' | 'delete', mapping: TableMapping, rows: readonly unknown[]): void {
    for (const raw of rows) {
      if (op === 'update') {
        const image = raw as { before: Record<string, unknown>; after: Record<string, unknown> };
        const before = mapping.rowFromMySql(image.before);
        const after = mapping.rowFromMySql(image.after);
        const beforeKey = mapping.keyOf(before);
        const afterKey = mapping.keyOf(after);
        const beforeText = encodeKey(beforeKey);
        const afterText = encodeKey(afterKey);
        if (beforeText === afterText) {
          this.changes.push({ op, table: mapping.table, key: afterKey, before, after });
          this.keyTexts.push(afterText);
        } else {
          // A primary key update is a delete of the old key and an insert of the new one to every other engine.
          this.changes.push({ op: 'delete', table: mapping.table, key: beforeKey, before });
          this.changes.push({ op: 'insert', table: mapping.table, key: afterKey, after });
          this.keyTexts.push(beforeText, afterText);
        }
      } else {
        const row = mapping.rowFromMySql(raw as Record<string, unknown>);
        const key = mapping.keyOf(row);
        this.changes.push(
          op === 'insert'
            ? { op, table: mapping.table, key, after: row }
            : { op, table: mapping.table, key, before: row },
        );
        this.keyTexts.push(encodeKey(key));
      }
    }
  }

  /** Adds shadow rows (written or updated) of the row-version table. */
  addShadows(
    rows: readonly unknown[],
    isUpdate: boolean,
    columnsOf: (table: TableRef) => readonly string[] | undefined,
  ): void {
    for (const raw of rows) {
      const image = (isUpdate ? (raw as { after: Record<string, unknown> }).after : raw) as Record<string, unknown>;
      const table = { namespace: String(image.table_ns), name: String(image.table_name) };
      const columns = columnsOf(table);
      if (columns === undefined) continue;
      const keyText = String(image.row_key);
      this.shadows.set(rowId(table, keyText), { table, keyText, version: versionFromShadow(image), columns });
    }
  }

  /** True when the transaction touched nothing the source reports. */
  get empty(): boolean {
    return this.changes.length === 0 && this.shadows.size === 0;
  }

  /**
   * The transaction's captured changes at `position`. A shadow row with no data change (the sink kept the local
   * data and stored a merged version, or wrote values equal to the stored ones) becomes a change with no after image
   * and every column unchanged, so the engine still learns the version.
   */
  commit(position: string, commitTimeMicros: bigint): CapturedChange[] {
    const applied = new Array<RowVersion | undefined>(this.changes.length);
    const matched = new Set<string>();
    // Most transactions are local writes without shadow rows: nothing to match.
    if (this.shadows.size > 0) {
      for (const [index, change] of this.changes.entries()) {
        const id = rowId(change.table, this.keyTexts[index]!);
        const shadow = this.shadows.get(id);
        if (shadow === undefined) continue;
        applied[index] = shadow.version;
        matched.add(id);
      }
    }
    const total = this.changes.length + this.shadows.size - matched.size;
    const tx = (index: number) => ({ id: this.id, commitTimeMicros, index, last: index === total - 1 });
    // Written out rather than spread: V8 copies `{ ...change, more }` on a slow path, microseconds per row.
    const out: CapturedChange[] = this.changes.map((change, index) => {
      // binlog_row_image=FULL (checked at start): the row an update or delete replaced is logged whole.
      const captured: Mutable<CapturedChange> = {
        op: change.op,
        table: change.table,
        key: change.key,
        beforeComplete: true,
        position,
        tx: tx(index),
      };
      if (change.before !== undefined) captured.before = change.before;
      if (change.after !== undefined) captured.after = change.after;
      if (applied[index] !== undefined) captured.applied = applied[index];
      return captured;
    });
    for (const [id, shadow] of this.shadows) {
      if (matched.has(id)) continue;
      const where = `shadow row of ${shadow.table.namespace}.${shadow.table.name}`;
      out.push({
        op: shadow.version.deleted ? 'delete' : 'update',
        table: shadow.table,
        key: decodeKey(shadow.keyText, where),
        unchanged: shadow.columns,
        position,
        applied: shadow.version,
        tx: tx(out.length),
      });
    }
    return out;
  }
}

import type { CapturedChange, Operation, Row, RowKey, RowVersion, TableRef } from '@worker-sync/core';
import { rowHash, versionFromShadow } from './mysql-metadata.js';
import type { TableMapping } from './mysql-table-mapping.js';
import { decodeKey, encodeKey } from './typed-json.js';

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
  readonly key: RowKey;
  readonly version: RowVersion;
  readonly columns: readonly string[];
}

/**
 * Collects one binlog transaction (GTID event to XID) and turns it into captured changes at commit. Row changes the
 * node's own sink made are recognised by the shadow version rows written in the same transaction and reported with
 * `applied`, so the engine neither echoes them nor misses a race with a local write.
 */
export class BinlogTransaction {
  private readonly changes: PendingChange[] = [];
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
        if (encodeKey(beforeKey) === encodeKey(afterKey)) {
          this.changes.push({ op, table: mapping.table, key: afterKey, before, after });
        } else {
          // A primary key update is a delete of the old key and an insert of the new one to every other engine.
          this.changes.push({ op: 'delete', table: mapping.table, key: beforeKey, before });
          this.changes.push({ op: 'insert', table: mapping.table, key: afterKey, after });
        }
      } else {
        const row = mapping.rowFromMySql(raw as Record<string, unknown>);
        const key = mapping.keyOf(row);
        this.changes.push(
          op === 'insert'
            ? { op, table: mapping.table, key, after: row }
            : { op, table: mapping.table, key, before: row },
        );
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
      const key = decodeKey(String(image.row_key), `shadow row of ${table.namespace}.${table.name}`);
      const hash = Buffer.from(image.row_hash as Uint8Array).toString('hex');
      this.shadows.set(hash, { table, key, version: versionFromShadow(image), columns });
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
    const matched = new Set<string>();
    const drafts: Omit<CapturedChange, 'tx'>[] = this.changes.map((change) => {
      const hash = rowHash(change.table, change.key).toString('hex');
      const shadow = this.shadows.get(hash);
      if (shadow) matched.add(hash);
      return { ...change, position, ...(shadow ? { applied: shadow.version } : {}) };
    });
    for (const [hash, shadow] of this.shadows) {
      if (matched.has(hash)) continue;
      drafts.push({
        op: shadow.version.deleted ? 'delete' : 'update',
        table: shadow.table,
        key: shadow.key,
        unchanged: shadow.columns,
        position,
        applied: shadow.version,
      });
    }
    return drafts.map((draft, index) => ({
      ...draft,
      tx: { id: this.id, commitTimeMicros, index, last: index === drafts.length - 1 },
    }));
  }
}

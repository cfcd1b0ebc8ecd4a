import { type RowKey, rowIdentity, type TableRef } from '@worker-sync/core';
import type { AuditStorage } from './audit-storage.js';
import { type ChangeLeaf, decodeLeaf } from './leaf-encoding.js';

/** Filter of {@link queryChanges}; every given field must match. */
export interface AuditQuery {
  readonly table?: TableRef;
  /** Needs `table`: the row's primary key. */
  readonly key?: RowKey;
  /** Commit time window, microseconds since the epoch, inclusive start and exclusive end. */
  readonly fromMicros?: bigint;
  readonly toMicros?: bigint;
  readonly origin?: string;
  readonly op?: ChangeLeaf['op'];
  readonly kind?: ChangeLeaf['kind'];
}

/** A matching change leaf with its index in the log (the index an inclusion proof is asked for). */
export interface AuditQueryHit {
  readonly index: number;
  readonly leaf: ChangeLeaf;
}

/** Finds change leaves by table, key, commit time range, origin node, operation and kind, in log order. */
export async function queryChanges(storage: AuditStorage, query: AuditQuery): Promise<AuditQueryHit[]> {
  if (query.key !== undefined && query.table === undefined)
    throw new TypeError('an audit query by key needs its table');
  const table = query.table === undefined ? undefined : (rowIdentity(query.table, []).split('/')[0] as string);
  const row = query.table !== undefined && query.key !== undefined ? rowIdentity(query.table, query.key) : undefined;
  const hits: AuditQueryHit[] = [];
  await storage.scanLeaves((index, bytes) => {
    const leaf = decodeLeaf(bytes);
    if (leaf.type !== 'change') return;
    if (table !== undefined && leaf.table !== table) return;
    if (row !== undefined && leaf.row !== row) return;
    if (query.origin !== undefined && leaf.origin !== query.origin) return;
    if (query.op !== undefined && leaf.op !== query.op) return;
    if (query.kind !== undefined && leaf.kind !== query.kind) return;
    const t = BigInt(leaf.commitTimeMicros);
    if (query.fromMicros !== undefined && t < query.fromMicros) return;
    if (query.toMicros !== undefined && t >= query.toMicros) return;
    hits.push({ index, leaf });
  });
  return hits;
}

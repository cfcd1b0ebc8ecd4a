import { createHash } from 'node:crypto';
import { type ChangeSink, canonicalEncodeValue, type RowKey, type TableRef } from '@worker-sync/core';

/**
 * A digest of one table's contents over neutral values: every live row read through the node's sink (so each engine's
 * values are first mapped to the neutral model), in key order, each column canonically encoded. Two databases of
 * different engines holding the same rows give the same digest.
 */
export async function tableDigest(sink: ChangeSink, table: TableRef, ids: readonly bigint[]): Promise<string> {
  const keys: RowKey[] = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id) => [['id', id]]);
  const stored = keys.length === 0 ? [] : await sink.read(table, keys);
  const hash = createHash('sha256');
  for (const entry of stored) {
    const row = entry?.row;
    if (row === undefined) continue;
    for (const column of Object.keys(row).sort()) {
      hash.update(column);
      hash.update(canonicalEncodeValue(row[column]!));
    }
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}

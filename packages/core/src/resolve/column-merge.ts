import { canonicalEncodeValue } from '../codec/canonical-encoding.js';
import type { ConflictResolver, ConflictSide } from '../interfaces/conflict-resolver.js';
import type { Row, Value } from '../model/value.js';
import { columnStamp } from './settle-conflict.js';
import { compareBytes, compareSides, isLive } from './version-order.js';

/**
 * Per-column merge: when both sides hold a row, each column takes the value from the side that wrote that column
 * last (by `RowVersion.columns`, falling back to the row's HLC); equal stamps fall back to the greater canonical
 * value bytes, which keeps the merge commutative, associative and idempotent even though the stamps do not say
 * which node wrote each column. A column only one side has is kept. A deletion against an update is decided by
 * last writer wins on the rows' HLCs.
 *
 * Concurrent updates of different columns both survive, which is what a user editing a name on one node and a
 * price on another expects. It needs the engine to stamp `columns` on local writes; without stamps it degrades
 * to last writer wins per column at row granularity.
 *
 * Known limit: a deletion carries no column values, so when an update, a deletion and a second update are all
 * concurrent, replicas that merged them in different orders can keep different values in columns the later
 * update did not change. Concurrent updates without deletions always converge.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ ..., resolver: columnMerge() });
 * ```
 */
export function columnMerge(): ConflictResolver {
  return {
    name: 'column-merge',
    resolve(a, b) {
      if (!isLive(a) || !isLive(b)) return { kind: 'pick', winner: compareSides(a, b) >= 0 ? 'a' : 'b' };
      return { kind: 'merge', row: mergeRows(a, b) };
    },
  };
}

function mergeRows(a: ConflictSide, b: ConflictSide): Row {
  const rowA = a.row!;
  const rowB = b.row!;
  const columns = [...new Set([...Object.keys(rowA), ...Object.keys(rowB)])].sort();
  const merged: Record<string, Value> = {};
  for (const column of columns) {
    let value: Value;
    if (!Object.hasOwn(rowB, column)) value = rowA[column]!;
    else if (!Object.hasOwn(rowA, column)) value = rowB[column]!;
    else
      value = laterValue(rowA[column]!, columnStamp(a.version, column), rowB[column]!, columnStamp(b.version, column));
    Object.defineProperty(merged, column, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

function laterValue(x: Value, stampX: bigint, y: Value, stampY: bigint): Value {
  if (stampX !== stampY) return stampX > stampY ? x : y;
  return compareBytes(canonicalEncodeValue(x), canonicalEncodeValue(y)) >= 0 ? x : y;
}

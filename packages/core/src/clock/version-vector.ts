import { IntegrityError } from '../errors.js';
import type { NodeId } from '../model/change-event.js';
import type { Causality, VersionVector } from './version-vector-type.js';

/**
 * Version vector algebra. Every function treats a missing entry as zero and returns vectors in canonical form:
 * no zero entries, keys in ascending code-unit order, so equal histories are equal objects entry for entry and
 * serialise to the same bytes.
 */

/** The empty history: a row nobody has written. */
export const EMPTY_VERSION_VECTOR: VersionVector = Object.freeze({});

/**
 * Returns `vv` without zero entries and with sorted keys. Rejects counters that are not non-negative safe integers,
 * because a corrupt counter would silently reorder history.
 */
export function canonicalVersionVector(vv: VersionVector): VersionVector {
  const out: Record<NodeId, number> = {};
  for (const node of Object.keys(vv).sort(compareNodeIds)) {
    const count = vv[node]!;
    checkCounter(node, count);
    if (count > 0) out[node] = count;
  }
  return out;
}

/**
 * How `a` relates to `b`: `before` when every entry of `a` is ≤ the one of `b` and some is smaller (b has seen all
 * of a), `after` the mirror, `equal` when identical, `concurrent` when each has an entry the other lacks.
 *
 * @example
 * ```ts
 * compareVersionVectors({ n1: 1 }, { n1: 1, n2: 1 }); // 'before'
 * compareVersionVectors({ n1: 2 }, { n2: 1 });        // 'concurrent'
 * ```
 */
export function compareVersionVectors(a: VersionVector, b: VersionVector): Causality {
  let aBigger = false;
  let bBigger = false;
  for (const node of Object.keys(a)) {
    const x = a[node]!;
    const y = b[node] ?? 0;
    if (x > y) aBigger = true;
    else if (x < y) bBigger = true;
  }
  for (const node of Object.keys(b)) {
    if (node in a) continue;
    if (b[node]! > 0) bBigger = true;
  }
  if (aBigger) return bBigger ? 'concurrent' : 'after';
  return bBigger ? 'before' : 'equal';
}

/** True when `a` has seen everything `b` has (`a ≥ b` entry by entry). */
export function dominatesOrEquals(a: VersionVector, b: VersionVector): boolean {
  for (const node of Object.keys(b)) {
    if ((b[node] ?? 0) > (a[node] ?? 0)) return false;
  }
  return true;
}

/** The pointwise maximum: the history of a version that has seen both `a` and `b`. Commutative, associative, idempotent. */
export function mergeVersionVectors(a: VersionVector, b: VersionVector): VersionVector {
  const merged: Record<NodeId, number> = { ...a };
  for (const node of Object.keys(b)) {
    const count = b[node]!;
    if (count > (merged[node] ?? 0)) merged[node] = count;
  }
  return canonicalVersionVector(merged);
}

/** `vv` with one more write by `node`: the version of a write `node` makes on top of `vv`. */
export function incrementVersionVector(vv: VersionVector, node: NodeId): VersionVector {
  if (node.length === 0) throw new IntegrityError('cannot increment a version vector for an empty node id');
  const next = (vv[node] ?? 0) + 1;
  checkCounter(node, next);
  // A row written only by this node (the usual case) needs no copy and sort: one entry is already canonical.
  const nodes = Object.keys(vv);
  if (nodes.length === 0 || (nodes.length === 1 && nodes[0] === node)) return { [node]: next };
  return canonicalVersionVector({ ...vv, [node]: next });
}

/** Orders node ids by UTF-16 code units, the same order everywhere (no locale). */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkCounter(node: NodeId, count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new IntegrityError(`version vector entry for node "${node}" is ${count}; expected a non-negative integer`);
  }
}

import type { MerkleTree } from './merkle-tree.js';
import { largestPowerOfTwoBelow } from './merkle-tree.js';

/**
 * The proof that the tree of the first `oldSize` leaves is a prefix of the tree of the first `newSize` leaves:
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1. Empty when the old tree is empty or the sizes are equal.
 */
export function consistencyProof(tree: MerkleTree, oldSize: number, newSize: number): Uint8Array[] {
  tree.checkSize(newSize);
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`tree size ${oldSize} cannot precede tree size ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  return subproof(tree, oldSize, 0, newSize, true);
}

function subproof(tree: MerkleTree, m: number, start: number, n: number, complete: boolean): Uint8Array[] {
  if (m === n) return complete ? [] : [tree.subtreeHash(start, n)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(tree, m, start, k, complete), tree.subtreeHash(start + k, n - k)];
  return [...subproof(tree, m - k, start + k, n - k, false), tree.subtreeHash(start, k)];
}

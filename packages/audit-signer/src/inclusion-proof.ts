import type { MerkleTree } from './merkle-tree.js';
import { largestPowerOfTwoBelow } from './merkle-tree.js';

/**
 * The audit path of leaf `index` in the tree of the first `size` leaves: PATH(m, D[n]) of RFC 9162 §2.1.3.1,
 * ordered from the leaf upwards.
 */
export function inclusionProof(tree: MerkleTree, index: number, size: number): Uint8Array[] {
  tree.checkSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  }
  return path(tree, index, 0, size);
}

function path(tree: MerkleTree, m: number, start: number, n: number): Uint8Array[] {
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...path(tree, m, start, k), tree.subtreeHash(start + k, n - k)];
  return [...path(tree, m - k, start + k, n - k), tree.subtreeHash(start, k)];
}
